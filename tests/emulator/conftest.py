"""Fixtures: an emulator per test and a plain PTB Bot talking to it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot

from tgemu import Emulator

from .support import TOKEN


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator(bot_username="duban_test_bot") as emulator:
        yield emulator


@pytest.fixture
async def bot(emu: Emulator) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=emu.base_url, base_file_url=emu.base_file_url) as tg_bot:
        yield tg_bot

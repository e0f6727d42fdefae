"""Chats are served side by side; one chat's messages are handled strictly in order."""

from __future__ import annotations

import asyncio

import pytest
from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.update_order import PerChatUpdateProcessor
from tests.e2e.conftest import TOKEN
from tgemu import Emulator


@pytest.fixture
async def slow_emu():
    emulator = Emulator(bot_username="duban_test_bot", latency=0.05)
    await emulator.start()
    yield emulator
    await emulator.stop()


async def test_chats_run_concurrently_and_each_keeps_its_order(slow_emu):
    handled: list[tuple[int, str]] = []
    running: dict[int, int] = {}
    most = {"chats": 0, "same_chat": 0}

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat.id
        running[chat] = running.get(chat, 0) + 1
        most["chats"] = max(most["chats"], sum(1 for n in running.values() if n))
        most["same_chat"] = max(most["same_chat"], running[chat])
        await asyncio.sleep(0.05)  # work that takes time, like a database write
        running[chat] -= 1
        handled.append((chat, update.message.text))
        await context.bot.send_message(update.effective_chat.id, update.message.text)

    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(slow_emu.base_url)
        .concurrent_updates(PerChatUpdateProcessor(64))
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, echo))
    users = [slow_emu.user(900 + i, f"用户{i}") for i in range(10)]
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        for n in range(5):
            for u in users:
                await u.send(f"{u.id}:{n}")
        await slow_emu.wait_until(lambda: len(handled) == 50, 30)
        await app.updater.stop()
        await app.stop()
    for u in users:
        assert [t for c, t in handled if c == u.id] == [f"{u.id}:{n}" for n in range(5)]
    assert most["chats"] > 1  # different chats were served at the same time
    assert most["same_chat"] == 1  # never two updates of one chat at once

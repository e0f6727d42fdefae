"""Faults a client must tell apart: refused connections, 5xx answers for one chat."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from telegram import Bot
from telegram.error import NetworkError

from tgemu import Emulator

from .support import TOKEN


async def test_refused_connections_then_the_same_port_again(emu: Emulator, bot: Bot) -> None:
    alice = emu.user(1001, "张三")
    await alice.send("/start")
    await bot.send_message(alice.id, "之前")  # leaves an idle keep-alive connection in the pool
    async with emu.refusing():
        with pytest.raises(ConnectionRefusedError):
            await asyncio.open_connection(emu.host, emu.port)
        with pytest.raises(NetworkError) as caught:
            await bot.send_message(alice.id, "中断时")
        assert isinstance(caught.value.__cause__, httpx.ConnectError)  # never sent: safe to retry
    await bot.send_message(alice.id, "之后")
    assert [m.text for m in alice.inbox] == ["之前", "之后"]


async def test_without_keep_alive_a_refusal_is_always_a_connect_error() -> None:
    """No idle connection can take a request at the instant the refusal starts."""
    async with (
        Emulator(keep_alive=False) as emu,
        Bot(TOKEN, base_url=emu.base_url, base_file_url=emu.base_file_url) as bot,
    ):
        alice = emu.user(1001, "张三")
        await alice.send("/start")
        await bot.send_message(alice.id, "之前")
        refusal = asyncio.create_task(emu.refuse_for(0.3))
        await asyncio.sleep(0)  # the refusal starts while the bot is about to send
        with pytest.raises(NetworkError) as caught:
            await bot.send_message(alice.id, "中断时")
        assert isinstance(caught.value.__cause__, httpx.ConnectError)
        await refusal
        await bot.send_message(alice.id, "恢复后")
        assert [m.text for m in alice.inbox] == ["之前", "恢复后"]


async def test_a_5xx_for_one_chat_the_given_number_of_times(emu: Emulator, bot: Bot) -> None:
    alice, bob = emu.user(1001, "张三"), emu.user(1002, "李四")
    for user in (alice, bob):
        await user.send("/start")
    emu.fail_next("sendMessage", 502, "Bad Gateway", chat_id=alice.id, times=2)
    emu.fail_next("sendMessage", 500, "Internal Server Error", chat_id=bob.id)
    for expected in ("Bad Gateway", "Bad Gateway"):
        with pytest.raises(NetworkError, match=expected) as caught:
            await bot.send_message(alice.id, "甲")
        assert caught.value.__cause__ is None  # Telegram answered: nothing was sent
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_message(bob.id, "乙")
    await bot.send_message(alice.id, "甲")
    await bot.send_message(bob.id, "乙")
    assert [m.text for m in alice.inbox] == ["甲"] and [m.text for m in bob.inbox] == ["乙"]
    assert emu.stats["500"] == 1 and emu.stats["502"] == 2

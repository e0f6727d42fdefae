"""The pacer's arithmetic on a clock the test moves: Telegram's three sliding windows, the
pauses after a 429, and the order in which waiting requests are let through."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from bot.pacer import SLACK, Limits, Pacer, Windows, chat_of, counted

LIMITS = Limits(per_second=30, chat_per_second=1, chat_burst=3, group_per_minute=20)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def send(windows: Windows, chat: int | str | None, times: int = 1) -> None:
    for _ in range(times):
        assert windows.wait(chat) == 0
        windows.take(chat)


def test_thirty_in_any_second_then_the_oldest_must_leave(clock):
    windows = Windows(LIMITS, clock)
    for n in range(30):
        send(windows, 100 + n)
        clock.now += 0.01
    # the first went at 1000.00; it leaves the window at 1001.00, 0.70 s from now
    assert windows.wait(999) == pytest.approx(0.70)
    clock.now = 1001.0
    send(windows, 999)
    assert windows.wait(998) == pytest.approx(0.01)  # the second leaves at 1001.01


def test_a_private_chat_takes_three_in_any_three_seconds(clock):
    windows = Windows(LIMITS, clock)
    send(windows, 7, times=3)
    assert windows.wait(7) == pytest.approx(3.0)
    assert windows.wait(8) == 0  # another chat is not held up
    clock.now += 3
    send(windows, 7)
    clock.now += 1
    send(windows, 7, times=2)
    assert windows.wait(7) == pytest.approx(2.0)  # until the one sent at +3 s leaves


def test_a_group_takes_twenty_a_minute(clock):
    windows = Windows(LIMITS, clock)
    for _ in range(20):
        send(windows, -100500)
        clock.now += 1
    assert windows.wait(-100500) == pytest.approx(40.0)
    assert windows.wait("@channel") == 0
    clock.now += 40
    send(windows, -100500)


def test_a_message_held_up_on_its_way_counts_from_when_it_may_have_arrived(clock):
    """A round trip longer than the shortest one seen may have been spent on the way there."""
    windows = Windows(replace(LIMITS, chat_burst=1), clock)  # one a second per chat
    quick = windows.take(6)
    clock.now += 0.05
    windows.done(6, quick)  # the network's own round trip: 50 ms
    assert windows.wait(6) == pytest.approx(1 - 0.05 + SLACK)  # counted 10 ms after it went
    clock.now = 1010.0
    held_up = windows.take(7)
    for n in range(29):
        send(windows, 100 + n)
    clock.now += 0.25
    windows.done(7, held_up)  # 0.20 s longer than the network needs: it may have arrived late
    assert windows.wait(7) == pytest.approx(1 - 0.05 + SLACK)
    clock.now += 0.75  # the 29 sent with it leave the bot's window; the held-up one stays
    for n in range(29):
        send(windows, 200 + n)
    assert windows.wait(300) == pytest.approx(0.20 + SLACK)


def test_a_429_pauses_only_its_own_chat(clock):
    windows = Windows(LIMITS, clock)
    windows.pause(7, 5)
    assert windows.chat_wait(7) == pytest.approx(5.0)
    assert windows.wait(8) == 0
    clock.now += 5
    assert windows.wait(7) == 0


def test_a_429_without_a_chat_pauses_the_bot(clock):
    windows = Windows(LIMITS, clock)
    windows.pause(None, 2)
    assert windows.wait(8) == pytest.approx(2.0)


def test_empty_windows_are_forgotten(clock):
    windows = Windows(LIMITS, clock)
    for n in range(1000):
        windows.take(10_000 + n)
        clock.now += 0.1
    assert len(windows.chats) < 40  # only the chats of the last three seconds


def test_what_counts_and_for_which_chat():
    assert counted("sendMessage") and counted("editMessageText") and counted("copyMessage")
    assert not counted("sendChatAction") and not counted("answerCallbackQuery")
    assert not counted("setMyCommands") and not counted("getChatMember")
    assert chat_of({"chat_id": "-1001"}) == -1001 and chat_of({"chat_id": "@ch"}) == "@ch"
    assert chat_of({"inline_message_id": "x"}) is None


async def test_replies_go_before_pushes_and_a_busy_chat_holds_up_no_one():
    """Real time, but the bot's window is one message a second: the grants show the order."""
    pacer = Pacer(Limits(per_second=1, group_per_minute=1))
    granted: list[str] = []

    async def ask(name: str, chat: int, reply: bool) -> None:
        await pacer.acquire(chat, reply=reply)
        granted.append(name)

    await ask("first", -1, reply=True)  # the group's window is full for a minute
    busy = asyncio.create_task(ask("push to the group", -1, reply=False))
    others = [
        asyncio.create_task(ask("push to 2", 2, reply=False)),
        asyncio.create_task(ask("reply to 3", 3, reply=True)),
    ]
    await asyncio.gather(*others)
    assert granted == ["first", "reply to 3", "push to 2"]
    assert not busy.done() and len(pacer.queue) == 1
    busy.cancel()
    with pytest.raises(asyncio.CancelledError):
        await busy
    assert pacer.queue == []
    await pacer.shutdown()

"""The outbox under a mix of Telegram's failures in the middle of one fan-out (issue 11).

Telegram's side is the emulator; the sender, the database and PTB are the production ones.
The refusal and the hang take real seconds; retries wait on the fake clock (`Office.drain`).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import AsyncIterator

import pytest

from storage import outbox
from storage.outbox import Push
from tests.e2e.conftest import Office
from tgemu import Emulator

FIRST = 60_000  # chat of push n: FIRST + n % CHATS
CHATS = 60
PUSHES = 240
GHOST = 69_999  # never wrote to the bot: "chat not found"
HUNG, LIMITED, DOWN_500, DOWN_502, TOO_LONG, BLOCKED = (FIRST + k for k in range(6))
NUMBER = re.compile(r"第(\d+)条")


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    """No keep-alive: a refusal cannot catch a request written into an idle connection at
    that instant (a real, but other, fault: the push would rightly be 'uncertain')."""
    async with Emulator(bot_username="duban_test_bot", keep_alive=False) as emulator:
        yield emulator


def push(n: int, chat_id: int) -> Push:
    return Push(
        f"faults:{n}",
        "test",
        "push_unreachable",
        "2026-11-24T10:00:00+08:00",
        chat_id=chat_id,
        context={"unit": "单位", "person": f"第{n}条", "phone": "1"},
        automatic=False,
    )


async def queue(office: Office, emu: Emulator) -> None:
    for k in range(CHATS):
        emu.user(FIRST + k, f"收件人{k}")
        emu.world.users[FIRST + k].started = True  # as if each had written to the bot
    pushes = [push(n, FIRST + n % CHATS) for n in range(PUSHES)]
    pushes += [push(PUSHES + i, GHOST) for i in range(2)]
    async with office.db.transaction() as conn:
        await outbox.add_many(conn, pushes, office.office.now())


def inject(emu: Emulator) -> None:
    """Every fault but the refusal: each fires when the fan-out reaches its chat."""
    emu.hang_next("sendMessage", 7, chat_id=HUNG)  # past PTB's 5 s read timeout
    emu.fail_next(
        "sendMessage", 429, "Too Many Requests: retry after 1", chat_id=LIMITED, retry_after=1
    )
    emu.fail_next("sendMessage", 500, "Internal Server Error", chat_id=DOWN_500, times=2)
    emu.fail_next("sendMessage", 502, "Bad Gateway", chat_id=DOWN_502, times=3)
    emu.fail_next("sendMessage", 400, "Bad Request: message is too long", chat_id=TOO_LONG)
    emu.view(BLOCKED).block()


def arrivals(emu: Emulator) -> dict[int, list[int]]:
    """The push numbers each chat received, in the order Telegram took them."""
    found: dict[int, list[int]] = defaultdict(list)
    for call in emu.calls_of("sendMessage"):
        if call.ok:
            found[int(call.params["chat_id"])].append(int(NUMBER.search(call.params["text"])[1]))
    return found


async def test_a_fan_out_through_every_fault_delivers_each_push_once(office, emu):
    await queue(office, emu)
    inject(emu)
    sender = office.app.bot_data["services"].sender
    sender.wake()
    await emu.wait_until(lambda: emu.stats["sent_messages"] >= PUSHES // 3, 15, "fan-out starts")
    await emu.refuse_for(4)  # Telegram unreachable in the middle of the fan-out
    waiting = await office.scalar(
        "SELECT count(*) FROM outbox WHERE state = 'pending' AND due_ts > ? AND chat_id > ?",
        (int(office.clock.now().timestamp()), DOWN_502),
    )
    assert waiting > 0, "the refusal met sends, which now wait for a retry"

    await emu.wait_until(lambda: 0 in arrivals(emu)[HUNG], 10, "the hung request lands, late")
    await office.drain()

    rows = await office.rows("SELECT dedupe_key, chat_id, state, error FROM outbox")
    assert Counter(r["state"] for r in rows)["pending"] == 0
    by_state = defaultdict(list)
    for r in rows:
        by_state[r["state"], r["error"]].append((r["chat_id"], int(r["dedupe_key"][7:])))
    uncertain = by_state.pop(("uncertain", "请求已发出但未收到答复，无法确定是否送达"))
    assert uncertain == [(HUNG, 0)]  # only the one whose request went out unanswered
    assert sorted(by_state.pop(("failed", "对方已屏蔽机器人"))) == [
        (BLOCKED, n) for n in range(BLOCKED - FIRST, PUSHES, CHATS)
    ]
    [(chat, too_long)] = by_state.pop(("failed", "消息过长，Telegram 拒收"))
    assert chat == TOO_LONG
    assert sorted(by_state.pop(("failed", "找不到对方的 Telegram 账号"))) == [
        (GHOST, PUSHES),
        (GHOST, PUSHES + 1),
    ]
    sent = by_state.pop(("sent", None))
    assert by_state == {}, by_state
    assert len(sent) == PUSHES - 1 - len(range(BLOCKED - FIRST, PUSHES, CHATS)) - 1

    got = arrivals(emu)
    counts = Counter((chat, n) for chat, numbers in got.items() for n in numbers)
    assert set(counts) == {*sent, (HUNG, 0)}  # none lost, none sent that failed
    assert [key for key, times in counts.items() if times > 1] == []  # none twice
    for chat, numbers in got.items():  # each chat's order kept (the late hung one aside)
        kept = [n for n in numbers if (chat, n) != (HUNG, 0)]
        assert kept == sorted(kept), chat
    assert (emu.stats["429"], emu.stats["500"], emu.stats["502"]) == (1, 2, 3)
    assert too_long not in got[TOO_LONG]

"""Fan-out at Telegram's ceiling while people talk to the bot.

    .venv/bin/python bench/fanout.py            # 10,000 pushes to 2,000 chats (about 6 minutes)
    .venv/bin/python bench/fanout.py --quick    # 1,000 pushes to 200 chats
    .venv/bin/python bench/fanout.py --many     # only 30 chats × 10 pushes, and 60 × 5

The production bot (its pacer, its outbox sender) against the emulator with Telegram's flood
limits on and 50 ms per Bot API call. Ten liaisons registered through the bot's own form
send real commands (/mytasks, /help) all through the fan-out, 2 a second between them (one
each every 5 s: a private chat takes one message a second, so a liaison cannot be answered
faster than that). Prints a markdown table: messages/s against Telegram's 30/s, 429s,
duplicates, reply p50/p99/max, peak RSS; then 30 chats × 10 pushes queued chat by chat
(`--many` adds them queued in turn, and 60 × 5), where the per-chat limit is the bound.
Asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the e2e helpers

from bot.clock import SystemClock
from domain import registration
from domain.models import LiaisonKind, Role
from storage import outbox
from storage.outbox import Push
from tests.e2e.conftest import Office
from tgemu import Emulator, EmuUser

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=ZONE)
LATENCY = 0.05
TELEGRAM = 30
TALKERS = 10
REPLY_RATE = 2.0  # replies a second, all talkers together
COMMANDS = [("/mytasks", "本单位"), ("/help", "可用的功能")]
FIRST_CHAT = 100_000
PRIMARY = LiaisonKind.PRIMARY


async def seed_units(office: Office, units: int) -> None:
    stamp = NOW.isoformat()
    async with office.db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO units (id, name, kind, created_at, updated_at)"
            " VALUES (?, ?, '部门', ?, ?)",
            [(u, f"第{u}号单位", stamp, stamp) for u in range(1, units + 1)],
        )


async def seed_liaisons(office: Office, emu: Emulator, first: int, last: int) -> None:
    """The units' other liaisons, as if they had registered earlier."""
    stamp = NOW.isoformat()
    async with office.db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO people (tg_user_id, chat_id, role, unit_id, liaison_kind, name,"
            " created_at) VALUES (?, ?, 'liaison', ?, 'primary', ?, ?)",
            [(FIRST_CHAT + u, FIRST_CHAT + u, u, f"联络员{u}", stamp) for u in range(first, last)],
        )
    for u in range(first, last):
        emu.user(FIRST_CHAT + u, f"联络员{u}")._state.started = True  # they wrote to the bot


async def register_talkers(office: Office, emu: Emulator) -> list[EmuUser]:
    """Ten liaisons, each through the bot's registration form with an invitation the office
    issued (as `duban invite` does), all at once: each form is its own chat, and no
    supervisor is there yet to be told of them."""
    talkers = [emu.user(FIRST_CHAT + u, f"联络员{u}") for u in range(1, TALKERS + 1)]
    codes = [
        (await registration.create_invite(office.office, None, Role.LIAISON, u, PRIMARY))[0]
        for u in range(1, TALKERS + 1)
    ]
    pairs = enumerate(zip(talkers, codes, strict=True), 1)
    await asyncio.gather(*(office.register(t, c, f"联络员{u}") for u, (t, c) in pairs))
    return talkers


async def queue(office: Office, units: int, pushes: int, by_chat: bool = False) -> None:
    """`pushes` due rows, to units in turn (or, `by_chat`, all of one unit's first)."""
    stamp = NOW.isoformat()
    per_unit = pushes // units
    rows = [
        Push(
            f"bench:{n}",
            "bench",
            "push_todo",
            stamp,
            unit_id=1 + (n // per_unit if by_chat else n % units),
            context={"day": "2026-11-24", "unit": f"（第{n}条）", "entries": [], "more": 0},
            automatic=False,  # not held to working hours: the bench runs on the real clock
        )
        for n in range(pushes)
    ]
    async with office.db.transaction() as conn:
        await outbox.add_many(conn, rows, stamp)
    office.app.bot_data["services"].sender.wake()


async def talk(liaison: EmuUser, offset: float, stop: asyncio.Event, waits: list[float]) -> None:
    """One liaison: a command every TALKERS / REPLY_RATE seconds, timed to its answer."""
    every = TALKERS / REPLY_RATE
    await asyncio.sleep(offset)
    n = 0
    while not stop.is_set():
        command, answer = COMMANDS[n % len(COMMANDS)]
        asked = time.monotonic()
        await liaison.send(command)
        await liaison.expect(answer, timeout=60)
        waits.append(time.monotonic() - asked)
        n += 1
        await asyncio.sleep(max(0.0, asked + every - time.monotonic()))


async def sent(office: Office) -> int:
    return await office.scalar("SELECT count(*) FROM outbox WHERE state = 'sent'")


def duplicates(emu: Emulator, units: int, pushes: int, by_chat: bool) -> int:
    per_unit = pushes // units
    expected = Counter(
        FIRST_CHAT + 1 + (n // per_unit if by_chat else n % units) for n in range(pushes)
    )
    chats = Counter(
        int(c.params["chat_id"])
        for c in emu.calls_of("sendMessage")
        if c.ok and "今日待办" in str(c.params.get("text"))
    )
    return sum(max(0, chats[chat] - n) for chat, n in expected.items())


async def fan_out(units: int, pushes: int) -> dict[str, str]:
    async with Emulator(bot_username="bench_bot", rate_limits=True, latency=LATENCY) as emu:
        emu.group(-1001000, "领导群")
        with tempfile.TemporaryDirectory() as folder:
            office = Office(Path(folder), emu, SystemClock(ZONE), rate_limit=True)
            await office.start()
            await seed_units(office, units)
            talkers = await register_talkers(office, emu)
            await seed_liaisons(office, emu, TALKERS + 1, units + 1)
            before = (emu.stats["sent_messages"], emu.stats["429"])
            stop, waits = asyncio.Event(), []
            talking = [
                asyncio.create_task(talk(t, i / REPLY_RATE, stop, waits))
                for i, t in enumerate(talkers)
            ]
            started = time.monotonic()
            await queue(office, units, pushes)
            while await sent(office) < pushes:
                await asyncio.sleep(0.25)
            elapsed = time.monotonic() - started
            stop.set()
            await asyncio.gather(*talking)
            await office.stop()
        messages = emu.stats["sent_messages"] - before[0]
        waits.sort()
        return {
            "pushes": f"{pushes:,} to {units:,} chats",
            "seconds": f"{elapsed:.0f}",
            "msg/s (all)": f"{messages / elapsed:.1f} ({messages / elapsed / TELEGRAM:.2f} of 30)",
            "pushes/s": f"{pushes / elapsed:.1f}",
            "429s": str(emu.stats["429"] - before[1]),
            "duplicates": str(duplicates(emu, units, pushes, by_chat=False)),
            "replies": f"{len(waits)} ({len(waits) / elapsed:.1f}/s)",
            "reply p50/p99/max": "/".join(f"{q:.2f}" for q in quantiles(waits)) + " s",
            "peak RSS": f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB",
        }


def quantiles(waits: list[float]) -> tuple[float, float, float]:
    if len(waits) < 2:
        return (waits or [0.0])[0], (waits or [0.0])[0], (waits or [0.0])[0]
    cuts = statistics.quantiles(waits, n=100, method="inclusive")
    return cuts[49], cuts[98], waits[-1]


async def many_per_chat(chats: int, each: int, by_chat: bool) -> dict[str, str]:
    """Nobody talks; the per-chat limit (three in any three seconds) is the bound."""
    async with Emulator(bot_username="bench_bot", rate_limits=True, latency=LATENCY) as emu:
        emu.group(-1001000, "领导群")
        with tempfile.TemporaryDirectory() as folder:
            office = Office(Path(folder), emu, SystemClock(ZONE), rate_limit=True)
            await office.start()
            await seed_units(office, chats)
            await seed_liaisons(office, emu, 1, chats + 1)
            started = time.monotonic()
            await queue(office, chats, chats * each, by_chat=by_chat)
            while await sent(office) < chats * each:
                await asyncio.sleep(0.1)
            elapsed = time.monotonic() - started
            await office.stop()
        bound = (each - 1) // 3 * 3  # seconds the per-chat window needs, at the least
        return {
            "pushes": f"{chats} chats × {each}, queued {'chat by chat' if by_chat else 'in turn'}",
            "seconds": f"{elapsed:.1f} (per-chat bound {bound} s)",
            "msg/s (all)": f"{chats * each / elapsed:.1f}",
            "429s": str(emu.stats["429"]),
            "duplicates": str(duplicates(emu, chats, chats * each, by_chat)),
        }


def table(rows: list[dict[str, str]]) -> str:
    columns = list(dict.fromkeys(k for row in rows for k in row))
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(row.get(c, "") for c in columns) + " |" for row in rows]
    return "\n".join(lines)


async def run(quick: bool, many_only: bool) -> None:
    if not many_only:
        units, pushes = (200, 1_000) if quick else (2_000, 10_000)
        rows = [await fan_out(units, pushes)]
        print(f"fanout.py{' --quick' if quick else ''}: API latency {LATENCY * 1000:.0f} ms, "
              f"Telegram's limits on in the emulator, {TALKERS} liaisons talking\n")  # fmt: skip
        print(table(rows))
        print()
    many = [await many_per_chat(30, 10, True)]  # a chat's ten queued together: the hard case
    if many_only:
        many += [await many_per_chat(30, 10, False)]
        many += [await many_per_chat(60, 5, False), await many_per_chat(60, 5, True)]
    print(table(many))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--many", action="store_true", help="only the many-pushes-per-chat cases")
    args = parser.parse_args()
    asyncio.run(run(args.quick, args.many))


if __name__ == "__main__":
    main()

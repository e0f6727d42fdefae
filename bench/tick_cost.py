"""Tick cost: the production tick (bot/scheduler.tick) over 10,000 and 100,000 open assignments.

    .venv/bin/python bench/tick_cost.py            # 10,000 and 100,000
    .venv/bin/python bench/tick_cost.py --quick    # 10,000 only

Seeds a ledger directly (2,000 units; some items unsigned, some without 承办责任人, some with
a late report, every seventh key), starts the real PTB Application on the emulator, and
prints: the first tick of the working day (every assignment due) in seconds, with a
registered liaison's /mytasks reply p50/p99 while it runs (sent again as soon as each reply
comes); then the idle tick (nothing changed since) in ms, median of several, whole
`scheduler.tick` and the reminder part (`orchestrator.chase`) alone. Asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot import orchestrator, scheduler, services
from bot.app import build_application
from bot.app import start as start_bot
from bot.app import stop as stop_bot
from bot.clock import FakeClock
from bot.settings import Settings
from domain.items import Status
from domain.models import Period
from storage.db import Database
from tgemu import Emulator

TOKEN = "123456789:" + "B" * 35
TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=TZ)  # a Tuesday, in office hours
UNITS = 2000
LIAISON_TG = 50_001  # the liaison of unit 1, who keeps asking /mytasks
IDLE_RUNS = 9
# between a reply and the next command: the pacer keeps Telegram's one message a second per
# private chat (3 in any 3 s), so asking faster would measure that limit, not the bot
PAUSE = 1.0


def _item(i: int, rnd: random.Random) -> tuple:
    sent = NOW.date() - timedelta(days=rnd.randint(1, 60))
    deadline = NOW.date() + timedelta(days=rnd.randint(-20, 40))
    signed = rnd.random() < 0.8
    status = Status.IN_PROGRESS if signed else Status.AWAITING_SIGN
    period = rnd.choice(list(Period)).value
    stamp = NOW.isoformat()
    row = (i, f"事项{i}", period, deadline.isoformat(), sent.isoformat(), stamp, stamp)
    return (*row, int(i % 7 == 0), 2026, i, status), sent, signed


async def seed(db: Database, n: int) -> None:
    rnd = random.Random(n)
    stamp = NOW.isoformat()
    items, assigned, reports = [], [], []
    for i in range(1, n + 1):
        row, sent, signed = _item(i, rnd)
        items.append(row)
        unit = 1 + i % UNITS
        signed_at = (sent + timedelta(days=1)).isoformat() if signed else None
        responsible = stamp if signed and rnd.random() < 0.7 else None
        assigned.append((i, unit, signed_at, responsible))
        if signed and rnd.random() < 0.3:  # reported once, weeks ago: late since
            day = (NOW.date() - timedelta(days=rnd.randint(15, 40))).isoformat()
            reports.append((i, unit, f"p{i}", day))
    async with db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO units (id, name, kind, created_at, updated_at)"
            " VALUES (?, ?, '部门', ?, ?)",
            [(u, f"单位{u}", stamp, stamp) for u in range(1, UNITS + 1)],
        )
        await conn.execute(
            "INSERT INTO people (id, tg_user_id, chat_id, role, name, created_at)"
            " VALUES (1, 1, 1, 'supervisor', '督查员', ?)",
            (stamp,),
        )
        await conn.execute(
            "INSERT INTO people (id, tg_user_id, chat_id, role, unit_id, liaison_kind, name,"
            " created_at) VALUES (2, ?, ?, 'liaison', 1, 'primary', '联络员', ?)",
            (LIAISON_TG, LIAISON_TG, stamp),
        )
        await conn.executemany(
            "INSERT INTO items (id, title, instruction, instructing_leader, source, category,"
            " period, deadline, sent_at, created_at, updated_at, is_key, year, serial, status,"
            " created_by) VALUES (?, ?, '', '', '领导批示', '批办性', ?, ?, ?, ?, ?, ?, ?, ?,"
            " ?, 1)",
            items,
        )
        await conn.executemany(
            "INSERT INTO item_units (item_id, unit_id, role, signed_at, responsible_at)"
            " VALUES (?, ?, 'lead', ?, ?)",
            assigned,
        )
        await conn.executemany(
            "INSERT INTO reports (item_id, unit_id, person_id, kind, period_key, version,"
            " submitted_at) VALUES (?, ?, 2, 'progress', ?, 1, ?)",
            reports,
        )


async def replies_during(task: asyncio.Task, liaison) -> list[float]:
    """The liaison's /mytasks, again and again until the tick is done: seconds per reply."""
    waits = []
    while not task.done():
        liaison.mark()
        asked = time.perf_counter()
        await liaison.send("/mytasks")
        await liaison.expect("本单位督办事项", timeout=300)
        waits.append(time.perf_counter() - asked)
        await asyncio.sleep(PAUSE)  # reads the answer: Telegram allows a chat ~1 message/s
    return waits


async def drained(db: Database) -> None:
    while True:
        async with db.read() as conn:
            if not await conn.scalar("SELECT 1 FROM outbox WHERE state IN ('pending', 'sending')"):
                return
        await asyncio.sleep(0.5)


async def idle_ms(call) -> float:
    runs = []
    for _ in range(IDLE_RUNS):
        started = time.perf_counter()
        await call()
        runs.append((time.perf_counter() - started) * 1000)
    return statistics.median(runs)


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


async def run(n: int) -> None:
    emu = Emulator(bot_username="bench_bot")
    await emu.start()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            token=TOKEN,
            db=Path(folder) / "bench.db",
            api_url=emu.base_url,
            file_url=emu.base_file_url,
            tick_seconds=0,  # the bench runs the tick itself
        )
        db = await Database(settings.db).open()
        await seed(db, n)
        app = build_application(settings, db, FakeClock(NOW))
        liaison = emu.user(LIAISON_TG, "联络员")
        await start_bot(app, poll_timeout=1)
        quiet = await replies_during(asyncio.create_task(asyncio.sleep(1)), liaison)
        started = time.perf_counter()
        first = asyncio.create_task(scheduler.tick(app))
        waits = await replies_during(first, liaison)
        queued = await first
        first_s = time.perf_counter() - started
        svc = services.of(app)
        await drained(db)  # the idle tick measured alone, not against the sender
        whole = await idle_ms(lambda: scheduler.tick(app))
        chase = await idle_ms(lambda: orchestrator.chase(svc.office, svc.rules, NOW.date()))
        await stop_bot(app)
        await db.close()
    await emu.stop()
    print(
        f"{n:>7} assignments  first tick {first_s:6.2f} s (queued {queued})"
        f"  /mytasks during it p50 {statistics.median(waits):.3f} s p99 {p99(waits):.3f} s"
        f" ({len(waits)} replies; {statistics.median(quiet):.3f} s with no tick)\n"
        f"{'':>7} idle tick {whole:6.2f} ms (reminders alone {chase:5.2f} ms)"
        f"  idle/first {whole / 1000 / first_s:.5f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="10,000 assignments only")
    sizes = [10_000] if parser.parse_args().quick else [10_000, 100_000]
    for n in sizes:
        asyncio.run(run(n))


if __name__ == "__main__":
    main()

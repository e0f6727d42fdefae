"""Fan-out: 2,000 units, 10,000 due pushes, through the emulator with Telegram's limits on.

    .venv/bin/python bench/fanout.py            # the full run (about 7 minutes at 25/s)
    .venv/bin/python bench/fanout.py --quick    # 200 units, 1,000 pushes

Prints messages/s achieved against the configured limit, 429s received (must be 0),
duplicates (must be 0), how long one interactive reply took in the middle of the fan-out,
and peak memory. Asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import tempfile
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.app import build_application
from bot.app import start as start_bot
from bot.app import stop as stop_bot
from bot.clock import FakeClock
from bot.settings import Settings
from storage import outbox
from storage.db import Database
from storage.outbox import Push
from tgemu import Emulator

TOKEN = "123456789:" + "B" * 35
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
LIMIT = 25.0


async def seed(db: Database, emu: Emulator, units: int, pushes: int) -> None:
    stamp = NOW.isoformat()
    async with db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO units (id, name, kind, created_at, updated_at)"
            " VALUES (?, ?, '部门', ?, ?)",
            [(u, f"单位{u}", stamp, stamp) for u in range(1, units + 1)],
        )
        await conn.executemany(
            "INSERT INTO people (tg_user_id, chat_id, role, unit_id, liaison_kind, name,"
            " created_at) VALUES (?, ?, 'liaison', ?, 'primary', ?, ?)",
            [(10_000 + u, 10_000 + u, u, f"联络员{u}", stamp) for u in range(1, units + 1)],
        )
        rows = [
            Push(
                f"bench:{n}",
                "bench",
                "push_sign",
                stamp,
                unit_id=1 + n % units,
                context={
                    "serial": f"督办〔2026〕{n}号",
                    "title": "事项",
                    "unit": "单位",
                    "since": "2026-11-20",
                    "workdays": 2,
                    "is_key": False,
                },
            )
            for n in range(pushes)
        ]
        await outbox.add_many(conn, rows, stamp)
    for u in range(1, units + 1):
        emu.user(10_000 + u, f"联络员{u}")._state.started = True  # they have written before


async def run(units: int, pushes: int) -> None:
    emu = Emulator(bot_username="bench_bot", rate_limits=True)
    await emu.start()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            token=TOKEN,
            db=Path(folder) / "bench.db",
            api_url=emu.base_url,
            file_url=emu.base_file_url,
            tick_seconds=0,
        )
        db = await Database(settings.db).open()
        await seed(db, emu, units, pushes)
        app = build_application(settings, db, FakeClock(NOW))
        stranger = emu.user(1, "路人")
        started = time.monotonic()
        await start_bot(app, poll_timeout=1, pace={"overall_per_sec": LIMIT})
        reply_wait = None
        while True:
            sent = emu.stats["sent_messages"]
            if reply_wait is None and sent >= pushes // 2:
                asked = time.monotonic()
                await stranger.send("/help")
                await stranger.expect("督查室", timeout=30)
                reply_wait = time.monotonic() - asked
            if sent >= pushes + 1:
                break
            await asyncio.sleep(0.2)
        elapsed = time.monotonic() - started
        await stop_bot(app)
        await db.close()
    chats = Counter(int(c.params["chat_id"]) for c in emu.calls_of("sendMessage") if c.ok)
    expected = Counter(10_000 + 1 + n % units for n in range(pushes))
    duplicates = sum(max(0, chats[chat] - n) for chat, n in expected.items())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"units {units}, pushes {pushes}: {pushes / elapsed:.1f} msg/s (limit {LIMIT:.0f}/s)"
        f" in {elapsed:.0f} s; 429s {emu.stats['429']}; duplicates {duplicates};"
        f" interactive reply mid-fan-out {reply_wait:.2f} s; peak RSS {peak:.0f} MiB"
    )
    await emu.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    asyncio.run(run(200, 1_000) if args.quick else run(2_000, 10_000))


if __name__ == "__main__":
    main()

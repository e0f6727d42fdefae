"""The outbox under faults: 2,000 pushes through the production sender while Telegram fails.

    .venv/bin/python bench/faults.py            # 2,000 pushes to 200 chats (about 2 minutes)
    .venv/bin/python bench/faults.py --quick    # 400 pushes to 40 chats, the 502 twice

The real PTB Application and Sender on the real clock (retries wait real seconds), against the
emulator with Telegram's limits on and keep-alive connections, during the fan-out: a 429 with
retry_after, 500 and 502 on some chats, a 7 s hang, connections refused for 4 s, a user who
blocked the bot, a "message is too long" and a chat that does not exist. Prints delivered,
duplicated, lost, uncertain, failed (final) and the seconds the queue took to drain after the
refusal ended. Asserts nothing (tests/e2e/test_faults.py does, on 242 pushes).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import tempfile
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.app import build_application
from bot.app import start as start_bot
from bot.app import stop as stop_bot
from bot.settings import Settings
from storage import outbox
from storage.db import Database
from storage.outbox import Push
from tgemu import Emulator

TOKEN = "123456789:" + "F" * 35
FIRST = 20_000  # chat of push n: FIRST + n % chats
GHOST = 29_999  # never wrote to the bot
HUNG, LIMITED, DOWN_500, DOWN_502, TOO_LONG, BLOCKED = (FIRST + k for k in range(6))
NUMBER = re.compile(r"第(\d+)条")


def push(n: int, chat_id: int, now: str) -> Push:
    return Push(
        f"faults:{n}",
        "bench",
        "push_unreachable",
        now,
        chat_id=chat_id,
        context={"unit": "单位", "person": f"第{n}条", "phone": "1"},
        automatic=False,
    )


async def seed(db: Database, emu: Emulator, chats: int, pushes: int) -> None:
    for k in range(chats):
        emu.user(FIRST + k, f"收件人{k}")._state.started = True  # they have written before
    now = datetime.now(ZoneInfo("Asia/Shanghai")).isoformat()
    rows = [push(n, FIRST + n % chats, now) for n in range(pushes)]
    rows += [push(pushes + i, GHOST, now) for i in range(2)]
    async with db.transaction() as conn:
        await outbox.add_many(conn, rows, now)


def inject(emu: Emulator, quick: bool) -> None:
    """The faults; `quick` (run_all) lets the 502 chat fail twice, not three times: its
    backoff (2 + 4 + 8 s, each found up to 5 s late) was most of the quick run's drain."""
    emu.hang_next("sendMessage", 7, chat_id=HUNG)
    emu.fail_next("sendMessage", 429, "Too Many Requests: retry after 2", chat_id=LIMITED,
                  retry_after=2)  # fmt: skip
    emu.fail_next("sendMessage", 500, "Internal Server Error", chat_id=DOWN_500, times=2)
    emu.fail_next("sendMessage", 502, "Bad Gateway", chat_id=DOWN_502, times=2 if quick else 3)
    emu.fail_next("sendMessage", 400, "Bad Request: message is too long", chat_id=TOO_LONG)
    emu.view(BLOCKED).block()


async def unsettled(db: Database) -> int:
    async with db.read() as conn:
        return await conn.scalar(
            "SELECT count(*) FROM outbox WHERE state IN ('pending', 'sending')"
        )


async def run(chats: int, pushes: int, quick: bool = False) -> None:
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
        await seed(db, emu, chats, pushes)
        inject(emu, quick)
        app = build_application(settings, db)  # the real clock: retries wait real seconds
        started = time.monotonic()
        await start_bot(app, poll_timeout=1)
        await emu.wait_until(lambda: emu.stats["sent_messages"] >= pushes // 3, 600)
        await emu.refuse_for(4)
        cleared, cleared_at = time.monotonic(), time.time()
        while await unsettled(db):
            await asyncio.sleep(0.2)
        drained = time.monotonic() - cleared
        total = time.monotonic() - started
        await emu.settle(timeout=10)  # the hung request lands, late
        async with db.read() as conn:
            rows = await conn.all("SELECT dedupe_key, chat_id, state, attempts FROM outbox")
        states = {int(r["dedupe_key"][7:]): r["state"] for r in rows}
        tries = Counter(r["attempts"] for r in rows)
        await stop_bot(app)
        await db.close()
    arrivals = [
        (int(NUMBER.search(c.params["text"])[1]), c.at) for c in emu.calls_of("sendMessage") if c.ok
    ]
    arrived = Counter(n for n, _ in arrivals)
    refused = {  # retried, on a chat with no fault of its own: met the refusal
        int(r["dedupe_key"][7:])
        for r in rows
        if r["attempts"] > 1 and r["chat_id"] not in (LIMITED, DOWN_500, DOWN_502)
    }
    caught_up = max(at for n, at in arrivals if n in refused) - cleared_at
    final = Counter(states.values())
    lost = [n for n, s in states.items() if s not in ("failed", "dropped") and not arrived[n]]
    print(
        f"pushes {len(states)} to {chats + 1} chats: delivered {len(arrived)},"
        f" duplicated {sum(1 for t in arrived.values() if t > 1)}, lost {len(lost)},"
        f" uncertain {final['uncertain']}, failed(final) {final['failed']};"
        f" {len(refused)} refused pushes caught up {caught_up:.1f} s and the queue drained"
        f" {drained:.1f} s after the refusal ended; {total:.0f} s in all;"
        f" 429s {emu.stats['429']} (1 injected); rows by attempts {sorted(tries.items())}"
    )
    await emu.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    asyncio.run(run(40, 400, quick=True) if args.quick else run(200, 2_000))


if __name__ == "__main__":
    main()

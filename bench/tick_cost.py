"""Tick cost: how long deciding what is due takes over 10,000 and 100,000 items.

    .venv/bin/python bench/tick_cost.py [--sizes 10000 100000]

Builds a database of items in every chased situation (unsigned, no 承办责任人, reports
missing, near the deadline, overdue), then times the three parts of a tick: loading the
ledger state, running the rules, and writing the outbox (first tick, then a second tick
that must add nothing). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from domain import policy
from domain.models import Period
from domain.reminders import CHASED
from domain.workdays import WorkdayCalendar
from storage import ledger_state, outbox
from storage.db import Database
from storage.outbox import Push

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=TZ)
UNITS = 2000


async def build(db: Database, n: int) -> None:
    rnd = random.Random(n)
    stamp = NOW.isoformat()
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
        items, assigned = [], []
        for i in range(1, n + 1):
            sent = NOW.date() - timedelta(days=rnd.randint(1, 60))
            deadline = NOW.date() + timedelta(days=rnd.randint(-20, 40))
            period = rnd.choice(list(Period)).value
            items.append(
                (
                    i,
                    f"事项{i}",
                    period,
                    deadline.isoformat(),
                    sent.isoformat(),
                    stamp,
                    i % 7 == 0,
                    2026,
                    i,
                )
            )
            signed = sent + timedelta(days=1) if rnd.random() < 0.8 else None
            responsible = stamp if signed and rnd.random() < 0.7 else None
            assigned.append((i, rnd.randint(1, UNITS), signed and signed.isoformat(), responsible))
        await conn.executemany(
            "INSERT INTO items (id, title, instruction, instructing_leader, source, category,"
            " period, deadline, sent_at, created_at, updated_at, is_key, year, serial, status,"
            " created_by) VALUES (?, ?, '', '', '领导批示', '批办性', ?, ?, ?, ?, ?, ?, ?, ?,"
            " '办理中', 1)",
            [(i, t, p, d, s, c, c, k, y, n_) for i, t, p, d, s, c, k, y, n_ in items],
        )
        await conn.executemany(
            "INSERT INTO item_units (item_id, unit_id, role, signed_at, responsible_at)"
            " VALUES (?, ?, 'lead', ?, ?)",
            assigned,
        )


async def tick(db: Database, cal: WorkdayCalendar) -> tuple[float, float, float, int, int]:
    t0 = time.perf_counter()
    async with db.read() as conn:
        found = await ledger_state.assignments(conn, CHASED, lambda y, n, i, code: f"{y}-{n}")
    t1 = time.perf_counter()
    today = NOW.date()
    decided = policy.decide(found, {}, today, cal, policy.Rules())  # a copy: no history
    t2 = time.perf_counter()
    stamp = NOW.isoformat()
    pushes = [
        Push(
            f"{s.action}:{s.need.key}",
            "todo",
            "push_todo",
            stamp,
            s.need.item_id,
            s.need.unit_id,
            context=s.need.context,
        )
        for s in decided
    ]
    async with db.transaction() as conn:
        added = await outbox.add_many(conn, pushes, stamp)
    t3 = time.perf_counter()
    return t1 - t0, t2 - t1, t3 - t2, len(decided), added


async def run(n: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        async with Database(Path(folder) / "bench.db") as db:
            await build(db, n)
            cal = WorkdayCalendar()
            cal.is_workday(date(2026, 1, 1))  # warm the calendar
            load, rules, write, decided, added = await tick(db, cal)
            print(
                f"{n:>7} items  load {load:6.2f}s  rules {rules:6.2f}s  "
                f"outbox {write:6.2f}s  total {load + rules + write:6.2f}s  "
                f"decided {decided}  queued {added}"
            )
            load, rules, write, decided, added = await tick(db, cal)
            print(
                f"{'':>7} second tick: total {load + rules + write:6.2f}s, queued {added} "
                "(must be 0)"
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    for n in parser.parse_args().sizes:
        asyncio.run(run(n))


if __name__ == "__main__":
    main()

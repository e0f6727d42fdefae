"""Plan cost: reading, importing and viewing a 大事要事 plan of 500 and 2,000 target rows.

    .venv/bin/python bench/plan_cost.py [--sizes 500 2000]

Times the sheet reader (openpyxl + every check), the first import (tasks, targets,
milestones, one item with its rendered letter and one outbox row per target, all in one
transaction), a second import of the same sheet (must change nothing), the /plan year view,
and the reminder rules over the resulting items. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import datetime
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import Workbook

from bot.app import make_office
from bot.clock import FakeClock
from bot.render import Renderer
from bot.settings import Settings
from domain import policy
from domain.plan import actions as plan
from domain.plan import sheet as plan_sheet
from domain.plan import views as plan_views
from domain.reminders import CHASED
from handlers.notify import fix_letters
from storage import ledger_state
from storage.db import Database

TZ = ZoneInfo("Asia/Shanghai")
UNITS = 60
SHAPES = (
    ("年度", None, None, None),
    ("年内", "2026-05-01", "2026-09-30", None),
    ("跨年度", None, None, "2026-12-31 一期；2027-12-31 二期；2028-12-31 三期"),
)


def sheet(n: int) -> bytes:
    book = Workbook()
    book.active.append(list(plan_sheet.ALL_COLUMNS))
    for i in range(n):
        task = f"T{i // 10:04d}"
        shape, start, deadline, milestones = SHAPES[i % 3]
        first = i % 10 == 0
        book.active.append(
            [
                task,
                f"任务{task}" if first else None,
                "批办性" if i % 20 < 10 else "指导性",
                f"领导{i % 7}" if first else None,
                f"单位{i % UNITS}" if first else None,
                "是" if first and i % 50 == 0 else None,
                f"{task}-{i % 10:02d}",
                f"目标{i}",
                f"单位{(i * 7) % UNITS}",
                (i % 97) + 1 if i % 4 else None,
                "亿元" if i % 4 else None,
                shape,
                start,
                deadline,
                milestones,
                "每月",
                None,
            ]
        )
    data = BytesIO()
    book.save(data)
    return data.getvalue()


async def run(n: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        async with Database(Path(folder) / "bench.db") as db:
            clock = FakeClock(datetime(2026, 6, 15, 10, 0, tzinfo=TZ))
            settings = Settings(db=Path(folder) / "bench.db")
            svc = make_office(settings, db, clock, Renderer())
            office, fixed = svc.office, fix_letters(svc)  # letters rendered too, as in the bot
            stamp = clock.now().isoformat()
            async with db.transaction() as conn:
                await conn.executemany(
                    "INSERT INTO units (id, name, kind, created_at, updated_at)"
                    " VALUES (?, ?, '部门', ?, ?)",
                    [(u + 1, f"单位{u}", stamp, stamp) for u in range(UNITS)],
                )
                await conn.execute(
                    "INSERT INTO people (tg_user_id, chat_id, role, name, created_at)"
                    " VALUES (1, 1, 'supervisor', '督查员', ?)",
                    (stamp,),
                )
            data = sheet(n)
            lookup = {f"单位{u}": u + 1 for u in range(UNITS)}
            t0 = time.perf_counter()
            parsed = plan_sheet.load(data, lookup, 2026)
            t1 = time.perf_counter()
            first = await plan.import_plan(office, None, parsed, fixed)
            t2 = time.perf_counter()
            again = await plan.import_plan(office, None, parsed, fixed)
            t3 = time.perf_counter()
            tasks = await plan_views.year_plan(office, 2026)
            t4 = time.perf_counter()
            clock.set(datetime(2026, 6, 25, 10, 0, tzinfo=TZ))  # a week on: signing is late
            async with db.read() as conn:
                found = await ledger_state.assignments(conn, CHASED, lambda *_: "")
            decided = policy.decide(found, {}, clock.today(), office.calendar, policy.Rules())
            t5 = time.perf_counter()
    print(
        f"{n:>6} rows  read {t1 - t0:6.2f}s  import {t2 - t1:6.2f}s"
        f" ({first.targets_new} items)  re-import {t3 - t2:6.2f}s"
        f" (unchanged {again.unchanged})  /plan view {t4 - t3:6.2f}s ({len(tasks)} tasks)"
        f"  tick rules {t5 - t4:5.2f}s ({len(decided)} due)"
    )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000])
    for n in parser.parse_args().sizes:
        await run(n)


if __name__ == "__main__":
    asyncio.run(main())

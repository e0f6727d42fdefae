"""Plan cost: reading, importing and viewing a 大事要事 plan of 500 and 2,000 target rows, now
and before (the per-target import), measured in the same run.

    .venv/bin/python bench/plan_cost.py [--sizes 500 2000] [--before REV | --no-before]

Each step runs the production code path: the sheet reader (openpyxl + every check), the first
import (tasks, targets, milestones, one item with its letter rendered by the bot's own
`fix_letters` and one outbox row per target, all in one transaction), a second import of the
same sheet (changes nothing), the /plan year view, and the reminder rules over the new items.
For each step it counts the SQL statements issued (one per row of an executemany) and the round
trips to aiosqlite's database thread (every call that waits for that thread).

"Before" is the same measurement on the tree of git revision REV (default: the last commit
with the per-target import), extracted with `git archive` and run in a child process. Prints a
markdown table; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

import aiosqlite
from openpyxl import Workbook

TZ = ZoneInfo("Asia/Shanghai")
UNITS = 60
BEFORE = "64f2b62"  # issue 15: the import issued a few statements per target
ROOT = Path(__file__).resolve().parent.parent
SHAPES = (
    ("年度", None, None, None),
    ("年内", "2026-05-01", "2026-09-30", None),
    ("跨年度", None, None, "2026-12-31 一期；2027-12-31 二期；2028-12-31 三期"),
)
STEPS = ("read sheet", "import", "re-import", "/plan view", "tick rules")


def sheet(n: int) -> bytes:
    book = Workbook()
    from domain.plan import sheet as plan_sheet

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


class Counter:
    """Statements and round trips, counted where the bot issues them: every call that waits
    for aiosqlite's thread is a round trip; an execute is one statement and an executemany one
    per row. (SQLite's trace callback would count the triggers' statements too, but calling
    back into Python from the database thread for each of them costs as much as the import it
    measures, so the figures would not be the bot's.)"""

    STATEMENTS = frozenset({"execute", "_execute_fetchall", "execute_insert"})

    def __init__(self) -> None:
        self.statements = 0
        self.trips = 0
        real = aiosqlite.Connection._execute  # every call that waits for the thread

        async def counted(conn, fn, *args, **kwargs):
            self.trips += 1
            name = getattr(fn, "__name__", "")
            if name == "executemany" and len(args) > 1:
                rows = list(args[1])  # a generator is read once, here, and passed on
                args = (args[0], rows, *args[2:])
                self.statements += len(rows)
            elif name in self.STATEMENTS:
                self.statements += 1
            elif args and isinstance(args[0], sqlite3.Connection):  # storage.db.in_thread
                args = (_Counted(args[0], self), *args[1:])
            return await real(conn, fn, *args, **kwargs)

        aiosqlite.Connection._execute = counted

    def take(self) -> tuple[int, int]:
        found = (self.statements, self.trips)
        self.statements = self.trips = 0
        return found


class _Counted:
    """The plain connection handed to work done in one trip (items and their units, a batch):
    its statements count as the others do."""

    def __init__(self, raw: sqlite3.Connection, counter: Counter) -> None:
        self.raw, self.counter = raw, counter

    def execute(self, sql: str, params=()):
        self.counter.statements += 1
        return self.raw.execute(sql, params)

    def __getattr__(self, name: str):
        return getattr(self.raw, name)


async def _seed(db) -> None:
    stamp = datetime(2026, 6, 15, 10, 0, tzinfo=TZ).isoformat()
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


async def measure(n: int) -> dict[str, list]:
    """{step: [seconds, CPU seconds, statements, round trips]} on the code importable from
    sys.path."""
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

    found: dict[str, list] = {}
    count = Counter()
    with tempfile.TemporaryDirectory() as folder:
        async with Database(Path(folder) / "bench.db") as db:
            clock = FakeClock(datetime(2026, 6, 15, 10, 0, tzinfo=TZ))
            svc = make_office(Settings(db=Path(folder) / "bench.db"), db, clock, Renderer())
            office, fixed = svc.office, fix_letters(svc)  # letters rendered, as in the bot
            await _seed(db)
            data = sheet(n)
            lookup = {f"单位{u}": u + 1 for u in range(UNITS)}
            _as_started()
            count.take()

            async def step(name: str, work):
                t0, c0 = time.perf_counter(), time.process_time()
                result = await work()
                cpu = time.process_time() - c0  # every thread of the process
                found[name] = [time.perf_counter() - t0, cpu, *count.take()]
                return result

            async def read():
                return plan_sheet.load(data, lookup, 2026)

            parsed = await step("read sheet", read)
            await step("import", lambda: plan.import_plan(office, None, parsed, fixed))
            again = await step("re-import", lambda: plan.import_plan(office, None, parsed, fixed))
            assert again.unchanged == n, "the re-import changed something"
            await step("/plan view", lambda: plan_views.year_plan(office, 2026))
            clock.set(datetime(2026, 6, 25, 10, 0, tzinfo=TZ))  # a week on: signing is late

            async def rules():
                async with db.read() as conn:
                    due = await ledger_state.assignments(conn, CHASED, lambda *_: "")
                return policy.decide(due, {}, clock.today(), office.calendar, policy.Rules())

            await step("tick rules", rules)
    return found


def _as_started() -> None:
    """What the bot's start does once it is ready (`bot.app.keep_what_start_made`), where the
    code measured has it (the tree before does not)."""
    try:
        from bot.app import keep_what_start_made
    except ImportError:
        return
    keep_what_start_made()


def before(rev: str, sizes: list[int]) -> dict[int, dict[str, list]] | str:
    """The same measurement on the tree of `rev`, in a child process; or why it could not run."""
    with tempfile.TemporaryDirectory() as folder:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", rev], capture_output=True, check=False
        )
        if archive.returncode != 0:
            return archive.stderr.decode(errors="replace").strip() or "git archive failed"
        subprocess.run(["tar", "-x", "-C", folder], input=archive.stdout, check=True)
        env = {**os.environ, "PYTHONPATH": folder}
        sizes_args = [str(n) for n in sizes]
        child = subprocess.run(
            [sys.executable, __file__, "--child", "--sizes", *sizes_args],
            capture_output=True,
            text=True,
            env=env,
            cwd=folder,
            check=False,
        )
    if child.returncode != 0:
        return child.stderr.strip().splitlines()[-1] if child.stderr else "failed"
    return {int(k): v for k, v in json.loads(child.stdout).items()}


def table(now: dict[int, dict[str, list]], old: dict[int, dict[str, list]] | str, rev: str):
    print(f"plan_cost.py — now vs before ({rev}, the per-target import), same run\n")
    print(
        "| rows | step | s now | s before | CPU s now | CPU s before"
        " | statements now | before | round trips now | before |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n, steps in now.items():
        for name in STEPS:
            a = steps[name]
            b = old[n][name] if isinstance(old, dict) else ["–"] * 4
            cells = [
                f"{a[0]:.2f}",
                _shown(b[0]),
                f"{a[1]:.2f}",
                _shown(b[1]),
                a[2],
                b[2],
                a[3],
                b[3],
            ]
            print(f"| {n} | {name} | " + " | ".join(str(c) for c in cells) + " |")
    print(
        "\nStatements are those the code issued (one per row of an `executemany`; the triggers"
        " they fire are not counted); round trips are calls that wait for aiosqlite's thread."
        " CPU s counts every thread of the process:"
        " on a shared machine it moves less than the wall clock."
    )
    if isinstance(old, str):
        print(f"\nbefore: not measured ({old})")


def _shown(value) -> str:
    return f"{value:.2f}" if isinstance(value, float) else str(value)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000])
    parser.add_argument("--before", default=BEFORE, help="git revision to compare with")
    parser.add_argument("--no-before", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:  # run on another tree by `before`: figures as JSON
        print(json.dumps({n: await measure(n) for n in args.sizes}))
        return
    old = "--no-before" if args.no_before else before(args.before, args.sizes)
    now = {n: await measure(n) for n in args.sizes}
    table(now, old, args.before)


if __name__ == "__main__":
    if "--child" not in sys.argv:
        sys.path.insert(0, str(ROOT))
    else:
        sys.path[0] = os.environ["PYTHONPATH"]  # the other tree, not this file's folder
    asyncio.run(main())

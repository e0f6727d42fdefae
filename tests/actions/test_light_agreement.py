"""Every view shows the same light for each item and target, over a few hundred of them in
every state on a real database: /items and /item (queries.lights), /plan and the quarterly
post (plan_views), the weekly summary and the ledger workbook (both sheets).

Targets are imported as the office imports them; states (status, 签收, reports, quantities)
are then written straight through the storage functions, where the UI would take hours.
"""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from bot import ledger_xlsx
from domain import queries, summaries
from domain.items import DRAFTS, IN_WORK, Status
from domain.models import Category, Draft, Period, Source
from domain.plan import actions as plan
from domain.plan import views as plan_views
from domain.plan.rules import Milestone, Shape
from domain.plan.sheet import Plan, TargetRow, TaskRow
from domain.traffic import Light
from storage import items, reports
from tests.letters import letter_fixed

TODAY = date(2026, 11, 24)  # the storage fixtures' clock
# (shape, start, deadline, milestones): far, near, past (a late import), a window not yet
# open, a multi-year target, and next year's target (its time has not begun)
DATES = [
    (Shape.YEARLY, None, date(2026, 12, 31), ()),
    (Shape.WITHIN_YEAR, None, date(2026, 11, 26), ()),
    (Shape.WITHIN_YEAR, None, date(2026, 5, 31), ()),
    (Shape.WITHIN_YEAR, date(2026, 12, 1), date(2026, 12, 20), ()),
    (
        Shape.MULTI_YEAR,
        None,
        date(2027, 12, 31),
        (Milestone(date(2026, 12, 31), "一期"), Milestone(date(2027, 12, 31), "二期")),
    ),
    (Shape.YEARLY, None, date(2027, 12, 31), ()),
]
QUANTITIES = [None, Decimal(100)]
REACHED = [None, 10, 60, 95]  # quantity, or % for a target without one
TARGET_STATUSES = [
    Status.AWAITING_SIGN,
    Status.IN_PROGRESS,
    Status.UNDER_REVIEW,
    Status.SUSPENDED,
    Status.CLOSED,
    Status.REVISITING,
    Status.CANCELLED,
]
ITEM_DEADLINES = [date(2026, 10, 1), date(2026, 11, 26), date(2026, 12, 31)]
ITEM_STATUSES = list(Status)
REPORTING = ["unsigned", "silent", "on time"]


async def _targets(office, sup, unit_ids) -> None:
    rows = []
    combos = itertools.product(DATES, QUANTITIES, REACHED, TARGET_STATUSES)
    for n, ((shape, start, deadline, ms), quantity, _, _) in enumerate(combos):
        rows.append(
            TargetRow(
                2,
                f"P{n // 20}",
                f"P{n // 20}-{n:03d}",
                f"目标{n:03d}",
                unit_ids.housing if n % 2 else unit_ids.transport,
                quantity,
                "个" if quantity else "",
                shape,
                start,
                deadline,
                ms,
                Period.MONTHLY,
                n % 5 == 0,
            )
        )
    tasks = tuple(
        TaskRow(2, f"P{k}", f"任务{k}", Category.ORDER, "赵主任", unit_ids.housing, k % 4 == 0)
        for k in range(len(rows) // 20 + 1)
    )
    await plan.import_plan(office, sup, Plan(tasks, tuple(rows)), then=letter_fixed)


async def _target_states(office, sup) -> None:
    combos = list(itertools.product(DATES, QUANTITIES, REACHED, TARGET_STATUSES))
    async with office.db.transaction() as conn:
        for n, (_, quantity, reached, status) in enumerate(combos):
            row = await conn.one(
                "SELECT id FROM items WHERE plan_code = ?", (f"P{n // 20}-{n:03d}",)
            )
            item = await items.get(conn, row["id"])
            unit = item.lead.unit_id
            await conn.execute("UPDATE items SET status = ? WHERE id = ?", (status, item.id))
            if status == Status.AWAITING_SIGN:
                continue
            await items.sign(conn, item.id, unit, sup.id, "2026-02-02T10:00:00+08:00")
            if reached is None and n % 3:
                continue  # signed, nothing reported: behind on its monthly reports
            when = "2026-11-02T10:00:00+08:00" if n % 3 else "2026-06-01T10:00:00+08:00"
            await reports.insert(
                conn,
                item_id=item.id,
                unit_id=unit,
                person_id=sup.id,
                kind="progress",
                period_key=when[:7],
                now=when,
                progress="进展",
                percent=None if quantity or reached is None else reached,
                quantity=str(reached) if quantity and reached is not None else None,
            )


async def _plain_items(office, sup, unit_ids) -> None:
    combos = itertools.product(ITEM_DEADLINES, ITEM_STATUSES, REPORTING, (False, True))
    async with office.db.transaction() as conn:
        for n, (deadline, status, reporting, key) in enumerate(combos):
            draft = Draft(
                title=f"事项{n:03d}",
                instruction="按期办理",
                instructing_leader="王书记",
                source=Source.INSTRUCTION,
                category=Category.ORDER,
                lead_unit_id=unit_ids.housing,
                co_unit_ids=(unit_ids.transport,) if n % 2 else (),
                deadline=deadline,
                period=Period.WEEKLY,
                is_key=key,
            )
            item_id = await items.insert(conn, draft, status=status, created_by=sup.id, now="x")
            if status in DRAFTS:
                continue
            await conn.execute(
                "UPDATE items SET sent_at = ? WHERE id = ?", ("2026-09-01T10:00:00+08:00", item_id)
            )
            if reporting == "unsigned":
                continue
            for unit in (unit_ids.housing, unit_ids.transport)[: 1 + n % 2]:
                await items.sign(conn, item_id, unit, sup.id, "2026-09-02T10:00:00+08:00")
                if reporting == "on time":
                    day = TODAY - timedelta(days=1)
                    await reports.insert(
                        conn,
                        item_id=item_id,
                        unit_id=unit,
                        person_id=sup.id,
                        kind="progress",
                        period_key=day.isoformat(),
                        now=f"{day.isoformat()}T10:00:00+08:00",
                        progress="按计划推进",
                    )


@pytest.fixture
async def ledger(office, enrol, unit_ids):
    sup = await enrol.supervisor()
    await _targets(office, sup, unit_ids)
    await _target_states(office, sup)
    await _plain_items(office, sup, unit_ids)
    async with office.db.read() as conn:
        rows = await conn.all("SELECT id, title, plan_code, status, sent_at FROM items")
    return {r["title"]: r for r in rows}


def _shown(cell) -> Light | None:
    return None if cell in ("—", "未开始") else Light(cell)


async def test_every_view_shows_each_item_and_target_in_the_same_light(office, ledger):
    lit = await queries.lights(office)  # what /items and /item show
    by_title = {title: lit.get(r["id"]) for title, r in ledger.items()}
    targets = {r["plan_code"]: lit.get(r["id"]) for r in ledger.values() if r["plan_code"]}
    plain = [v for t, v in by_title.items() if t.startswith("事项")]
    assert len(targets) == 6 * 2 * 4 * 7 and len(plain) == 3 * len(Status) * 3 * 2
    for found in (targets.values(), plain):  # every light and "nothing to judge" occur
        assert {Light.RED, Light.YELLOW, Light.GREEN, None} <= set(found)

    # /plan, /plan 编号, the quarterly post
    every = await plan_views.every_year(office)
    shown = {g.code: g.light for t in every for g in t.targets}
    assert shown == targets
    this_year = await plan_views.year_plan(office, 2026)
    expected = Counter(str(g.light) if g.light else "未开始" for t in this_year for g in t.targets)
    assert plan_views.tally(this_year) == {
        k: expected.get(k, 0) for k in ("红", "黄", "绿", "未开始")
    }

    # the weekly summary: the counts and every key item's line
    week = await summaries.weekly(office, "2026-11-17T10:00:00+08:00")
    in_work = [r for r in ledger.values() if r["status"] in IN_WORK and r["sent_at"]]
    counted = Counter(str(lit[r["id"]]) if lit[r["id"]] else "未开始" for r in in_work)
    assert week.by_light == {k: counted.get(k, 0) for k in ("红", "黄", "绿", "未开始")}
    assert week.key_items and all(line.light == by_title[line.title] for line in week.key_items)
    assert all(line.light is Light.RED for line in week.overdue)

    # the ledger workbook: the items sheet (a row per item and unit) and the plan sheet
    book = load_workbook(
        BytesIO(await ledger_xlsx.build(office, await queries.ledger(office, system=True)))
    )
    sheet = list(book["督办台账"].iter_rows(min_row=2, values_only=True))
    assert len({row[1] for row in sheet}) == len(ledger)
    assert all(_shown(row[13]) == by_title[row[1]] for row in sheet)
    plan_sheet = list(book["大事要事"].iter_rows(min_row=2, values_only=True))
    assert {row[4]: _shown(row[14]) for row in plan_sheet} == targets


async def test_a_target_far_behind_its_time_is_red_everywhere_not_just_in_plan(office, ledger):
    """The reported bug: green in the weekly summary (deadline far) and red in /plan."""
    far, behind = "P0-000", None
    for t in await plan_views.every_year(office):
        for g in t.targets:
            late = g.percent is not None and g.percent < 20
            if g.deadline == date(2026, 12, 31) and late and g.status == Status.IN_PROGRESS:
                far, behind = g.code, g
    assert behind is not None and behind.light is Light.RED
    lit = await queries.lights(office)
    item_id = next(r["id"] for r in ledger.values() if r["plan_code"] == far)
    assert lit[item_id] is Light.RED

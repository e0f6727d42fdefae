"""大事要事 as people read it: each target's numbers against its time, each task's
roll-up, for /plan, /item, the quarterly post and the ledger.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from domain import lights
from domain.errors import Refusal
from domain.items import FINISHED, Status
from domain.models import Item, Person, Role
from domain.office import Office, require
from domain.plan import rules
from domain.plan.records import PlanTarget, PlanTask, TargetLine
from domain.plan.rules import Milestone, Shape
from domain.traffic import Light, worst
from storage import people
from storage import plan as store
from storage.db import Conn


@dataclass(frozen=True)
class TargetView:
    code: str
    title: str
    unit: str
    shape: Shape
    quantity: Decimal | None
    measure: str
    reached: Decimal | None
    percent: Decimal | None
    elapsed: int
    light: Light | None
    status: Status | None  # None: no item yet (未下发)
    deadline: date  # the current item's (a 跨年度 target: this year's milestone)
    final: date
    start: date
    milestones: tuple[Milestone, ...]
    current: Milestone | None
    is_key: bool
    label: str
    checkpoint: date | None = None  # 年度: the next quarter's end, when it is looked at
    reached_milestones: frozenset[date] = frozenset()  # the dues of milestones really reached

    @property
    def checkpoint_elapsed(self) -> int:
        """How much of the year will have gone by the checkpoint (what it should show)."""
        return rules.time_percent(self.start, self.final, self.checkpoint) if self.checkpoint else 0

    @property
    def behind(self) -> bool:
        return self.light in (Light.YELLOW, Light.RED)


@dataclass(frozen=True)
class TaskView:
    code: str
    title: str
    category: str
    leader: str
    lead_unit: str
    is_key: bool
    targets: tuple[TargetView, ...]

    @property
    def percent(self) -> Decimal | None:
        return rules.task_percent(t.percent for t in self.targets)

    @property
    def elapsed(self) -> int:
        found = [t.elapsed for t in self.targets]
        return sum(found) // len(found) if found else 0

    @property
    def light(self) -> Light | None:
        found = [t.light for t in self.targets if t.light is not None]
        return worst(found) if found else None

    @property
    def behind(self) -> list[TargetView]:
        return [t for t in self.targets if t.behind]


async def find(conn: Conn, code: str) -> tuple[PlanTask | PlanTarget, str, str]:
    """A task or target by its 编号: (row, table, 任务|目标)."""
    code = (code or "").strip()
    if (task := await store.task_by_code(conn, code)) is not None:
        return task, "plan_tasks", "任务"
    if (target := await store.target_by_code(conn, code)) is not None:
        return target, "plan_targets", "目标"
    raise Refusal("plan_unknown", code=code[:30])


def _target_view(
    office: Office,
    row: TargetLine,
    found: list[Milestone],
    today: date,
    lit: dict[int, Light | None],
    closed: set[int],
) -> TargetView:
    shape = Shape(row.shape)
    pace = lights.pace_of(row, found)
    status = row.status
    deadline = date.fromisoformat(row.item_deadline) if row.item_deadline else pace.final
    label = row.code
    if row.item_id:
        label = office.label(row.item_year, row.serial, row.item_id, row.plan_code)
    reached = store.decimal_or_none(row.reached)
    finished = status in FINISHED and not pace.continues
    return TargetView(
        code=row.code,
        title=row.title,
        unit=row.unit_name,
        shape=shape,
        quantity=store.decimal_or_none(row.quantity),
        measure=row.measure,
        reached=reached,
        percent=pace.progress,
        elapsed=pace.elapsed(today),
        light=lit.get(row.item_id) if row.item_id else None,  # a target's light is its item's
        status=status,
        deadline=deadline,
        final=pace.final,
        start=pace.start,
        milestones=tuple(found),
        current=rules.current_milestone(found, today),
        is_key=bool(row.is_key),
        label=label,
        checkpoint=rules.next_checkpoint(shape, pace.final, today),
        reached_milestones=frozenset(
            m.due
            for m in found
            if rules.milestone_reached(
                m, row.measure, reached, m.item_id in closed if m.item_id else finished
            )
        ),
    )


def _in_year(view: TargetView, year: int) -> bool:
    return view.start.year <= year <= view.final.year


async def _views(
    office: Office, conn: Conn, task_rows: list[PlanTask], year: int | None
) -> list[TaskView]:
    today = office.clock.today()
    milestones = await store.all_milestones(conn)
    opened = [m.item_id for ms in milestones.values() for m in ms if m.item_id]
    closed = await store.closed_items(conn, opened)
    rows = {t.id: await store.targets(conn, t.id) for t in task_rows}
    ids = [r.item_id for found in rows.values() for r in found if r.item_id]
    lit = await lights.of_items(conn, today, office.calendar, ids)
    found: list[TaskView] = []
    for t in task_rows:
        targets = []
        for row in rows[t.id]:
            ms = milestones.get(row.id, [])
            view = _target_view(office, row, ms, today, lit, closed)
            if year is None or _in_year(view, year):
                targets.append(view)
        if targets:
            found.append(
                TaskView(
                    t.code,
                    t.title,
                    t.category,
                    t.leader,
                    t.lead_unit,
                    bool(t.is_key),
                    tuple(targets),
                )
            )
    return found


async def overview(
    office: Office, person: Person | None, year: int | None = None
) -> list[TaskView]:
    """The year's tasks (key ones first), each with its targets' progress against time."""
    require(person, Role.SUPERVISOR, Role.LEADER)
    return await year_plan(office, year or office.clock.today().year)


async def year_plan(office: Office, year: int) -> list[TaskView]:
    """Every task with a target running in `year` (a 跨年度 task shows in each of its years)."""
    async with office.db.read() as conn:
        return await _views(office, conn, await store.tasks(conn), year)


async def every_year(office: Office) -> list[TaskView]:
    """All tasks and targets ever imported (the ledger keeps them all)."""
    async with office.db.read() as conn:
        return await _views(office, conn, await store.tasks(conn), None)


async def detail(office: Office, person: Person | None, code: str) -> tuple[TaskView, str | None]:
    """One task with all its targets, and the target code if a target was asked for."""
    require(person, Role.SUPERVISOR, Role.LEADER)
    async with office.db.read() as conn:
        row, _, _ = await find(conn, code)
        task_id = row.task_id if isinstance(row, PlanTarget) else row.id
        rows = [t for t in await store.tasks(conn) if t.id == task_id]
        found = await _views(office, conn, rows, None)
    return found[0], (row.code if isinstance(row, PlanTarget) else None)


async def detail_by_id(office: Office, person: Person | None, task_id: int) -> TaskView:
    """One task picked from /plan's buttons (the id is checked, never trusted)."""
    require(person, Role.SUPERVISOR, Role.LEADER)
    async with office.db.read() as conn:
        row = await store.task(conn, task_id)
    if row is None:
        raise Refusal("stale_button")
    task, _ = await detail(office, person, row.code)
    return task


class Planned(NamedTuple):
    """The plan task and target an item carries."""

    task: TaskView
    target: TargetView


async def for_item(office: Office, item: Item, conn: Conn | None = None) -> Planned | None:
    """The task and target an item carries, as /plan shows them (None for other items)."""
    if item.target_id is None:
        return None
    if conn is None:
        async with office.db.read() as conn:
            return await for_item(office, item, conn)
    target = await store.target(conn, item.target_id)
    if target is None:  # cannot be: items.target_id references plan_targets
        return None
    rows = [t for t in await store.tasks(conn) if t.id == target.task_id]
    found = await _views(office, conn, rows, None)
    view = next(g for g in found[0].targets if g.code == target.code)
    return Planned(found[0], view)


def called(person: Person) -> set[str]:
    """What a plan sheet may call a leader: the name, or surname and title as offices write
    it (钱伟, 副市长 → 钱副市长)."""
    names = {person.name.strip()}
    if person.name.strip() and person.title.strip():
        names.add(person.name.strip()[0] + person.title.strip())
    return names


async def leaders(office: Office, conn: Conn, item_ids: Iterable[int]) -> dict[int, list[Person]]:
    """The registered 分管领导 of each plan item, among active leaders, by name or by
    surname and title."""
    names = await store.leaders_by_item(conn, item_ids)
    if not names:
        return {}
    by_name: dict[str, list[Person]] = {}
    for p in await people.with_role(conn, Role.LEADER):
        for name in called(p):
            by_name.setdefault(name, []).append(p)
    return {item_id: by_name[name] for item_id, name in names.items() if name in by_name}


def tally(tasks: list[TaskView]) -> dict[str, int]:
    """Targets by light (未开始: not judged yet — before its window, or stopped)."""
    found = {str(x): 0 for x in Light} | {"未开始": 0}
    for t in tasks:
        for g in t.targets:
            found[str(g.light) if g.light else "未开始"] += 1
    return found

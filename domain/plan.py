"""大事要事 actions: load the plan, open each target as an item of its unit, raise or lower
重点, roll a multi-year target into its next year, and the views /plan and the channel show.

A target is supervised through the same chain as any item (签收, reports, reminders, review,
closure); this module only decides what the plan adds to it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from domain import plan_rules as rules
from domain import plan_sheet
from domain.errors import Refusal
from domain.items import Status
from domain.models import Category, Item, Person, Role
from domain.office import Office, require
from domain.plan_rules import Milestone, Shape
from domain.plan_sheet import Plan, PlanError, Problem, TargetRow, TaskRow
from domain.traffic import Light, worst
from storage import audit, items, outbox, people, units
from storage import plan as store
from storage.db import Conn, Row
from storage.outbox import Push

FINISHED = frozenset({Status.CLOSED, Status.REVISITING})
STOPPED = frozenset({Status.CANCELLED})


@dataclass
class Imported:
    tasks_new: int = 0
    tasks_updated: int = 0
    targets_new: int = 0
    targets_updated: int = 0
    unchanged: int = 0
    opened: list[Item] = field(default_factory=list)
    waiting_units: list[str] = field(default_factory=list)  # no liaison to receive yet


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
    status: str
    deadline: date  # the current item's (a 跨年度 target: this year's milestone)
    final: date
    start: date
    milestones: tuple[Milestone, ...]
    current: Milestone | None
    is_key: bool
    label: str
    checkpoint: date | None = None  # 年度: the next quarter's end, when it is looked at

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


# ---- import ---------------------------------------------------------------------------------


async def import_plan(office: Office, person: Person | None, plan: Plan) -> Imported:
    """All rows or none: tasks and targets are matched by 编号, updated, never duplicated; new
    targets become items of their units and their letters (or 任务书) are queued at once."""
    now = office.now()
    done = Imported()
    async with office.db.transaction() as conn:
        actor = await _importer(conn, person)
        task_ids = {t.code: await _upsert_task(conn, t, actor, now, done) for t in plan.tasks}
        problems: list[Problem] = []
        for t in plan.targets:
            task = next(x for x in plan.tasks if x.code == t.task_code)
            await _upsert_target(office, conn, task, task_ids[task.code], t, actor, done, problems)
        if problems:
            raise PlanError(problems)
        for task_id in task_ids.values():
            await store.sync_item_keys(conn, task_id)
        done.waiting_units = await _unreachable_units(conn, done.opened)
    return done


async def _unreachable_units(conn: Conn, opened: list[Item]) -> list[str]:
    """Units of the new targets that nobody can receive for yet: their letters wait (held)
    until a liaison registers, and the office should know that now, not on the first chase."""
    names: dict[int, str] = {}
    for item in opened:
        lead = item.lead
        if lead is None or lead.unit_id in names:
            continue
        reachable = [p for p in await people.liaisons(conn, lead.unit_id) if not p.unreachable]
        names[lead.unit_id] = "" if reachable else lead.unit_name
    return [name for name in names.values() if name]


async def _importer(conn: Conn, person: Person | None) -> Person:
    """The supervisor who imports (the CLI acts for the first registered one)."""
    if person is not None:
        return require(person, Role.SUPERVISOR)
    found = await people.with_role(conn, Role.SUPERVISOR)
    if not found:
        raise Refusal("plan_needs_supervisor")
    return found[0]


def _task_values(t: TaskRow) -> dict:
    return {
        "title": t.title,
        "category": t.category.value,
        "leader": t.leader,
        "lead_unit_id": t.lead_unit_id,
        "is_key": int(t.is_key),
    }


def _target_values(t: TargetRow) -> dict:
    return {
        "title": t.title,
        "unit_id": t.unit_id,
        "quantity": rules.show(t.quantity) or None,
        "measure": t.measure,
        "shape": t.shape.value,
        "start_on": t.start.isoformat() if t.start else None,
        "deadline": t.deadline.isoformat(),
        "period": t.period.value,
        "is_key": int(t.is_key),
    }


def _changes(row: Row, values: dict) -> dict:
    return {k: v for k, v in values.items() if row[k] != v}


async def _upsert_task(conn: Conn, t: TaskRow, actor: Person, now: str, done: Imported) -> int:
    values = _task_values(t)
    row = await store.task_by_code(conn, t.code)
    if row is None:
        task_id = await store.insert_task(conn, t.code, values, int(now[:4]), now)
        await audit.record(conn, at=now, person_id=actor.id, action="导入大事要事任务", code=t.code)
        done.tasks_new += 1
        return task_id
    changed = _changes(row, values)
    if changed:
        await store.update_task(conn, row["id"], changed, now)
        await audit.record(
            conn, at=now, person_id=actor.id, action="更新大事要事任务", code=t.code, **changed
        )
        done.tasks_updated += 1
    return row["id"]


async def _upsert_target(
    office: Office,
    conn: Conn,
    task: TaskRow,
    task_id: int,
    t: TargetRow,
    actor: Person,
    done: Imported,
    problems: list[Problem],
) -> None:
    now = office.now()
    values = _target_values(t)
    row = await store.target_by_code(conn, t.code)
    if row is None:
        target_id = await store.insert_target(conn, task_id, t.code, values, now)
        await store.set_milestones(conn, target_id, t.milestones)
        first = t.milestones[0] if t.shape is Shape.MULTI_YEAR else None
        values = {**values, "code": t.code}
        item = await _open_item(
            office, conn, _task_values(task), values, target_id, first, actor, t.milestones
        )
        done.targets_new += 1
        done.opened.append(item)
        return
    if row["task_id"] != task_id:
        problems.append(Problem(t.line, "", "目标编号", f"目标编号“{t.code}”已属于另一项任务"))
        return
    changed = _changes(row, values)
    current = await store.current_item(conn, row["id"])
    if "unit_id" in changed and current is not None and current["status"] != Status.CANCELLED:
        problems.append(
            Problem(
                t.line, "", "责任单位", "目标已下发，责任单位不能通过重新导入更改（请撤销后新增）"
            )
        )
        return
    before = dict(row) | {"milestones": _listed(await store.milestones(conn, row["id"]))}
    if before["milestones"] != _listed(t.milestones):
        await store.set_milestones(conn, row["id"], t.milestones)
        changed["milestones"] = _listed(t.milestones)
    if not changed:
        done.unchanged += 1
        return
    await store.update_target(conn, row["id"], _changes(row, values), now)
    if current is not None and current["status"] not in FINISHED | STOPPED:
        await _refresh_item(conn, _task_values(task), t, current, now)
        await _tell_unit(office, conn, current["id"], before, changed)
    await audit.record(
        conn,
        at=now,
        person_id=actor.id,
        action="重新导入更新目标",
        item_id=current["id"] if current else None,
        code=t.code,
        **changed,
    )
    done.targets_updated += 1


LABELS = {
    "title": "目标内容",
    "quantity": "目标数量",
    "measure": "计量单位",
    "shape": "期限类型",
    "start_on": "开始日期",
    "deadline": "完成期限",
    "period": "报送周期",
    "is_key": "重点",
    "milestones": "节点",
}


def _shown(name: str, value) -> str:
    if value in (None, ""):
        return "无"
    if name in ("start_on", "deadline"):
        return _day(date.fromisoformat(value))
    if name == "is_key":
        return "是" if value else "否"
    return str(value)


def _listed(milestones) -> str:
    return "；".join(f"{_day(m.due)} {m.title}".rstrip() for m in milestones)


async def _tell_unit(office: Office, conn: Conn, item_id: int, before: dict, changed: dict):
    """The unit hears what the office changed in its target (through the outbox, once)."""
    lines = [
        f"{LABELS[k]}：{_shown(k, before[k])} → {_shown(k, v)}"
        for k, v in changed.items()
        if k in LABELS
    ]
    item = await items.get(conn, item_id)
    now = office.now()
    push = Push(
        f"plan_changed:{item_id}:{now}",
        "plan_changed",
        "plan_changed",
        now,
        item_id=item_id,
        unit_id=item.lead.unit_id,
        context={"serial": office.serial_label(item), "title": item.title, "lines": lines},
    )
    await outbox.add(conn, push, now)


def _day(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _instruction(task: dict, t: dict, milestones, current: Milestone | None) -> str:
    """What the letter or 任务书 quotes: the target, its quantity, its checkpoints."""
    parts = [f"{task['title']}：{t['title']}"]
    if t["quantity"]:
        parts.append(f"目标：{t['quantity']}{t['measure']}。")
    if current is not None:  # 跨年度: this year's milestone
        parts.append(f"本年度节点：{_day(current.due)} {current.title}".rstrip())
    elif milestones:
        parts.append("节点：" + "；".join(f"{_day(m.due)} {m.title}".rstrip() for m in milestones))
    if t["shape"] == Shape.YEARLY.value:
        year = date.fromisoformat(t["deadline"]).year
        checks = "、".join(f"{d.month}月{d.day}日" for d in rules.quarter_checkpoints(year))
        parts.append(f"按季度检查进度（{checks}）。")
    return "\n".join(parts)


async def _open_item(
    office: Office,
    conn: Conn,
    task: dict,
    t: dict,
    target_id: int,
    milestone: Milestone | None,
    actor: Person,
    milestones=(),
) -> Item:
    """The item that carries the target (or a 跨年度 target's milestone), sent to its unit.

    A milestone of a later year waits for its year: its item is not chased before 1 January.
    """
    now, today = office.now(), office.clock.today()
    deadline = milestone.due if milestone is not None else date.fromisoformat(t["deadline"])
    start = date.fromisoformat(t["start_on"]) if t["start_on"] else None
    window = rules.chase_from(Shape(t["shape"]), start)
    if milestone is not None and milestone.due.year > today.year:
        window = date(milestone.due.year, 1, 1)
    category = Category(task["category"])
    item_id = await store.insert_item(
        conn,
        {
            "title": t["title"],
            "instruction": _instruction(task, t, milestones, milestone),
            "instructing_leader": task["leader"] or "年度大事要事",
            "source": "大事要事",
            "category": category.value,
            "deadline": deadline.isoformat(),
            "period": t["period"],
            "is_key": int(bool(t["is_key"]) or bool(task["is_key"])),
            "status": Status.AWAITING_SIGN.value,
            "year": deadline.year,
            "created_by": actor.id,
            "created_at": now,
            "sent_at": now,
            "updated_at": now,
            "target_id": target_id,
            "plan_code": t["code"],
            "chase_from": window.isoformat() if window else None,
        },
        t["unit_id"],
    )
    if milestone is not None:
        await store.open_milestone(conn, target_id, milestone.due, item_id)
    if category is Category.ORDER:
        await items.assign_serial(conn, item_id, office.clock.now().year)
    return await _send(office, conn, await items.get(conn, item_id), actor)


async def _send(office: Office, conn: Conn, item: Item, actor: Person) -> Item:
    """Render the letter (or 任务书) onto the item and queue it for the unit."""
    now = office.now()
    if office.render_letter is not None:
        item = replace(item, letter_html=office.render_letter(item))
        await items.set_letter(conn, item.id, item.letter_html)
    if office.letter_push is not None:
        await outbox.add(conn, office.letter_push(item, now), now)
    await audit.record(
        conn,
        at=now,
        person_id=actor.id,
        action="下发大事要事目标",
        item_id=item.id,
        unit_id=item.lead.unit_id if item.lead else None,
        code=item.plan_code,
    )
    return item


async def _refresh_item(conn: Conn, task: dict, t: TargetRow, current: Row, now: str) -> None:
    """An open item follows its edited target: title, deadline, rhythm, window."""
    values = {**_target_values(t), "code": t.code}
    milestone = None
    deadline = t.deadline
    if t.shape is Shape.MULTI_YEAR:
        year = date.fromisoformat(current["deadline"]).year
        milestone = next((m for m in t.milestones if m.due.year == year), None)
        deadline = milestone.due if milestone else deadline
    window = rules.chase_from(t.shape, t.start)
    await store.update_item(
        conn,
        current["id"],
        {
            "title": t.title,
            "instruction": _instruction(task, values, t.milestones, milestone),
            "deadline": deadline.isoformat(),
            "period": t.period.value,
            "chase_from": window.isoformat() if window else current["chase_from"],
            "updated_at": now,
        },
    )


# ---- 重点 -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyChanged:
    what: str  # 任务 | 目标
    code: str
    title: str
    on: bool
    items: list[int]


async def set_key(office: Office, person: Person | None, code: str, on: bool, reason: str):
    """Raise a task or target to 重点 (or lower it), with a reason; audited on every item
    it touches, and every view and summary reads the item's mark from then on."""
    supervisor = require(person, Role.SUPERVISOR)
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise Refusal("key_reason_needed")
    if len(reason) > 200:
        raise Refusal("text_too_long", label="理由", limit=200, length=len(reason))
    now = office.now()
    async with office.db.transaction() as conn:
        row, table, what = await _task_or_target(conn, code)
        if bool(row["is_key"]) == on:
            raise Refusal("key_unchanged", code=code, on=on)
        await store.set_key(conn, table, row["id"], on, now)
        task_id = row["id"] if table == "plan_tasks" else row["task_id"]
        changed = await store.sync_item_keys(conn, task_id)
        action = "设为重点" if on else "取消重点"
        for item_id in (None, *changed):  # the plan's own row, then each item it touched
            await audit.record(
                conn,
                at=now,
                person_id=supervisor.id,
                action=action,
                item_id=item_id,
                code=code,
                what=what,
                reason=reason,
            )
    return KeyChanged(what, code, row["title"], on, changed)


async def _task_or_target(conn: Conn, code: str) -> tuple[Row, str, str]:
    code = (code or "").strip()
    if (row := await store.task_by_code(conn, code)) is not None:
        return row, "plan_tasks", "任务"
    if (row := await store.target_by_code(conn, code)) is not None:
        return row, "plan_targets", "目标"
    raise Refusal("plan_unknown", code=code[:30])


# ---- 跨年度 roll-over ------------------------------------------------------------------------


async def roll_over(office: Office) -> list[Item]:
    """Open the next year's milestone of every 跨年度 target whose last one is closed, once
    that year has begun: the target carries on in the new year's ledger without re-entry."""
    today = office.clock.today()
    opened: list[Item] = []
    async with office.db.transaction() as conn:
        for row in await store.multi_year(conn):
            found = await store.milestones(conn, row["id"])
            closed = await store.closed_items(conn, [m.item_id for m in found if m.item_id])
            following = rules.next_to_open(found, closed, today)
            if following is None:
                continue
            actor = await people.get(
                conn, (await store.current_item(conn, row["id"]))["created_by"]
            )
            task = {
                "title": row["task_title"],
                "category": row["category"],
                "leader": row["leader"],
                "is_key": row["task_key"],
            }
            opened.append(
                await _open_item(office, conn, task, dict(row), row["id"], following, actor, found)
            )
    return opened


# ---- views ----------------------------------------------------------------------------------


def _target_view(office: Office, row: Row, found: list[Milestone], today: date) -> TargetView:
    shape = Shape(row["shape"])
    final = date.fromisoformat(row["deadline"])
    start_on = date.fromisoformat(row["start_on"]) if row["start_on"] else None
    start = rules.start_of(shape, start_on, final, found)
    goal = store.decimal_or_none(row["quantity"])
    reached = store.decimal_or_none(row["reached"])
    if goal is not None:
        percent = rules.quantity_percent(reached, goal)
    else:
        percent = None if row["percent"] is None else Decimal(row["percent"])
    status = row["status"] or ""
    deadline = date.fromisoformat(row["item_deadline"]) if row["item_deadline"] else final
    waiting = any(m.item_id is None for m in found) and shape is Shape.MULTI_YEAR
    finished = status in FINISHED and not waiting
    elapsed = rules.time_percent(start, final, today)
    light = (
        None
        if status in STOPPED
        else rules.light(
            finished=finished,
            started=today >= start,
            overdue=today > deadline and status not in FINISHED,
            progress=percent,
            elapsed=elapsed,
        )
    )
    label = row["code"]
    if row["item_id"]:
        label = office.label(row["item_year"], row["serial"], row["item_id"], row["plan_code"])
    return TargetView(
        code=row["code"],
        title=row["title"],
        unit=row["unit_name"],
        shape=shape,
        quantity=goal,
        measure=row["measure"],
        reached=reached,
        percent=percent,
        elapsed=elapsed,
        light=light,
        status=status,
        deadline=deadline,
        final=final,
        start=start,
        milestones=tuple(found),
        current=rules.current_milestone(found, today),
        is_key=bool(row["is_key"]),
        label=label,
        checkpoint=rules.next_checkpoint(shape, final, today),
    )


def _in_year(view: TargetView, year: int) -> bool:
    return view.start.year <= year <= view.final.year


async def _views(office: Office, conn: Conn, task_rows: list[Row], year: int | None):
    today = office.clock.today()
    found = []
    for t in task_rows:
        targets = []
        for row in await store.targets(conn, t["id"]):
            view = _target_view(office, row, await store.milestones(conn, row["id"]), today)
            if year is None or _in_year(view, year):
                targets.append(view)
        if targets:
            found.append(
                TaskView(
                    t["code"],
                    t["title"],
                    t["category"],
                    t["leader"],
                    t["lead_unit"],
                    bool(t["is_key"]),
                    tuple(targets),
                )
            )
    return found


async def overview(office: Office, person: Person | None, year: int | None = None):
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
        row, table, _ = await _task_or_target(conn, code)
        task_id = row["id"] if table == "plan_tasks" else row["task_id"]
        rows = [t for t in await store.tasks(conn) if t["id"] == task_id]
        found = await _views(office, conn, rows, None)
    return found[0], (row["code"] if table == "plan_targets" else None)


async def for_item(office: Office, item: Item) -> tuple[TaskView, TargetView] | None:
    """The task and target an item carries, as /plan shows them (None for other items)."""
    if item.target_id is None:
        return None
    async with office.db.read() as conn:
        target = await store.target(conn, item.target_id)
        rows = [t for t in await store.tasks(conn) if t["id"] == target["task_id"]]
        found = await _views(office, conn, rows, None)
    view = next(g for g in found[0].targets if g.code == target["code"])
    return found[0], view


async def leaders(office: Office, conn: Conn, item_ids) -> dict[int, list[Person]]:
    """The registered 分管领导 of each plan item (matched by name among active leaders)."""
    names = await store.leaders_by_item(conn, item_ids)
    if not names:
        return {}
    by_name: dict[str, list[Person]] = {}
    for p in await people.with_role(conn, Role.LEADER):
        by_name.setdefault(p.name, []).append(p)
    return {item_id: by_name[name] for item_id, name in names.items() if name in by_name}


def tally(tasks: list[TaskView]) -> dict[str, int]:
    """Targets by light (未开始: not judged yet — before its window, or stopped)."""
    found = {str(x): 0 for x in Light} | {"未开始": 0}
    for t in tasks:
        for g in t.targets:
            found[str(g.light) if g.light else "未开始"] += 1
    return found


async def load_sheet(office: Office, person: Person | None, source: Path | bytes) -> Imported:
    """Read, check and import a plan sheet: every problem reported at once, or all imported."""
    if person is not None:
        require(person, Role.SUPERVISOR)
    async with office.db.read() as conn:
        known = await units.all_units(conn)
    lookup = {u.name: u.id for u in known} | {u.short_name: u.id for u in known if u.short_name}
    year = office.clock.today().year
    found = await asyncio.to_thread(plan_sheet.load, source, lookup, year)
    return await import_plan(office, person, found)

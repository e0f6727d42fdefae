"""大事要事 actions: load the plan, open each target as an item of its unit (督办函 or 任务书
through the outbox), follow the office's edits, and roll a multi-year target into its next year.

A target is supervised through the same chain as any item (签收, reports, reminders, review,
closure); this module only decides what the plan adds to it. The item side of a target (its
letter text, opening, sending, following edits) is in `items`, views in `views`, 重点 in
`keys`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from domain import letters
from domain.errors import Refusal
from domain.items import SETTLED, STOPPED
from domain.models import Item, Person, Role
from domain.office import Office, Then, after, require
from domain.plan import items as plan_items
from domain.plan import rules
from domain.plan import sheet as plan_sheet
from domain.plan.records import PlanTarget, PlanTask, TaskColumns
from domain.plan.rules import Shape
from domain.plan.sheet import Plan, PlanError, Problem, TargetRow, TaskRow
from storage import audit, people, units
from storage import plan as store
from storage.db import Conn, found


@dataclass
class Imported:
    tasks_new: int = 0
    tasks_updated: int = 0
    targets_new: int = 0
    targets_updated: int = 0
    unchanged: int = 0
    opened: list[Item] = field(default_factory=list)
    waiting_units: list[str] = field(default_factory=list)  # no liaison to receive yet
    late: list[str] = field(default_factory=list)  # new targets already past their deadline
    passed: list[str] = field(default_factory=list)  # their other milestones already past


# ---- import ---------------------------------------------------------------------------------


async def import_plan(
    office: Office, person: Person | None, plan: Plan, then: Then | None = None
) -> Imported:
    """All rows or none: tasks and targets are matched by 编号, updated, never duplicated; new
    targets become items of their units and their letters (or 任务书), rendered and stored by
    the caller's `then`, are queued at once."""
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
        done.opened = await send_letters(office, conn, await after(then, conn, done.opened))
    return done


async def send_letters(office: Office, conn: Conn, opened: list[Item]) -> list[Item]:
    """Queue each new target's letter to its lead unit, as the caller's `then` stored it."""
    sent = []
    for item in opened:
        recipients = await letters.reach(conn, [u.unit_id for u in item.units if u.is_lead])
        sent.append(await letters.send_fixed(office, conn, item.id, recipients))
    return sent


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


def _task_values(t: TaskRow) -> TaskColumns:
    return {
        "title": t.title,
        "category": t.category.value,
        "leader": t.leader,
        "lead_unit_id": t.lead_unit_id,
        "is_key": int(t.is_key),
    }


def _changes(row: PlanTask | PlanTarget, values: Mapping[str, object]) -> dict[str, Any]:
    """The columns whose value differs from the row's (also the audit row's detail)."""
    return {k: v for k, v in values.items() if getattr(row, k) != v}


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
        await store.update_task(conn, row.id, changed, now)
        await audit.record(
            conn, at=now, person_id=actor.id, action="更新大事要事任务", code=t.code, **changed
        )
        done.tasks_updated += 1
    return row.id


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
    values = plan_items.target_values(t)
    row = await store.target_by_code(conn, t.code)
    if row is None:
        target_id = await store.insert_target(conn, task_id, t.code, values, now)
        await store.set_milestones(conn, target_id, t.milestones)
        first = t.milestones[0] if t.shape is Shape.MULTI_YEAR else None
        item = await plan_items.open_item(
            office, conn, _task_values(task), values, target_id, first, actor, t.milestones
        )
        done.targets_new += 1
        done.opened.append(item)
        _note_past(done, t, item, office.clock.today())
        return
    if row.task_id != task_id:
        problems.append(Problem(t.line, "", "目标编号", f"目标编号“{t.code}”已属于另一项任务"))
        return
    changed = _changes(row, values)
    current = await store.current_item(conn, row.id)
    if "unit_id" in changed and current is not None and current.status not in STOPPED:
        problems.append(
            Problem(
                t.line, "", "责任单位", "目标已下发，责任单位不能通过重新导入更改（请撤销后新增）"
            )
        )
        return
    before = asdict(row) | {"milestones": plan_items.listed(await store.milestones(conn, row.id))}
    if before["milestones"] != plan_items.listed(t.milestones):
        await store.set_milestones(conn, row.id, t.milestones)
        changed["milestones"] = plan_items.listed(t.milestones)
    if not changed:
        done.unchanged += 1
        return
    await store.update_target(conn, row.id, _changes(row, values), now)
    if current is not None and current.status not in SETTLED:
        await plan_items.refresh_item(conn, _task_values(task), t, current, now)
        await plan_items.tell_unit(office, conn, current.id, before, changed)
    await audit.record(
        conn,
        at=now,
        person_id=actor.id,
        action="重新导入更新目标",
        item_id=current.id if current else None,
        code=t.code,
        **changed,
    )
    done.targets_updated += 1


def _note_past(done: Imported, t: TargetRow, item: Item, today: date) -> None:
    """What the import must say out loud: targets already late (chased as overdue from
    today) and milestones whose day has passed (not counted as reached for that)."""
    if item.deadline < today:
        done.late.append(t.code)
    done.passed += [
        f"{t.code} {m.due.month}月{m.due.day}日{m.title and ' ' + m.title}"
        for m in t.milestones
        if m.due < today and m.due != item.deadline
    ]


# ---- 跨年度 roll-over ------------------------------------------------------------------------


async def roll_over(office: Office, then: Then | None = None) -> list[Item]:
    """Open the next year's milestone of every 跨年度 target whose last one is closed, once
    that year has begun: the target carries on in the new year's ledger without re-entry."""
    today = office.clock.today()
    opened: list[Item] = []
    async with office.db.transaction() as conn:
        for row in await store.multi_year(conn):
            milestones = await store.milestones(conn, row.id)
            closed = await store.closed_items(conn, [m.item_id for m in milestones if m.item_id])
            following = rules.next_to_open(milestones, closed, today)
            if following is None:
                continue
            current = found(await store.current_item(conn, row.id), f"target {row.id}'s item")
            actor = await people.known(conn, current.created_by)
            task: TaskColumns = {
                "title": row.task_title,
                "category": row.category,
                "leader": row.leader,
                "is_key": row.task_key,
            }
            opened.append(
                await plan_items.open_item(
                    office, conn, task, row.columns(), row.id, following, actor, milestones
                )
            )
        return await send_letters(office, conn, await after(then, conn, opened))


async def load_sheet(
    office: Office, person: Person | None, source: Path | bytes, then: Then | None = None
) -> Imported:
    """Read, check and import a plan sheet: every problem reported at once, or all imported."""
    if person is not None:
        require(person, Role.SUPERVISOR)
    async with office.db.read() as conn:
        known = await units.all_units(conn)
    lookup = {u.name: u.id for u in known} | {u.short_name: u.id for u in known if u.short_name}
    year = office.clock.today().year
    found = await asyncio.to_thread(plan_sheet.load, source, lookup, year)
    return await import_plan(office, person, found, then)

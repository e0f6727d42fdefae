"""Matching a plan sheet against what is stored, by 编号: known tasks and targets follow the
sheet (with what they changed told to the unit and audited), new ones are inserted. Every known
row is read for the whole sheet in one statement per table, and new rows are written in one
statement each, so the cost is a few dozen round trips to the database for any plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from domain.items import SETTLED, STOPPED
from domain.models import Item, Person
from domain.office import Office
from domain.plan import items as plan_items
from domain.plan.records import PlanTarget, PlanTask, TaskColumns
from domain.plan.rules import Milestone, Shape
from domain.plan.sheet import Plan, PlanError, Problem, TargetRow, TaskRow
from storage import audit
from storage import plan as store
from storage.audit import AuditRow
from storage.db import Conn


@dataclass
class Imported:
    """What an import did, for the reply to the office."""

    tasks_new: int = 0
    tasks_updated: int = 0
    targets_new: int = 0
    targets_updated: int = 0
    unchanged: int = 0
    opened: list[Item] = field(default_factory=list)
    waiting_units: list[str] = field(default_factory=list)  # no liaison to receive yet
    late: list[str] = field(default_factory=list)  # new targets already past their deadline
    passed: list[str] = field(default_factory=list)  # their other milestones already past


def _task_values(t: TaskRow) -> TaskColumns:
    return {
        "title": t.title,
        "category": t.category.value,
        "leader": t.leader,
        "lead_unit_id": t.lead_unit_id,
        "is_key": int(t.is_key),
    }


def _changes(row: PlanTask | PlanTarget, values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if getattr(row, k) != v}


async def tasks(
    conn: Conn,
    sheet: tuple[TaskRow, ...],
    actor: Person,
    now: str,
    done: Imported,
    log: list[AuditRow],
) -> dict[str, int]:
    """Task ids by 编号: known ones updated where the sheet changed them, new ones inserted;
    their audit rows added to `log` in sheet order."""
    known = await store.tasks_by_code(conn, [t.code for t in sheet])
    fresh = []
    for t in sheet:
        row, values = known.get(t.code), _task_values(t)
        if row is None:
            fresh.append((t.code, values))
            log.append(
                audit.entry(at=now, person_id=actor.id, action="导入大事要事任务", code=t.code)
            )
            continue
        changed = _changes(row, values)
        if changed:
            await store.update_task(conn, row.id, changed, now)
            log.append(
                audit.entry(
                    at=now, person_id=actor.id, action="更新大事要事任务", code=t.code, **changed
                )
            )
            done.tasks_updated += 1
    done.tasks_new = len(fresh)
    ids = {code: row.id for code, row in known.items()}
    return ids | await store.insert_tasks(conn, fresh, int(now[:4]), now)


async def known_targets(
    office: Office,
    conn: Conn,
    plan: Plan,
    task_ids: dict[str, int],
    actor: Person,
    done: Imported,
    log: list[AuditRow],
) -> list[TargetRow]:
    """Known targets follow the sheet (their rows and milestones read for all at once, then
    the items carrying the changed ones); returns the new ones. Every problem is raised at
    once, and nothing is kept."""
    known = await store.targets_by_code(conn, [t.code for t in plan.targets])
    milestones = await store.all_milestones(conn, [row.id for row in known.values()])
    tasks = {t.code: t for t in plan.tasks}
    problems: list[Problem] = []
    edits: list[Edit] = []
    for t in plan.targets:
        row = known.get(t.code)
        if row is None:
            continue
        if row.task_id != task_ids[t.task_code]:
            problems.append(Problem(t.line, "", "目标编号", f"目标编号“{t.code}”已属于另一项任务"))
            continue
        edit = _edit(t, row, milestones.get(row.id, []))
        if edit is None:  # most rows of a re-import: nothing more is read or built for them
            done.unchanged += 1
        else:
            edits.append(edit)
    current = await store.current_items(conn, [edit.row.id for edit in edits])
    for edit in edits:
        task, item = tasks[edit.target.task_code], current.get(edit.row.id)
        problem = await _update_target(office, conn, task, edit, item, actor, log)
        if problem is None:
            done.targets_updated += 1
        else:
            problems.append(problem)
    if problems:
        raise PlanError(problems)
    return [t for t in plan.targets if t.code not in known]


@dataclass(frozen=True)
class Edit:
    """A target already imported that the sheet changes: its row, its milestones as stored
    (listed), and the columns that change."""

    target: TargetRow
    row: PlanTarget
    milestones_were: str
    changed: dict[str, Any]


def _edit(t: TargetRow, row: PlanTarget, milestones: list[Milestone]) -> Edit | None:
    """What the sheet changes in a known target, or None when it changes nothing."""
    changed = _changes(row, plan_items.target_values(t))
    was, wanted = plan_items.listed(milestones), plan_items.listed(t.milestones)
    if was != wanted:
        changed["milestones"] = wanted
    return Edit(t, row, was, changed) if changed else None


async def _update_target(
    office: Office,
    conn: Conn,
    task: TaskRow,
    edit: Edit,
    current: Item | None,
    actor: Person,
    log: list[AuditRow],
) -> Problem | None:
    now = office.now()
    t, row, changed = edit.target, edit.row, edit.changed
    if "unit_id" in changed and current is not None and current.status not in STOPPED:
        return Problem(
            t.line, "", "责任单位", "目标已下发，责任单位不能通过重新导入更改（请撤销后新增）"
        )
    if "milestones" in changed:
        await store.set_milestones(conn, {row.id: t.milestones})
    columns = {k: v for k, v in changed.items() if k != "milestones"}
    await store.update_target(conn, row.id, columns, now)
    if current is not None and current.status not in SETTLED:
        await plan_items.refresh_item(conn, _task_values(task), t, current, now)
        before = asdict(row) | {"milestones": edit.milestones_were}
        await plan_items.tell_unit(office, conn, current.id, before, changed)
    log.append(
        audit.entry(
            at=now,
            person_id=actor.id,
            action="重新导入更新目标",
            item_id=current.id if current else None,
            code=t.code,
            **changed,
        )
    )
    return None


async def new_targets(
    conn: Conn,
    plan: Plan,
    fresh: list[TargetRow],
    task_ids: dict[str, int],
    actor: Person,
    now: str,
) -> list[plan_items.Opening]:
    """The new targets and their milestones, in three statements; what to open for each."""
    values = {t.code: plan_items.target_values(t) for t in fresh}
    ids = await store.insert_targets(
        conn, [(task_ids[t.task_code], t.code, values[t.code]) for t in fresh], now
    )
    await store.set_milestones(conn, {ids[t.code]: t.milestones for t in fresh})
    tasks = {t.code: _task_values(t) for t in plan.tasks}
    return [
        plan_items.Opening(
            tasks[t.task_code],
            {**values[t.code], "code": t.code},
            ids[t.code],
            t.milestones[0] if t.shape is Shape.MULTI_YEAR else None,
            actor,
            t.milestones,
        )
        for t in fresh
    ]

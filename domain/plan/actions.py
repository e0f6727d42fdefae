"""大事要事 actions: load the plan, open each target as an item of its unit (督办函 or 任务书
through the outbox), follow the office's edits, and roll a multi-year target into its next year.

A target is supervised through the same chain as any item (签收, reports, reminders, review,
closure); this module only decides what the plan adds to it. The item side of a target (its
letter text, opening, sending, following edits) is in `items`, matching a sheet with what is
stored in `upsert`, views in `views`, 重点 in `keys`.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date
from pathlib import Path

from domain import letters
from domain.errors import Refusal
from domain.models import Item, Person, Role
from domain.office import Office, Then, after, require, unit_of
from domain.plan import items as plan_items
from domain.plan import rules, upsert
from domain.plan import sheet as plan_sheet
from domain.plan.records import TaskColumns
from domain.plan.sheet import Plan, TargetRow
from domain.plan.upsert import Imported
from storage import audit, outbox, people, units
from storage import items as item_store
from storage import plan as store
from storage.audit import AuditRow
from storage.db import Conn, found

# ---- import ---------------------------------------------------------------------------------


async def import_plan(
    office: Office, person: Person | None, plan: Plan, then: Then | None = None
) -> Imported:
    """All rows or none: tasks and targets are matched by 编号, updated, never duplicated; new
    targets become items of their units and their letters (or 任务书), rendered and stored by
    the caller's `then`, are queued at once.

    Each step reads or writes every row of the plan in one statement (what is known by 编号,
    new rows, milestones, items, serials, audit, letters): a plan of thousands of targets
    costs a few dozen round trips to the database, not a few per target."""
    now = office.now()
    done = Imported()
    async with office.db.transaction() as conn:
        actor = await _importer(conn, person)
        log: list[AuditRow] = []  # audit rows, recorded together in order
        task_ids = await upsert.tasks(conn, plan.tasks, actor, now, done, log)
        fresh = await upsert.known_targets(office, conn, plan, task_ids, actor, done, log)
        await audit.record_many(conn, log)
        openings = await upsert.new_targets(conn, plan, fresh, task_ids, actor, now)
        done.opened = await plan_items.open_items(office, conn, openings)
        done.targets_new = len(done.opened)
        for t, item in zip(fresh, done.opened, strict=True):
            _note_past(done, t, item, office.clock.today())
        await store.sync_item_keys(conn, task_ids.values())
        reachable = await _reachable(conn)
        done.waiting_units = _unreachable_units(done.opened, reachable)
        opened = await after(then, conn, done.opened)
        done.opened = await _send_letters(office, conn, opened, reachable)
    return done


async def send_letters(office: Office, conn: Conn, opened: list[Item]) -> list[Item]:
    """Queue each new target's letter to its lead unit, as the caller's `then` stored it."""
    return await _send_letters(office, conn, opened, await _reachable(conn))


async def _send_letters(
    office: Office, conn: Conn, opened: list[Item], reachable: dict[int, list[Person]]
) -> list[Item]:
    """The letters read back as the caller's `then` fixed them, and queued in one statement
    (only the letters are read: the rest of each item is as it was opened)."""
    html = await item_store.letters(conn, [item.id for item in opened])
    fixed = [replace(item, letter_html=html.get(item.id)) for item in opened]
    pushes = [
        push
        for item in fixed
        for push in letters.letter_pushes(item, _lead(item), reachable.get(_lead(item), []))
    ]
    await outbox.add_many(conn, pushes, office.now())
    return fixed


def _lead(item: Item) -> int:
    """A target's item always has its lead unit (the target's unit)."""
    return found(item.lead, f"the lead unit of item {item.id}").unit_id


async def _reachable(conn: Conn) -> dict[int, list[Person]]:
    """Every unit's reachable liaisons, primary first, in one lookup for all the units."""
    found: dict[int, list[Person]] = {}
    for p in await people.all_liaisons(conn):
        if not p.unreachable:
            found.setdefault(unit_of(p), []).append(p)
    return found


def _unreachable_units(opened: list[Item], reachable: dict[int, list[Person]]) -> list[str]:
    """Units of the new targets that nobody can receive for yet: their letters wait (held)
    until a liaison registers, and the office should know that now, not on the first chase."""
    names: dict[int, str] = {}
    for item in opened:
        lead = item.lead
        if lead is None or lead.unit_id in names:
            continue
        names[lead.unit_id] = "" if reachable.get(lead.unit_id) else lead.unit_name
    return [name for name in names.values() if name]


async def _importer(conn: Conn, person: Person | None) -> Person:
    """The supervisor who imports (the CLI acts for the first registered one)."""
    if person is not None:
        return require(person, Role.SUPERVISOR)
    found = await people.with_role(conn, Role.SUPERVISOR)
    if not found:
        raise Refusal("plan_needs_supervisor")
    return found[0]


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
    openings: list[plan_items.Opening] = []
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
            openings.append(
                plan_items.Opening(task, row.columns(), row.id, following, actor, tuple(milestones))
            )
        opened = await plan_items.open_items(office, conn, openings)
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

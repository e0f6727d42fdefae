"""What a person may pick when a command comes without its argument.

Each list is what the same command with a typed argument would accept from this person, so a
picker never offers what the command would then refuse. Pressing a pick is authorized again
by the command's own domain function: these lists only decide what is shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.items import DRAFTS, IN_WORK, OPEN_STATUSES, SEEN, Action, allowed
from domain.models import Item, Person, Role
from domain.office import Office, require
from storage import items
from storage import plan as store


@dataclass(frozen=True)
class Choice:
    """Something /key or /unkey may change: an ordinary item, a plan task or a target."""

    kind: str  # item | task | target
    id: int
    label: str  # 督办〔2026〕3号, T01, T01-02
    title: str


async def viewable(office: Office, person: Person | None) -> list[Item]:
    """/item: a liaison their unit's sent items; supervisors and leaders every item."""
    viewer = require(person)
    async with office.db.read() as conn:
        if viewer.role is Role.LIAISON:
            return await items.search(conn, statuses=SEEN - DRAFTS, unit_id=viewer.unit_id)
        return await items.search(conn, statuses=SEEN)


async def with_letter(office: Office, person: Person | None) -> list[Item]:
    """/letter: the viewable items that have a 督办函 (or a 任务书) to download."""
    return [i for i in await viewable(office, person) if i.serial or i.is_task_notice]


async def for_action(office: Office, person: Person | None, action: Action) -> list[Item]:
    """/suspend, /resume, /revoke: the items in a state where this person may take it."""
    who = require(person, Role.SUPERVISOR)
    async with office.db.read() as conn:
        found = await items.search(conn, statuses=OPEN_STATUSES)
    return [i for i in found if allowed(i.status, who.role, (action,))]


async def keyable(office: Office, person: Person | None, on: bool) -> list[Choice]:
    """/key (on) or /unkey: plan tasks and targets, then ordinary open items, not yet so."""
    require(person, Role.SUPERVISOR)
    async with office.db.read() as conn:
        tasks = await store.tasks(conn)
        targets = await store.targets(conn)
        found = await items.search(conn, statuses=IN_WORK)
    result = [Choice("task", t.id, t.code, t.title) for t in tasks]
    result += [Choice("target", g.id, g.code, g.title) for g in targets]
    flags = {("task", t.id): t.is_key for t in tasks}
    flags |= {("target", g.id): g.is_key for g in targets}
    result = [k for k in result if bool(flags[(k.kind, k.id)]) != on]
    label = office.serial_label
    result += [
        Choice("item", i.id, label(i), i.title)
        for i in found
        if i.target_id is None and i.is_key != on
    ]
    return result


async def plan_tasks(office: Office, person: Person | None) -> list[Choice]:
    """/plan: every task of the plan, key ones first, as /plan lists them."""
    require(person, Role.SUPERVISOR, Role.LEADER)
    async with office.db.read() as conn:
        return [Choice("task", t.id, t.code, t.title) for t in await store.tasks(conn)]

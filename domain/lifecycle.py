"""暂停, 恢复, 撤销: a supervisor stops an item for a while, restarts it, or withdraws it.

A suspension remembers where the item was (suspended_from), so 恢复 puts it back exactly
there: an item suspended before the unit signed is again waiting for 签收, not 办理中. Every
change names its reason, which the units hear: a unit should never find its item stopped or
gone without being told why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from domain import inputs
from domain.errors import Refusal
from domain.items import Action, transition
from domain.models import Item, Person, Role
from domain.office import Office, Then, after, require
from storage import audit, items, people
from storage.db import Conn


@dataclass
class Changed:
    """What the handler tells whom: the item as it is now, and the units' liaisons."""

    item: Item
    previous: str
    reason: str = ""
    liaisons: list[Person] = field(default_factory=list)
    unreached: list[str] = field(default_factory=list)  # units with no liaison to tell


async def _load(conn: Conn, item_id: int) -> Item:
    item = await items.get(conn, item_id)
    if item is None:
        raise Refusal("item_unknown")
    return item


async def may(office: Office, person: Person | None, item_id: int, action: Action) -> Item:
    """The item, if this person may take `action` on it now; asked before a reason is typed."""
    supervisor = require(person, Role.SUPERVISOR)
    async with office.db.read() as conn:
        item = await _load(conn, item_id)
    transition(item.status, action, supervisor.role, previous=item.suspended_from)
    return item


async def _told(conn: Conn, item: Item) -> tuple[list[Person], list[str]]:
    """Every liaison of every unit on the item, once its letter has gone out to them.

    Before 审定 the units have never seen the item, so there is nothing to tell them.
    """
    if item.sent_at is None:
        return [], []
    found: list[Person] = []
    unreached: list[str] = []
    for unit in item.units:
        liaisons = await people.liaisons(conn, unit.unit_id)
        found += liaisons
        if not liaisons:
            unreached.append(unit.unit_name)
    return found, unreached


async def suspend(
    office: Office, person: Person | None, item_id: int, reason: str, then: Then | None = None
) -> Changed:
    """暂停: reminders stop and the item waits; where it was is kept for 恢复."""
    return await _set_aside(office, person, item_id, reason, Action.SUSPEND, then)


async def resume(
    office: Office, person: Person | None, item_id: int, then: Then | None = None
) -> Changed:
    """恢复: back to the state the item was suspended from, as the status table says."""
    supervisor = require(person, Role.SUPERVISOR)
    now = office.now()
    async with office.db.transaction() as conn:
        item = await _load(conn, item_id)
        target = transition(
            item.status, Action.RESUME, supervisor.role, previous=item.suspended_from
        )
        await items.set_status(conn, item_id, target, now, suspended_from=None, status_reason=None)
        await audit.record(
            conn,
            at=now,
            person_id=supervisor.id,
            action="恢复",
            item_id=item_id,
            status=target.value,
        )
        changed = await _load(conn, item_id)
        liaisons, unreached = await _told(conn, changed)
        return await after(then, conn, Changed(changed, item.status, "", liaisons, unreached))


async def cancel_item(
    office: Office, person: Person | None, item_id: int, reason: str, then: Then | None = None
) -> Changed:
    """撤销: the item is withdrawn for good (the status table has no way back from 已撤销)."""
    return await _set_aside(office, person, item_id, reason, Action.CANCEL, then)


async def _set_aside(
    office: Office,
    person: Person | None,
    item_id: int,
    reason: str,
    action: Action,
    then: Then | None,
) -> Changed:
    """暂停 or 撤销, with a reason: only a suspension remembers where the item was."""
    supervisor = require(person, Role.SUPERVISOR)
    reason = inputs.text(reason, "reason", f"{action.value}理由")
    now = office.now()
    async with office.db.transaction() as conn:
        item = await _load(conn, item_id)
        target = transition(item.status, action, supervisor.role)
        kept = item.status if action is Action.SUSPEND else None
        await items.set_status(
            conn, item_id, target, now, suspended_from=kept, status_reason=reason
        )
        await audit.record(
            conn,
            at=now,
            person_id=supervisor.id,
            action=action.value,
            item_id=item_id,
            status_from=item.status,
            reason=reason,
        )
        changed = await _load(conn, item_id)
        liaisons, unreached = await _told(conn, changed)
        return await after(then, conn, Changed(changed, item.status, reason, liaisons, unreached))

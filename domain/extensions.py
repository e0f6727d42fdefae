"""申请延期: the lead unit asks for a later deadline before it runs out; a supervisor decides.

The unit asks while it still can keep its word: on or before the deadline day. Once the day
has passed the item is overdue, and what happens to it is the office's call, not the unit's.
Every granted change of deadline is an audit row ("同意延期", old → new): that row is the
item's deadline history. One open request per item, so a decision always answers the request
the supervisor read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain import inputs
from domain.errors import Refusal
from domain.items import Action, Status, sources, transition
from domain.models import Extension, Item, Person, Role, Unit
from domain.office import Office, Then, after, require, unit_of
from storage import audit, extensions, items, people, units
from storage.db import Conn

GRANTED, REFUSED = "granted", "refused"


@dataclass
class Requested:
    """A request was filed: the unit is told it went in, the supervisors get the card."""

    item: Item
    extension_id: int
    unit: Unit
    old_deadline: date
    new_deadline: date
    reason: str
    supervisors: list[Person]


@dataclass
class Decided:
    """A supervisor answered: the requesting unit's liaisons hear the decision."""

    item: Item
    extension_id: int
    granted: bool
    old_deadline: date
    new_deadline: date
    reason: str  # the refusal's reason; empty when granted
    unit: Unit
    liaisons: list[Person]


def check_new_deadline(item: Item, new_deadline: date) -> date:
    """A new deadline must move the item's deadline later, or it is no extension at all."""
    if new_deadline <= item.deadline:
        raise Refusal(
            "extension_not_later",
            deadline=item.deadline.isoformat(),
            value=new_deadline.isoformat(),
        )
    return new_deadline


async def extendable(office: Office, person: Person | None) -> list[Item]:
    """The liaison's items the unit leads, has signed, and may ask to extend now."""
    liaison = require(person, Role.LIAISON)
    unit_id = unit_of(liaison)
    async with office.db.read() as conn:
        found = await items.search(
            conn, statuses=sources(Action.REQUEST_EXTENSION, liaison.role), unit_id=unit_id
        )
    return [i for i in found if i.led_by(unit_id) and i.signed_by(unit_id)]


async def check_request(office: Office, person: Person | None, item_id: int) -> Item:
    """Refuse before the liaison types a date and a reason, if no request could be filed."""
    liaison = require(person, Role.LIAISON)
    async with office.db.read() as conn:
        return await _requestable(office, conn, liaison, item_id)


async def _requestable(office: Office, conn: Conn, liaison: Person, item_id: int) -> Item:
    item = await items.get(conn, item_id)
    if item is None:
        raise Refusal("item_unknown")
    mine = item.unit(liaison.unit_id)
    if mine is None:
        raise Refusal("not_your_item")
    if not mine.is_lead:
        raise Refusal("extension_lead_only")
    if not mine.signed_at:
        raise Refusal("extension_sign_first")
    pending = await extensions.open_request(conn, item_id)
    if pending is not None:
        raise Refusal(
            "extension_pending",
            at=pending.requested_at,
            new_deadline=pending.new_deadline,
        )
    transition(item.status, Action.REQUEST_EXTENSION, liaison.role)
    if office.clock.today() > item.deadline:
        raise Refusal("extension_too_late", deadline=item.deadline.isoformat())
    return item


async def request_extension(
    office: Office,
    person: Person | None,
    item_id: int,
    new_deadline: date,
    reason: str,
    then: Then | None = None,
) -> Requested:
    """File the request: the item waits on the office's answer (申请延期) until it decides."""
    liaison = require(person, Role.LIAISON)
    reason = inputs.text(reason, "reason", "延期理由")
    now = office.now()
    async with office.db.transaction() as conn:
        item = await _requestable(office, conn, liaison, item_id)
        check_new_deadline(item, new_deadline)
        target = transition(item.status, Action.REQUEST_EXTENSION, liaison.role)
        extension_id = await extensions.insert_request(
            conn, item, liaison, new_deadline=new_deadline, reason=reason, now=now
        )
        await items.set_status(conn, item_id, target, now)
        await audit.record(
            conn,
            at=now,
            person_id=liaison.id,
            action=Action.REQUEST_EXTENSION.value,
            item_id=item_id,
            unit_id=liaison.unit_id,
            extension_id=extension_id,
            old_deadline=item.deadline.isoformat(),
            new_deadline=new_deadline.isoformat(),
            reason=reason,
        )
        unit = await units.known(conn, unit_of(liaison))
        supervisors = await people.with_role(conn, Role.SUPERVISOR)
        changed = await items.known(conn, item_id)
        done = Requested(
            changed, extension_id, unit, item.deadline, new_deadline, reason, supervisors
        )
        return await after(then, conn, done)


async def check_decision(office: Office, person: Person | None, extension_id: int) -> None:
    """Refuse 不同意延期 before the reason is typed, if the request cannot be decided now."""
    supervisor = require(person, Role.SUPERVISOR)
    async with office.db.read() as conn:
        await _decidable(conn, supervisor, extension_id, Action.REFUSE_EXTENSION)


async def _decidable(
    conn: Conn, supervisor: Person, extension_id: int, action: Action
) -> tuple[Extension, Item, Status]:
    row = await extensions.get(conn, extension_id)
    if row is None:
        raise Refusal("extension_unknown")
    if row.decision is not None:
        who = await people.get(conn, row.decided_by) if row.decided_by else None
        raise Refusal(
            "extension_decided",
            granted=row.decision == GRANTED,
            at=row.decided_at or "",
            who=who.name if who else "",
        )
    item = await items.get(conn, row.item_id)
    if item is None:
        raise Refusal("item_unknown")
    return row, item, transition(item.status, action, supervisor.role)


async def grant_extension(
    office: Office, person: Person | None, extension_id: int, then: Then | None = None
) -> Decided:
    """同意延期: the item gets the new deadline; the audit row keeps the old one beside it."""
    supervisor = require(person, Role.SUPERVISOR)
    now = office.now()
    async with office.db.transaction() as conn:
        row, item, target = await _decidable(conn, supervisor, extension_id, Action.GRANT_EXTENSION)
        old, new = date.fromisoformat(row.old_deadline), date.fromisoformat(row.new_deadline)
        await items.set_status(conn, item.id, target, now, deadline=new.isoformat())
        await extensions.decide(conn, extension_id, GRANTED, supervisor, now, refusal_reason=None)
        await audit.record(
            conn,
            at=now,
            person_id=supervisor.id,
            action="同意延期",
            item_id=item.id,
            unit_id=row.unit_id,
            extension_id=extension_id,
            old_deadline=old.isoformat(),
            new_deadline=new.isoformat(),
            note=f"{old.isoformat()} → {new.isoformat()}",
        )
        return await after(then, conn, await _decided(conn, row, True, ""))


async def refuse_extension(
    office: Office, person: Person | None, extension_id: int, reason: str, then: Then | None = None
) -> Decided:
    """不同意延期: the deadline stands; the unit is told why."""
    supervisor = require(person, Role.SUPERVISOR)
    reason = inputs.text(reason, "reason", "理由")
    now = office.now()
    async with office.db.transaction() as conn:
        row, item, target = await _decidable(
            conn, supervisor, extension_id, Action.REFUSE_EXTENSION
        )
        await items.set_status(conn, item.id, target, now)
        await extensions.decide(conn, extension_id, REFUSED, supervisor, now, refusal_reason=reason)
        await audit.record(
            conn,
            at=now,
            person_id=supervisor.id,
            action="不同意延期",
            item_id=item.id,
            unit_id=row.unit_id,
            extension_id=extension_id,
            old_deadline=row.old_deadline,
            new_deadline=row.new_deadline,
            reason=reason,
        )
        return await after(then, conn, await _decided(conn, row, False, reason))


async def _decided(conn: Conn, row: Extension, granted: bool, reason: str) -> Decided:
    return Decided(
        item=await items.known(conn, row.item_id),
        extension_id=row.id,
        granted=granted,
        old_deadline=date.fromisoformat(row.old_deadline),
        new_deadline=date.fromisoformat(row.new_deadline),
        reason=reason,
        unit=await units.known(conn, row.unit_id),
        liaisons=await people.liaisons(conn, row.unit_id),
    )

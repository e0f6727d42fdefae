"""立项 to 签收: open an item, approve or return its letter, queue it, sign, name the owner.

Each function is one user action: it loads what it needs, asks the rules, and writes the
state change with its audit row in one transaction, or refuses and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from domain import buttons
from domain.errors import Refusal
from domain.items import DRAFTS, SETTLED, SIGNABLE, Action, Status, may_approve, transition
from domain.models import Category, Draft, Item, Person, Role, Unit
from domain.office import Office, Then, after, require, unit_of
from storage import audit, items, outbox, people, units
from storage.db import Conn
from storage.outbox import Push


@dataclass
class Opened:
    item: Item
    approvers: list[Person] = field(default_factory=list)


@dataclass
class Recipients:
    """Who a letter goes to: every active liaison of each unit, and units nobody can receive."""

    by_unit: list[tuple[Unit, list[Person]]]

    @property
    def unreachable(self) -> list[Unit]:
        return [unit for unit, persons in self.by_unit if not persons]

    @property
    def reached(self) -> tuple[int, int]:
        """(units, liaisons) the letter is queued for."""
        return len(self.by_unit) - len(self.unreachable), sum(len(p) for _, p in self.by_unit)


@dataclass
class Approved:
    item: Item
    recipients: Recipients
    creator: Person | None


@dataclass
class Signed:
    item: Item
    unit: Unit
    supervisors: list[Person]


async def _approvers(office: Office, conn: Conn) -> list[Person]:
    leaders = await people.with_role(conn, Role.LEADER)
    if leaders:
        return leaders
    if office.supervisor_may_approve:
        return await people.with_role(conn, Role.SUPERVISOR)
    return []


async def _load(conn: Conn, item_id: int) -> Item:
    item = await items.get(conn, item_id)
    if item is None:
        raise Refusal("item_unknown")
    return item


async def _check_units(conn: Conn, draft: Draft) -> None:
    for unit_id in (draft.lead_unit_id, *draft.co_unit_ids):
        if await units.get(conn, unit_id) is None:
            raise Refusal("unknown_unit")


async def open_item(
    office: Office, person: Person | None, draft: Draft, then: Then | None = None
) -> Opened:
    """Save the form: 参阅性 is only recorded; anything else waits for a leader's 审定."""
    supervisor = require(person, Role.SUPERVISOR)
    now = office.now()
    status = Status.PENDING_APPROVAL if draft.category.needs_letter else Status.RECORDED
    async with office.db.transaction() as conn:
        await _check_units(conn, draft)
        item_id = await items.insert(conn, draft, status=status, created_by=supervisor.id, now=now)
        await audit.record(
            conn,
            at=now,
            person_id=supervisor.id,
            action="立项",
            item_id=item_id,
            status=status.value,
        )
        item = await items.known(conn, item_id)
        approvers = await _approvers(office, conn) if status in DRAFTS else []
        return await after(then, conn, Opened(item, approvers))


async def resubmit(
    office: Office, person: Person | None, item_id: int, draft: Draft, then: Then | None = None
) -> Opened:
    """A returned letter, revised by a supervisor, goes back for 审定."""
    supervisor = require(person, Role.SUPERVISOR)
    now = office.now()
    async with office.db.transaction() as conn:
        item = await _load(conn, item_id)
        target = transition(item.status, Action.RESUBMIT, supervisor.role)
        if draft.category is Category.REFERENCE:
            raise Refusal("resubmit_reference")
        await _check_units(conn, draft)
        await items.update_draft(conn, item_id, draft, now)
        await items.set_status(conn, item_id, target, now, return_reason=None)
        await audit.record(
            conn, at=now, person_id=supervisor.id, action="修改后重新提交", item_id=item_id
        )
        item = await items.known(conn, item_id)
        approvers = await _approvers(office, conn)
        return await after(then, conn, Opened(item, approvers))


async def approve(
    office: Office, person: Person | None, item_id: int, then: Then | None = None
) -> Approved:
    """审定: the letter gets the year's next serial and is ready to push to the units."""
    approver = require(person, Role.LEADER, Role.SUPERVISOR)
    now_dt = office.clock.now()
    now = office.now()
    async with office.db.transaction() as conn:
        item = await _load(conn, item_id)
        target = await _approver_may(office, conn, approver, item, Action.APPROVE)
        serial = await items.assign_serial(conn, item_id, now_dt.year)
        await items.set_status(
            conn, item_id, target, now, approved_by=approver.id, approved_at=now, sent_at=now
        )
        item = await items.known(conn, item_id)
        await audit.record(
            conn, at=now, person_id=approver.id, action="审定同意", item_id=item_id, serial=serial
        )
        recipients = await reach(conn, [u.unit_id for u in item.units])
        creator = await people.get(conn, item.created_by)
        done = await after(then, conn, Approved(item, recipients, creator))
        return replace(done, item=await send_fixed(office, conn, item_id, recipients))


def letter_push(item: Item, unit_id: int, person: Person | None) -> Push:
    """A letter (or 任务书) with its 签收 button, for the outbox: to one liaison, or to the
    unit (the sender picks whichever liaison can be reached, and holds it while none can)."""
    return Push(
        f"letter:{item.id}:{unit_id}" + (f":p{person.id}" if person else ""),
        "letter",
        "post_html",
        item.sent_at or item.created_at,
        item_id=item.id,
        unit_id=unit_id,
        person_id=person.id if person else None,
        chat_id=person.chat_id if person else None,
        context={"html": item.letter_html or ""},
        buttons=[[("签收", buttons.make(buttons.SIGN, item.id))]],
        automatic=False,
    )


async def reach(conn: Conn, unit_ids: list[int]) -> Recipients:
    """Every reachable liaison of each unit (an empty list for a unit nobody can receive)."""
    found = []
    for unit_id in unit_ids:
        unit = await units.known(conn, unit_id)
        found.append((unit, [p for p in await people.liaisons(conn, unit_id) if not p.unreachable]))
    return Recipients(found)


async def send_fixed(office: Office, conn: Conn, item_id: int, recipients: Recipients) -> Item:
    """Queue the letter as the caller's `then` fixed it (rendered and stored on the item in the
    same transaction: the domain renders nothing), to every reachable liaison, or to the unit
    (held until a liaison registers); the item as stored, letter included."""
    item = await items.known(conn, item_id)
    pushes = [
        push
        for unit, reachable in recipients.by_unit
        for push in letter_pushes(item, unit.id, reachable)
    ]
    await outbox.add_many(conn, pushes, office.now())
    return item


def letter_pushes(item: Item, unit_id: int, reachable: list[Person]) -> list[Push]:
    """The fixed letter to each reachable liaison of the unit, or to the unit (held until a
    liaison registers)."""
    if not item.letter_html:  # a caller forgot `then=fix_letters(…)`: never send an empty letter
        raise RuntimeError(f"item {item.id}: the letter was not fixed before it was queued")
    return [letter_push(item, unit_id, p) for p in reachable] or [letter_push(item, unit_id, None)]


async def _approver_may(
    office: Office, conn: Conn, approver: Person, item: Item, action: Action
) -> Status:
    """审定 and 退回修改: the letter must be waiting for 审定, and a supervisor stands in for a
    leader only where the office allows it and has none. Returns the status to move to."""
    target = transition(item.status, action, approver.role)
    leaders = await people.count_role(conn, Role.LEADER)
    if not may_approve(approver.role, leaders, office.supervisor_may_approve):
        raise Refusal("leader_must_approve")
    return target


async def may_return(office: Office, person: Person | None, item_id: int) -> None:
    """Asked before the 退回修改 reason is typed: refused now rather than after the typing."""
    approver = require(person, Role.LEADER, Role.SUPERVISOR)
    async with office.db.read() as conn:
        await _approver_may(
            office, conn, approver, await _load(conn, item_id), Action.RETURN_LETTER
        )


async def return_letter(
    office: Office, person: Person | None, item_id: int, reason: str, then: Then | None = None
) -> tuple[Item, Person | None]:
    """退回修改: the letter goes back to its drafter with the approver's reason."""
    approver = require(person, Role.LEADER, Role.SUPERVISOR)
    now = office.now()
    async with office.db.transaction() as conn:
        item = await _load(conn, item_id)
        target = await _approver_may(office, conn, approver, item, Action.RETURN_LETTER)
        await items.set_status(conn, item_id, target, now, return_reason=reason)
        await audit.record(
            conn, at=now, person_id=approver.id, action="退回修改", item_id=item_id, reason=reason
        )
        creator = await people.get(conn, item.created_by)
        item = await items.known(conn, item_id)
        return await after(then, conn, (item, creator))


async def sign(
    office: Office, person: Person | None, item_id: int, then: Then | None = None
) -> Signed:
    """签收 for the presser's unit; the lead unit's 签收 puts the item 办理中."""
    liaison = require(person, Role.LIAISON)
    now = office.now()
    async with office.db.transaction() as conn:
        item = await _load(conn, item_id)
        assigned = next((u for u in item.units if u.unit_id == liaison.unit_id), None)
        if assigned is None:
            raise Refusal("not_your_item")
        if assigned.signed_at:
            raise Refusal(
                "already_signed",
                at=assigned.signed_at[:16].replace("T", " "),
                who=assigned.signed_by_name or "",
            )
        if item.status not in SIGNABLE:
            raise Refusal("not_allowed_now", status=item.status, action="签收")
        if assigned.is_lead:
            target = transition(item.status, Action.LEAD_SIGN, liaison.role)
            await items.set_status(conn, item_id, target, now)
        await items.sign(conn, item_id, unit_of(liaison), liaison.id, now)
        await audit.record(
            conn,
            at=now,
            person_id=liaison.id,
            action="签收",
            item_id=item_id,
            unit_id=liaison.unit_id,
        )
        unit = await units.known(conn, unit_of(liaison))
        supervisors = await people.with_role(conn, Role.SUPERVISOR)
        item = await items.known(conn, item_id)
        return await after(then, conn, Signed(item, unit, supervisors))


async def set_responsible(
    office: Office, person: Person | None, item_id: int, name: str, title: str, phone: str
) -> Item:
    """承办责任人 for the presser's unit; may be corrected later, each change audited."""
    liaison = require(person, Role.LIAISON)
    now = office.now()
    async with office.db.transaction() as conn:
        item = await _load(conn, item_id)
        assigned = next((u for u in item.units if u.unit_id == liaison.unit_id), None)
        if assigned is None:
            raise Refusal("not_your_item")
        if not assigned.signed_at:
            raise Refusal("sign_first")
        if item.status in SETTLED:
            raise Refusal("not_allowed_now", status=item.status, action="报送承办责任人")
        await items.set_responsible(conn, item_id, unit_of(liaison), name, title, phone, now)
        await audit.record(
            conn,
            at=now,
            person_id=liaison.id,
            action="报送承办责任人",
            item_id=item_id,
            unit_id=liaison.unit_id,
            name=name,
            title=title,
        )
        return await items.known(conn, item_id)

"""回访 (回头看): closed key or long-running items are looked at again after a while.

```
closed ─schedule─► revisit 'scheduled' ─start_due (due day, item 已办结)─► 'asked', item 回访中
'asked' ─answer (lead unit's liaison)─► 'answered' ─finish─► 'done', item 已办结
                                                   ─reopen─► 'reopened', item 办理中
'scheduled' whose item was reopened or withdrawn ─► 'dropped'
```
An 'asked' revisit not yet answered is chased by the reminder policy (domain/policy.py,
kind "revisit"), in the lead unit's 今日待办. Every step is one transaction with its audit
row; a revisit's state is checked inside that transaction, so a second press, a second
liaison or a second tick finds it moved on and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from domain.errors import Refusal
from domain.items import REVISITS, Action, Status, sources, transition
from domain.models import Item, ItemUnit, Period, Person, Role
from domain.office import Office, Then, after, require
from domain.progress import has_difficulties
from storage import audit, items, outbox, people, reports
from storage import revisits as revisits_store
from storage.db import Conn
from storage.outbox import Push

LONG_RUNNING_DAYS = 90
KIND = "revisit"  # reports.kind of a revisit answer
OUTCOMES = {Action.FINISH_REVISIT: "done", Action.REOPEN: "reopened"}  # decision → state


@dataclass
class Due:
    """A revisit just started: the lead unit's liaisons to ask (supervisors, if none)."""

    revisit_id: int
    due_on: date
    item: Item
    liaisons: list[Person] = field(default_factory=list)
    supervisors: list[Person] = field(default_factory=list)


Invite = Callable[[Due, str], list[Push]]  # (started revisit, now) → its pushes


@dataclass
class Answered:
    """A liaison's answer, stored; every supervisor gets the card to decide on it."""

    revisit_id: int
    report_id: int
    item: Item
    unit_name: str
    sustained: bool
    current: str
    problems: str
    supervisors: list[Person] = field(default_factory=list)


@dataclass
class Decided:
    """回访完成 or 重办: the item as it is now and the liaisons to tell."""

    revisit_id: int
    item: Item
    reason: str = ""
    liaisons: list[Person] = field(default_factory=list)


def is_long_running(item: Item) -> bool:
    """Followed on a rhythm, with a deadline at least a quarter after the letter went out."""
    sent = date.fromisoformat((item.sent_at or item.created_at)[:10])
    return item.period is not Period.ONCE and (item.deadline - sent).days >= LONG_RUNNING_DAYS


def needs_revisit(item: Item) -> bool:
    """Key items and long-running items are revisited once closed (回头看)."""
    return item.is_key or is_long_running(item)


async def schedule(conn: Conn, office: Office, item: Item, closed_on: date) -> list[date]:
    """Store the revisit days (idempotent); called inside the closing transaction."""
    if not needs_revisit(item):
        return []
    days = [closed_on + timedelta(days=offset) for offset in office.revisit_days]
    await revisits_store.insert(conn, item.id, days)
    return days


async def start_due(office: Office, invite: Invite | None = None) -> list[Due]:
    """Today's due revisits: the item goes 回访中 and its lead unit is asked.

    A revisit waits while an earlier one of the same item is still open (回访中), and is
    dropped if the item is no longer closed (reopened, withdrawn): there is nothing to revisit.
    `invite` turns a started revisit into outbox pushes, written in the same transaction, so
    a crash can neither start a revisit nobody hears of nor ask twice.
    """
    now = office.now()
    started: list[Due] = []
    async with office.db.transaction() as conn:
        supervisors = await people.with_role(conn, Role.SUPERVISOR)
        for row in await revisits_store.due(conn, office.clock.today()):
            item = await items.known(conn, row.item_id)
            if item.status in REVISITS:
                continue
            if item.status not in sources(Action.START_REVISIT):
                await revisits_store.move(conn, row.id, "dropped", "scheduled")
                continue
            target = transition(item.status, Action.START_REVISIT, Role.SYSTEM)
            await items.set_status(conn, item.id, target, now)
            await revisits_store.move(conn, row.id, "asked", "scheduled", asked_at=now)
            await audit.record(
                conn,
                at=now,
                person_id=None,
                action="开始回访",
                item_id=item.id,
                revisit=row.id,
                due_on=row.due_on,
            )
            lead = item.lead
            liaisons = await people.liaisons(conn, lead.unit_id) if lead else []
            item = await items.known(conn, item.id)
            due_on = date.fromisoformat(row.due_on)
            started.append(Due(row.id, due_on, item, liaisons, supervisors))
            if invite is not None:
                await outbox.add_many(conn, invite(started[-1], now), now)
    return started


async def _asked(conn: Conn, liaison: Person, revisit_id: int) -> tuple[Item, ItemUnit]:
    """The revisit's item and the liaison's unit's part in it, if that unit leads it and the
    revisit still awaits an answer."""
    row = await revisits_store.load(conn, revisit_id)
    item = await items.known(conn, row.item_id)
    mine = item.unit(liaison.unit_id)
    if mine is None:
        raise Refusal("not_your_item")
    if not mine.is_lead:
        raise Refusal("revisit_lead_only")
    if row.state == "answered":
        raise Refusal("revisit_answered", at=row.answered_at or "", who=row.answered_by or "")
    if row.state != "asked":
        raise Refusal("revisit_over")
    return item, mine


async def may_answer(office: Office, person: Person | None, revisit_id: int) -> Item:
    """Asked when the form opens, so nobody types an answer that would be refused."""
    liaison = require(person, Role.LIAISON)
    async with office.db.read() as conn:
        item, _ = await _asked(conn, liaison, revisit_id)
        return item


async def answer(
    office: Office,
    person: Person | None,
    revisit_id: int,
    sustained: bool,
    current: str,
    problems: str,
    then: Then | None = None,
) -> Answered:
    """报送回访情况: stored as a 'revisit' report; the item stays 回访中 for the office."""
    liaison = require(person, Role.LIAISON)
    problems = problems if has_difficulties(problems) else ""
    now = office.now()
    async with office.db.transaction() as conn:
        item, mine = await _asked(conn, liaison, revisit_id)
        report_id = await reports.insert(
            conn,
            item_id=item.id,
            unit_id=mine.unit_id,
            person_id=liaison.id,
            kind=KIND,
            period_key=f"revisit-{revisit_id}",
            now=now,
            progress=current,
            difficulties=problems,
            sustained=sustained,
        )
        await revisits_store.move(conn, revisit_id, "answered", "asked", report_id=report_id)
        await audit.record(
            conn,
            at=now,
            person_id=liaison.id,
            action="报送回访情况",
            item_id=item.id,
            unit_id=liaison.unit_id,
            revisit=revisit_id,
            sustained=sustained,
        )
        supervisors = await people.with_role(conn, Role.SUPERVISOR)
        done = Answered(
            revisit_id, report_id, item, mine.unit_name, sustained, current, problems, supervisors
        )
        return await after(then, conn, done)


async def _answered(
    conn: Conn, supervisor: Person, revisit_id: int, action: Action
) -> tuple[Item, Status]:
    """The item and its next status, if the revisit waits for a decision and `action` fits."""
    row = await revisits_store.load(conn, revisit_id)
    if row.state in OUTCOMES.values():
        outcome = next(a for a, state in OUTCOMES.items() if state == row.state)
        at, who = row.decided_at or "", row.decided_name or ""
        raise Refusal("revisit_decided", outcome=outcome.value, at=at, who=who)
    if row.state != "answered":
        raise Refusal("revisit_not_answered")
    item = await items.known(conn, row.item_id)
    return item, transition(item.status, action, supervisor.role)


async def may_decide(
    office: Office, person: Person | None, revisit_id: int, action: Action
) -> None:
    """Asked before the 重办 reason is typed: refused now rather than after the typing."""
    supervisor = require(person, Role.SUPERVISOR)
    async with office.db.read() as conn:
        await _answered(conn, supervisor, revisit_id, action)


async def finish(
    office: Office, person: Person | None, revisit_id: int, then: Then | None = None
) -> Decided:
    """回访完成: the measures hold; the item is closed again (later revisits still come)."""
    return await _decide(office, person, revisit_id, Action.FINISH_REVISIT, "", then)


REOPEN_WORKDAYS = 15  # the time a reopened item gets, counted in working days from the 重办


async def reopen(
    office: Office, person: Person | None, revisit_id: int, reason: str, then: Then | None = None
) -> Decided:
    """重办: the measures did not hold; the item is 办理中 again, its later revisits dropped."""
    return await _decide(office, person, revisit_id, Action.REOPEN, reason, then)


async def _decide(
    office: Office,
    person: Person | None,
    revisit_id: int,
    action: Action,
    reason: str,
    then: Then | None = None,
) -> Decided:
    """回访完成 tells the lead unit; 重办 tells every unit, since co-units report again too."""
    supervisor = require(person, Role.SUPERVISOR)
    reopening = action is Action.REOPEN
    now = office.now()
    async with office.db.transaction() as conn:
        item, target = await _answered(conn, supervisor, revisit_id, action)
        extra: dict[str, str | None] = {}
        if reopening:  # a fresh deadline: the old one has long passed, the item would be red
            deadline = office.calendar.add_workdays(office.clock.today(), REOPEN_WORKDAYS)
            extra = {"status_reason": reason, "closed_at": None, "deadline": deadline.isoformat()}
        await items.set_status(conn, item.id, target, now, **extra)
        await revisits_store.move(
            conn,
            revisit_id,
            OUTCOMES[action],
            "answered",
            decided_by=supervisor.id,
            decided_at=now,
            reason=reason or None,
        )
        detail: dict[str, Any] = {}  # the audit row's JSON
        if reopening:
            detail = {
                "reason": reason,
                "dropped": await revisits_store.drop_scheduled(conn, item.id),
                "note": f"重办时限 {extra['deadline']}",
            }
        await audit.record(
            conn,
            at=now,
            person_id=supervisor.id,
            action=action.value,
            item_id=item.id,
            revisit=revisit_id,
            **detail,
        )
        item = await items.known(conn, item.id)
        told = [u for u in item.units if reopening or u.is_lead]
        liaisons = [p for u in told for p in await people.liaisons(conn, u.unit_id)]
        return await after(then, conn, Decided(revisit_id, item, reason, liaisons))

"""What the office can see and steer of the bot's own pushes: the queue, failures, mutes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from domain import queries
from domain.errors import Refusal
from domain.items import DECIDED
from domain.models import Person, Role, Unit
from domain.office import Office, labeller, require
from domain.policy import Rules, needs
from domain.workdays import WorkdayCalendar
from storage import audit, ledger_state, outbox, people, units
from storage.db import Conn
from storage.outbox import PROBLEM_STATES, Queued

SHOWN = 10  # problem rows listed, each with its 重新发送 button; the rest are counted
MUTE_WORKDAYS = (3, 5, 10)  # the buttons /mute offers, in working days
ON_ITEM = 3  # a person's own undelivered messages offered again on /item
DIGESTS = frozenset({"todo", "followup"})
# the one-rule-a-message reminders of earlier versions, dropped if still queued
LEGACY = frozenset(
    {"sign", "esc_sign", "responsible", "esc_responsible", "report_due", "report_late"}
    | {"esc_report", "deadline", "overdue", "esc_overdue", "revisit_remind", "esc_revisit"}
)


class Mute(NamedTuple):
    """A unit whose reminders are paused, and the last day of the pause."""

    unit: Unit
    until: str


@dataclass(frozen=True)
class Overview:
    counts: dict[str, int]
    problems: list[Queued]
    unreachable: list[queries.UnitStatus]
    muted: list[Mute]
    names: dict[int, str]  # who a person-addressed problem row was for

    @property
    def more(self) -> int:
        """Problem rows beyond those listed."""
        return sum(self.counts.get(s, 0) for s in PROBLEM_STATES) - len(self.problems)


async def overview(office: Office, person: Person | None) -> Overview:
    require(person, Role.SUPERVISOR)
    today = office.clock.today().isoformat()
    statuses = await queries.units_overview(office, person)
    async with office.db.read() as conn:
        counts = await outbox.counts(conn, today)
        problems = await outbox.problems(conn, SHOWN)
        muted = await outbox.mutes(conn, today)
        names = await _names(conn, {p.person_id for p in problems if p.person_id})
    by_id = {s.unit.id: s.unit for s in statuses}
    return Overview(
        counts,
        problems,
        [s for s in statuses if not s.reachable],
        [Mute(by_id[u], until) for u, until in muted.items() if u in by_id],
        names,
    )


async def _names(conn: Conn, person_ids: set[int]) -> dict[int, str]:
    found = [await people.get(conn, i) for i in sorted(person_ids)]
    return {p.id: p.name for p in found if p is not None}


@dataclass(frozen=True)
class Resent:
    push: Queued
    waits: bool  # addressed to a unit nobody in it can receive: held again until someone can


async def resend(office: Office, person: Person | None, push_id: int) -> Resent:
    """A failed, uncertain or held push goes back in the queue because a person asked.

    A supervisor may resend any of them (they see them all on /reminders); anyone else only
    a message addressed to them, such as a card that never reached them. An uncertain one may
    have arrived after all: the person asking has seen that it did not."""
    who = require(person)
    now = office.now()
    async with office.db.transaction() as conn:
        push = await outbox.get(conn, push_id)
        if push is None or (who.role is not Role.SUPERVISOR and push.person_id != who.id):
            raise Refusal("push_unknown")
        if not await outbox.resend(conn, push.id, outbox.epoch(now)):
            raise Refusal("push_not_stuck")
        waits = await _nobody_to_receive(conn, push)
        await audit.record(
            conn,
            at=now,
            person_id=who.id,
            action="重新发送",
            item_id=push.item_id,
            unit_id=push.unit_id,
            push=push.id,
            rule=push.rule,
            was=push.state,
        )
    return Resent(push, waits)


async def _nobody_to_receive(conn: Conn, push: Queued) -> bool:
    """The sender would hold it again at once: a unit's push and no liaison can receive it."""
    if push.person_id is not None or push.chat_id is not None or push.unit_id is None:
        return False
    return not [p for p in await people.liaisons(conn, push.unit_id) if not p.unreachable]


async def undelivered(office: Office, person: Person | None, item_id: int) -> list[Queued]:
    """The viewer's own messages about the item that failed or may not have arrived, newest
    last: offered again on /item, where they notice the card they never got."""
    if person is None:
        return []
    async with office.db.read() as conn:
        return (await outbox.undelivered_for(conn, item_id, person.id))[-ON_ITEM:]


async def mute(office: Office, person: Person | None, unit_text: str, until: date | None) -> Unit:
    """Pause a unit's pushes until a date (None lifts the mute); it still shows as late."""
    require(person, Role.SUPERVISOR)
    return await mute_unit(office, person, await find_unit(office, unit_text), until)


async def find_unit(office: Office, unit_text: str) -> int:
    """The one unit a typed name means (its full or short name, or the only one containing it)."""
    found = await queries.unit_list(office, unit_text)
    exact = [u for u in found if unit_text in (u.name, u.short_name)]
    if len(found) != 1 and len(exact) != 1:
        raise Refusal("unit_ambiguous" if found else "unit_not_found", text=unit_text[:30])
    return (exact or found)[0].id


async def mute_unit(
    office: Office, person: Person | None, unit_id: int, until: date | None
) -> Unit:
    """The same for a unit picked from a list; the supervisor is checked on every press."""
    supervisor = require(person, Role.SUPERVISOR)
    now = office.now()
    async with office.db.transaction() as conn:
        unit = await units.get(conn, unit_id)
        if unit is None:
            raise Refusal("unknown_unit")
        # a lifted mute is stored as ending yesterday, so the history stays in the audit
        day = until or date.fromordinal(office.clock.today().toordinal() - 1)
        await outbox.mute(conn, unit.id, day.isoformat(), supervisor.id, now)
        await audit.record(
            conn,
            at=now,
            person_id=supervisor.id,
            action="暂停提醒",
            unit_id=unit.id,
            note=f"至{day.isoformat()}" if until else "取消",
        )
    return unit


def mute_choices(today: date, calendar: WorkdayCalendar) -> dict[str, date | None]:
    """The common answers to 暂停到哪天: a few working days, the month's end, or lift it."""
    choices: dict[str, date | None] = {
        str(n): calendar.add_workdays(today, n) for n in MUTE_WORKDAYS
    }
    month_end = date(today.year + today.month // 12, today.month % 12 + 1, 1) - timedelta(1)
    if month_end > today:
        choices["m"] = month_end
    choices["off"] = None
    return choices


async def overtaken(office: Office, rules: Rules, rows: list[Queued]) -> set[int]:
    """The reminder rows no longer worth sending: a digest whose day has passed, a 今日待办
    whose unit was muted or settled every entry meanwhile (signed, reported, closed), and
    the per-rule reminders of earlier versions."""
    today = office.clock.today()
    stale = {r.id for r in rows if r.rule in LEGACY}
    digests = [r for r in rows if r.rule in DIGESTS and r.id not in stale]
    stale |= {r.id for r in digests if r.context.get("day") != today.isoformat()}
    todos = [r for r in digests if r.rule == "todo" and r.id not in stale and r.unit_id]
    if not todos:
        return stale
    items = {e["key"].split(":")[1] for r in todos for e in r.context.get("entries", [])}
    async with office.db.read() as conn:
        found = await ledger_state.assignments(
            conn, DECIDED, labeller(office.serial_format), {int(i) for i in items}
        )
    open_keys = {n.key for a in found for n in needs(a, today, office.calendar, rules)}
    muted = {a.unit_id for a in found if a.muted_until and a.muted_until >= today}
    return stale | {
        r.id
        for r in todos
        if r.unit_id in muted
        or not any(e["key"] in open_keys for e in r.context.get("entries", []))
    }

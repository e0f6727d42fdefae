"""The one reminder policy: what is missing, and what to do about it today.

Pure: no clock, no SQL, no Telegram. A `Need` is one missing thing of one unit on one item
(签收, 承办责任人, one period's report, the deadline passed), with the day it fell due and an
`epoch` naming what it belongs to (the letter, the period, the deadline value), so a new
period, a new deadline or an extension makes a new key and so a new ladder by itself.

Each need climbs a bounded ladder, one step a working day at most (an outage is caught up
step by step, never in a burst):

| step      | when                                                                  |
|-----------|-----------------------------------------------------------------------|
| remind #k | on working day ladder[k] after it fell due (default 1, 3, 5); not     |
|           | while the unit is muted                                               |
| escalate  | once, to the supervisors, from working day ladder[-1] + 1             |
| leader    | once, into the leader channel: key items with the escalation, others  |
|           | `leader_after` working days after it                                  |

An unanswered revisit (回访: the lead unit has not filled in 回访情况 since the invitation)
climbs the same ladder from the invitation day; only a key item's goes to the leader channel.

After the leader step nothing more is pushed: the item stays red in the views until it is
resolved. Heads-ups (the deadline in 3 and 1 working days, a report due tomorrow) are
one-step needs that never escalate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Protocol

from domain.items import REPORTING, REVISITS
from domain.models import Period
from domain.periods import Window, window
from domain.reminders import (
    CHASED,
    Assignment,
    counted_from_window,
    overdue_since,
    window_open,
)
from domain.workdays import WorkdayCalendar

REMIND, ESCALATE, LEADER = "remind", "escalate", "leader"
HEADS_UP = frozenset({"report_soon", "deadline_soon"})
# the button that fixes each kind of need (the handler's callback prefix is chosen in bot/)
FIX = {
    "sign": "sign",
    "responsible": "responsible",
    "report": "report",
    "report_soon": "report",
    "deadline_soon": "report",
    "revisit": "revisit",
}
URGENCY = ("overdue", "sign", "responsible", "report", "revisit", "deadline_soon", "report_soon")
KEY_ONLY = frozenset({"revisit"})  # needs whose leader step is for key items only


@dataclass(frozen=True)
class Rules:
    ladder: tuple[int, ...] = (1, 3, 5)  # working days after falling due of each reminder
    leader_after: int = 5  # working days from the escalation to the leader channel
    responsible_due: int = 5  # working days after 签收 to name the 承办责任人
    report_before: int = 1  # heads-up this many working days before a report is due
    deadline_warn: tuple[int, ...] = (3, 1)  # heads-ups before the deadline


@dataclass(frozen=True)
class Need:
    kind: str
    item_id: int
    unit_id: int
    since: date  # the day it fell due: the ladder counts working days from it
    epoch: str
    is_key: bool = False
    fix: str = ""
    context: dict[str, Any] = field(default_factory=dict, compare=False)  # the template's

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.item_id}:{self.unit_id}:{self.epoch}"

    @property
    def heads_up(self) -> bool:
        return self.kind in HEADS_UP


@dataclass(frozen=True, slots=True)
class Chase:
    """One step taken for a need, with the state of the message that carried it (None when
    no outbox row did: a leader-channel alert)."""

    need_key: str
    step: str
    day: date
    state: str | None = None

    @property
    def counts(self) -> bool:
        """A dropped row never went out (its day passed first): the step is taken again."""
        return self.state != "dropped"


@dataclass(frozen=True)
class Told:
    """What was really done before an escalation, as the outbox backs it."""

    sent: tuple[date, ...] = ()
    held: int = 0  # no liaison could receive it
    failed: int = 0  # failed, or may not have arrived
    waiting: int = 0  # still queued
    muted_until: date | None = None


@dataclass(frozen=True)
class Step:
    action: str
    need: Need
    n: int = 0  # which reminder (1-based)
    told: Told | None = None  # on an escalation


class Say(Protocol):
    """How the rules name a need they found (`needs` collects them)."""

    def __call__(
        self, kind: str, since: date, epoch: str, fix: str = "", **ctx: object
    ) -> None: ...


def needs(a: Assignment, today: date, cal: WorkdayCalendar, rules: Rules) -> list[Need]:
    """Everything missing of this unit on this item today, heads-ups included."""
    if a.status in REVISITS:
        return revisit(a, today, cal)
    if a.status not in CHASED or not window_open(a, today):
        return []
    sent = a.sent_on  # what the unit is told; the waiting counts from the window
    a = counted_from_window(a)
    base = {
        "serial": a.serial,
        "title": a.title,
        "unit": a.unit_name,
        "is_key": a.is_key,
        "deadline": a.deadline.isoformat(),
    }
    found: list[Need] = []

    def need(kind: str, since: date, epoch: str, fix: str = "", **ctx: object) -> None:
        shown = {"since": since.isoformat(), "workdays": cal.workdays_between(since, today)}
        context = {**base, **shown, **ctx, "kind": kind}
        fix = fix or FIX[kind]
        found.append(Need(kind, a.item_id, a.unit_id, since, epoch, a.is_key, fix, context))

    if a.signed_on is None:
        need("sign", a.sent_on, sent.isoformat(), sent=sent.isoformat())
    elif not a.responsible_set:
        due = cal.add_workdays(a.signed_on, rules.responsible_due)
        if today > due:
            need("responsible", due, a.signed_on.isoformat(), signed=a.signed_on.isoformat())
    if a.signed_on is not None and a.status in REPORTING and a.period is not Period.ONCE:
        _reports(a, a.signed_on, today, cal, rules, need)
    _deadline(a, today, cal, rules, need)
    return found


def revisit(a: Assignment, today: date, cal: WorkdayCalendar) -> list[Need]:
    """The lead unit's unanswered revisit, due from the invitation day; its button opens the
    revisit's form, so the revisit (not the item) is what it names."""
    if a.revisit_id is None or a.revisit_asked_on is None:
        return []
    since = a.revisit_asked_on
    context = {
        "serial": a.serial,
        "title": a.title,
        "unit": a.unit_name,
        "is_key": a.is_key,
        "asked": since.isoformat(),
        "since": since.isoformat(),
        "workdays": cal.workdays_between(since, today),
        "kind": "revisit",
        "fix_id": a.revisit_id,
    }
    epoch = str(a.revisit_id)
    return [Need("revisit", a.item_id, a.unit_id, since, epoch, a.is_key, "revisit", context)]


def _reports(
    a: Assignment, signed: date, today: date, cal: WorkdayCalendar, rules: Rules, need: Say
) -> None:
    """The first report missed since the last one (one ladder until the unit reports again,
    however many periods pass); a heads-up the day before this period's is due."""
    current = window(a.period, today, a.sent_on, a.deadline)
    due = current.due_day(cal)
    reported = a.last_report_on is not None and a.last_report_on >= current.start
    ahead = cal.workdays_between(today, due)
    if not reported and due > signed and 0 <= ahead <= rules.report_before:
        need("report_soon", due, current.key, due=due.isoformat(), left=ahead)
    missed = first_missed(a, signed, cal)
    if missed is not None and missed.start < current.start:
        last_due = missed.due_day(cal)
        need("report", last_due, missed.key, due=last_due.isoformat())


def first_missed(a: Assignment, signed: date, cal: WorkdayCalendar) -> Window | None:
    """The first period after the last report (or after 签收) whose due day came after 签收."""
    if a.last_report_on is not None and a.last_report_on >= signed:
        found = _next(a, window(a.period, a.last_report_on, a.sent_on, a.deadline))
    else:
        found = window(a.period, signed, a.sent_on, a.deadline)
    while found is not None and found.due_day(cal) <= signed:
        found = _next(a, found)
    return found


def _next(a: Assignment, w: Window) -> Window | None:
    following = window(a.period, w.end + timedelta(days=1), a.sent_on, a.deadline)
    return None if following.start == w.start else following


def _deadline(a: Assignment, today: date, cal: WorkdayCalendar, rules: Rules, need: Say) -> None:
    """A heads-up at each warning threshold reached (the nearest one), then overdue."""
    if today > a.deadline:  # the unit's next move: sign first if it never did
        fix = "report" if a.signed_on else "sign"
        need("overdue", overdue_since(a), a.deadline.isoformat(), fix=fix)
        return
    if a.signed_on is None:
        return
    left = cal.workdays_between(today, a.deadline)
    reached = [w for w in rules.deadline_warn if left <= w]
    if reached:
        mark = min(reached)
        need("deadline_soon", a.deadline, f"{a.deadline.isoformat()}-{mark}", left=left)


def steps(
    need: Need,
    history: list[Chase],
    today: date,
    cal: WorkdayCalendar,
    rules: Rules,
    muted_until: date | None = None,
) -> list[Step]:
    """Today's step on this need's ladder, if any (`today` is a working day)."""
    done = [c for c in history if c.counts]
    if any(c.day == today for c in done) or any(c.step == LEADER for c in done):
        return []  # one step a day; nothing after the leader channel
    muted = muted_until is not None and today <= muted_until
    reminded = sum(c.step == REMIND for c in done)
    if need.heads_up:
        return [] if reminded or muted else [Step(REMIND, need, 1)]
    escalated = [c.day for c in done if c.step == ESCALATE]
    if escalated:
        later = cal.workdays_between(min(escalated), today) >= rules.leader_after
        leader = Step(LEADER, need, told=told(history, muted_until if muted else None))
        return [leader] if need.is_key or (later and need.kind not in KEY_ONLY) else []
    waited = cal.workdays_between(need.since, today)
    if reminded < len(rules.ladder) and not muted:
        return [Step(REMIND, need, reminded + 1)] if waited >= rules.ladder[reminded] else []
    if waited <= rules.ladder[-1]:
        return []
    facts = told(history, muted_until if muted else None)
    escalate, leader = Step(ESCALATE, need, told=facts), Step(LEADER, need, told=facts)
    return [escalate, leader] if need.is_key else [escalate]


def told(history: list[Chase], muted_until: date | None = None) -> Told:
    """The reminders of a need as their messages fared: sent on which days, held for want of
    a liaison, failed, or still waiting."""
    reminders = [c for c in history if c.step == REMIND and c.counts]
    return Told(
        sent=tuple(sorted(c.day for c in reminders if c.state == "sent")),
        held=sum(c.state == "held" for c in reminders),
        failed=sum(c.state in ("failed", "uncertain") for c in reminders),
        waiting=sum(c.state in ("pending", "sending") for c in reminders),
        muted_until=muted_until,
    )


def decide(
    found: list[Assignment],
    history: dict[str, list[Chase]],
    today: date,
    cal: WorkdayCalendar,
    rules: Rules,
) -> list[Step]:
    """Every step due today across the ledger, most urgent first."""
    taken = [
        s
        for a in found
        for n in needs(a, today, cal, rules)
        for s in steps(n, history.get(n.key, []), today, cal, rules, a.muted_until)
    ]
    return sorted(taken, key=urgency)


def urgency(step: Step) -> tuple[bool, int, date]:
    return (not step.need.is_key, URGENCY.index(step.need.kind), step.need.since)


def next_decision(a: Assignment, today: date, cal: WorkdayCalendar) -> date:
    """The day this assignment next needs deciding, if nothing changes before (a change sets
    it to now in storage). Every rule counts working days from `today`'s facts, so the next
    working day is always safe; a seasonal window that opens later waits for its first day."""
    following = cal.next_workday(today)
    if a.chase_from is not None and a.chase_from > following:
        return a.chase_from
    return following

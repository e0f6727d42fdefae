"""Which pushes are due: given the ledger and a working day, the reminder rules decide.

Pure: no clock, no SQL, no Telegram. Each decision carries a `period` so that storage can
make "one push per (rule, item, unit, period)" a unique key. Daily reminders use the day as
their period; escalations use the thing they escalate (a report period, a deadline, "once").

| what is missing       | unit is pushed                          | supervisors are told        |
|-----------------------|-----------------------------------------|-----------------------------|
| 签收                  | from working day 1 after sending, daily | from working day 2, once    |
| 承办责任人            | from working day 4 after 签收, daily    | on working day 6, once      |
| the period's report   | 1 working day before the due day and on | 2 working days late, once   |
|                       | it; daily while late                    |                             |
| the deadline          | 3 and 1 working days before             | —                           |
| overdue (催办)        | daily from the day after, at most N     | 2 working days late, once;  |
|                       |                                         | key items: leader channel   |
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from domain.items import Status
from domain.models import Period
from domain.periods import window
from domain.workdays import WorkdayCalendar

CHASED = frozenset(
    {
        Status.AWAITING_SIGN,
        Status.IN_PROGRESS,
        Status.EXTENSION_REQUESTED,
        Status.RETURNED_FOR_SUPPLEMENT,
    }
)
# every rule `decide` can return for a unit or the supervisors (the outbox's rule names)
RULES = frozenset(
    {
        "sign",
        "esc_sign",
        "responsible",
        "esc_responsible",
        "report_due",
        "report_late",
        "esc_report",
        "deadline",
        "overdue",
        "esc_overdue",
    }
)
REPORTING = frozenset(
    {Status.IN_PROGRESS, Status.EXTENSION_REQUESTED, Status.RETURNED_FOR_SUPPLEMENT}
)


@dataclass(frozen=True)
class Rules:
    sign_first: int = 1
    sign_escalate: int = 2
    responsible_first: int = 4
    responsible_escalate: int = 6
    report_before: int = 1
    report_escalate: int = 2
    deadline_warn: tuple[int, ...] = (3, 1)
    overdue_max: int = 5
    overdue_escalate: int = 2


@dataclass(frozen=True)
class Assignment:
    """One unit's part in one item, as the rules need to see it."""

    item_id: int
    title: str
    serial: str
    status: str
    is_key: bool
    period: Period
    deadline: date
    sent_on: date
    unit_id: int
    unit_name: str
    is_lead: bool
    signed_on: date | None = None
    responsible_set: bool = False
    last_report_on: date | None = None
    muted_until: date | None = None
    chase_from: date | None = None  # a seasonal window: nothing is chased before it opens


@dataclass(frozen=True)
class Due:
    rule: str
    audience: str  # unit | supervisors | leader
    item_id: int
    unit_id: int
    period: str
    fix: str = ""  # the button that fixes it: sign | responsible | report
    context: dict = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.rule}:{self.item_id}:{self.unit_id}:{self.period}"


def decide(a: Assignment, today: date, cal: WorkdayCalendar, rules: Rules) -> list[Due]:
    """Everything due for this assignment today (today must be a working day)."""
    if a.status not in CHASED or not window_open(a, today):
        return []
    sent = a.sent_on  # what the unit is told; the waiting counts from the window
    a = counted_from_window(a)
    found: list[Due] = []
    base = {
        "serial": a.serial,
        "title": a.title,
        "unit": a.unit_name,
        "is_key": a.is_key,
        "deadline": a.deadline.isoformat(),
    }

    def unit(rule: str, period: str, fix: str, **ctx) -> None:
        found.append(Due(rule, "unit", a.item_id, a.unit_id, period, fix, {**base, **ctx}))

    def escalate(rule: str, period: str, **ctx) -> None:
        found.append(Due(rule, "supervisors", a.item_id, a.unit_id, period, "", {**base, **ctx}))

    def leader(rule: str, period: str, **ctx) -> None:
        found.append(Due(rule, "leader", a.item_id, a.unit_id, period, "", {**base, **ctx}))

    day = today.isoformat()
    if a.signed_on is None:
        waited = cal.workdays_between(a.sent_on, today)
        if waited >= rules.sign_first:
            unit("sign", day, "sign", since=sent.isoformat(), workdays=waited)
        if waited >= rules.sign_escalate:
            escalate("esc_sign", "once", since=sent.isoformat(), workdays=waited)
    elif not a.responsible_set:
        waited = cal.workdays_between(a.signed_on, today)
        if waited >= rules.responsible_first:
            unit("responsible", day, "responsible", since=a.signed_on.isoformat(), workdays=waited)
        if waited >= rules.responsible_escalate:
            escalate("esc_responsible", "once", since=a.signed_on.isoformat(), workdays=waited)
    if a.signed_on is not None and a.status in REPORTING and a.period is not Period.ONCE:
        _reports(a, today, cal, rules, unit, escalate)
    _deadline(a, today, cal, rules, unit, escalate, leader)
    if a.muted_until is not None and today <= a.muted_until:
        found = [d for d in found if d.audience != "unit"]
    return found


def _reports(a: Assignment, today: date, cal: WorkdayCalendar, rules: Rules, unit, escalate):
    """Before and on the due day of this period; then daily while the last period is missing."""
    current = window(a.period, today, a.sent_on, a.deadline)
    due = current.due_day(cal)
    reported = a.last_report_on is not None and a.last_report_on >= current.start
    if not reported and due > a.signed_on and today <= due:
        ahead = cal.workdays_between(today, due)
        if ahead <= rules.report_before:
            unit(
                "report_due",
                f"{current.key}:{today.isoformat()}",
                "report",
                period_key=current.key,
                due=due.isoformat(),
            )
    previous = window(a.period, current.start - timedelta(days=1), a.sent_on, a.deadline)
    if previous.start == current.start:
        return
    last_due = previous.due_day(cal)
    missing = a.last_report_on is None or a.last_report_on < previous.start
    if missing and last_due > a.signed_on and last_due < today:
        late = cal.workdays_between(last_due, today)
        unit(
            "report_late",
            f"{previous.key}:{today.isoformat()}",
            "report",
            period_key=previous.key,
            due=last_due.isoformat(),
            workdays=late,
        )
        if late >= rules.report_escalate:
            escalate(
                "esc_report",
                previous.key,
                period_key=previous.key,
                due=last_due.isoformat(),
                workdays=late,
            )


def _deadline(a, today: date, cal: WorkdayCalendar, rules: Rules, unit, escalate, leader):
    if today <= a.deadline:
        left = cal.workdays_between(today, a.deadline)
        if left in rules.deadline_warn and a.signed_on is not None:
            unit("deadline", f"{a.deadline.isoformat()}-{left}", "report", workdays=left)
        return
    late = cal.workdays_between(a.deadline, today)
    if a.is_key and a.is_lead and late >= 1:
        leader("key_red", a.deadline.isoformat(), workdays=late)
    if 1 <= late <= rules.overdue_max:
        unit("overdue", today.isoformat(), "report" if a.signed_on else "sign", workdays=late)
    if late >= rules.overdue_escalate:
        escalate("esc_overdue", a.deadline.isoformat(), workdays=late)
        if a.is_key and a.is_lead:
            leader("escalation", a.deadline.isoformat(), workdays=late)


def window_open(a: Assignment, today: date) -> bool:
    """A seasonal target is not chased (or judged behind) before its window opens."""
    return a.chase_from is None or today >= a.chase_from


def counted_from_window(a: Assignment) -> Assignment:
    """Once the window opens, waiting and report periods count from its first day."""
    if a.chase_from is None:
        return a
    signed = a.signed_on and max(a.signed_on, a.chase_from)
    return replace(a, sent_on=max(a.sent_on, a.chase_from), signed_on=signed)


def behind_on_reports(a: Assignment, today: date, cal: WorkdayCalendar) -> bool:
    """Whether the unit missed the last period's report (used by the traffic light)."""
    if not window_open(a, today):
        return False
    a = counted_from_window(a)
    if a.signed_on is None or a.period is Period.ONCE or a.status not in REPORTING:
        return False
    current = window(a.period, today, a.sent_on, a.deadline)
    previous = window(a.period, current.start - timedelta(days=1), a.sent_on, a.deadline)
    last_due = previous.due_day(cal)
    missing = a.last_report_on is None or a.last_report_on < previous.start
    return previous.start != current.start and missing and a.signed_on < last_due < today

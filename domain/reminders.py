"""An assignment as the reminder policy (domain/policy.py) and the lights see it, and the
seasonal window that holds every rule until it opens.

Pure: no clock, no SQL, no Telegram.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from domain.items import CHASED as CHASED  # defined with the other status groups
from domain.items import REPORTING, RUNNING, Status
from domain.models import Period
from domain.periods import window
from domain.workdays import WorkdayCalendar


@dataclass(frozen=True, slots=True)
class Assignment:
    """One unit's part in one item, as the rules need to see it."""

    item_id: int
    title: str
    serial: str
    status: Status
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
    chase_from: date | None = None  # a seasonal window, or the day a late import began
    revisit_id: int | None = None  # the lead unit's revisit asked and not yet answered
    revisit_asked_on: date | None = None


def window_open(a: Assignment, today: date) -> bool:
    """A seasonal target is not chased (or judged behind) before its window opens."""
    return a.chase_from is None or today >= a.chase_from


def counted_from_window(a: Assignment) -> Assignment:
    """Once the window opens, waiting and report periods count from its first day."""
    if a.chase_from is None:
        return a
    signed = a.signed_on and max(a.signed_on, a.chase_from)
    return replace(a, sent_on=max(a.sent_on, a.chase_from), signed_on=signed)


def overdue_since(a: Assignment) -> date:
    """The day lateness counts from: the deadline, or the import of a target already past it
    (a plan imported in November does not make a May target 126 working days late)."""
    return late_from(a.deadline, a.chase_from)


def late_from(deadline: date, chase_from: date | None) -> date:
    return max(deadline, chase_from) if chase_from else deadline


def days_overdue(deadline: date, chase_from: date | None, status: Status, today: date) -> int:
    """Calendar days a running item is past its deadline (0 otherwise), counted from the day
    lateness counts from, as the reminders count it."""
    since = late_from(deadline, chase_from)
    return (today - since).days if status in RUNNING and since < today else 0


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

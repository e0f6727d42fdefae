"""Reporting periods: which period a day falls in, for an item's rhythm, and its due day.

A period's key names it in the database (`2026-W48`, `2026-11`, `2026-11-23+14`, `once`), so
"one report per period" and "one reminder per period" are unique keys, not computations.
"""

from __future__ import annotations

import calendar as month_calendar
from dataclasses import dataclass
from datetime import date, timedelta

from domain.models import Period
from domain.workdays import WorkdayCalendar


@dataclass(frozen=True)
class Window:
    key: str
    start: date
    end: date

    def due_day(self, calendar: WorkdayCalendar) -> date:
        """The last working day of the period: when its report is due."""
        day = self.end
        while day > self.start and not calendar.is_workday(day):
            day -= timedelta(days=1)
        return day


def window(period: Period, day: date, anchor: date, deadline: date) -> Window:
    """The period containing `day`, for an item sent on `anchor` with `deadline`."""
    if period is Period.WEEKLY:
        start = day - timedelta(days=day.weekday())
        year, week, _ = day.isocalendar()
        return Window(f"{year}-W{week:02d}", start, start + timedelta(days=6))
    if period is Period.FORTNIGHTLY:
        first = anchor - timedelta(days=anchor.weekday())
        n = max(0, (day - first).days // 14)
        start = first + timedelta(days=14 * n)
        return Window(f"{start.isoformat()}+14", start, start + timedelta(days=13))
    if period is Period.MONTHLY:
        last = month_calendar.monthrange(day.year, day.month)[1]
        return Window(f"{day:%Y-%m}", day.replace(day=1), day.replace(day=last))
    return Window("once", anchor, max(anchor, deadline))

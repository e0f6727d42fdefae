"""红黄绿: one function decides an item's light, and every view asks it."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from domain.items import Status
from domain.workdays import WorkdayCalendar

YELLOW_WORKDAYS = 3
FINISHED = frozenset({Status.CLOSED, Status.REVISITING, Status.CANCELLED, Status.RECORDED})


class Light(StrEnum):
    GREEN = "绿"
    YELLOW = "黄"
    RED = "红"

    @property
    def icon(self) -> str:
        return {"绿": "🟢", "黄": "🟡", "红": "🔴"}[self.value]


def light(
    status: str,
    deadline: date,
    today: date,
    calendar: WorkdayCalendar,
    behind_on_reports: bool = False,
) -> Light:
    """Red: overdue. Yellow: within 3 working days of the deadline, or behind on reports."""
    if status in FINISHED:
        return Light.GREEN
    if today > deadline:
        return Light.RED
    if behind_on_reports or calendar.workdays_between(today, deadline) <= YELLOW_WORKDAYS:
        return Light.YELLOW
    return Light.GREEN

"""红黄绿: one function decides an item's light, and every view asks it."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from domain.items import Status
from domain.reminders import behind_on_reports
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


def worst(lights) -> Light:
    """An item is as red as its worst unit."""
    order = [Light.GREEN, Light.YELLOW, Light.RED]
    return max(lights, key=order.index, default=Light.GREEN)


def item_lights(assignments, today: date, calendar: WorkdayCalendar) -> dict[int, Light]:
    """Each item's light from its units' assignments (see domain.reminders.Assignment)."""
    per_item: dict[int, list[Light]] = {}
    for a in assignments:
        late = behind_on_reports(a, today, calendar)
        per_item.setdefault(a.item_id, []).append(
            light(a.status, a.deadline, today, calendar, late)
        )
    return {item_id: worst(found) for item_id, found in per_item.items()}

"""红黄绿: the one function that decides an item's light, and so its target's.

Every view (/items, /item, /plan, the weekly summary, the quarterly post, the ledger) asks
`light` through `item_lights`; a target's light is the light of the item carrying it, so a
target cannot be green in one place and red in another.

Pure: no clock, no SQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from domain.items import DRAFTS, FINISHED, STOPPED
from domain.plan.rules import time_percent
from domain.reminders import Assignment, behind_on_reports
from domain.workdays import WorkdayCalendar

YELLOW_WORKDAYS = 3
GREEN_GAP = 10  # percentage points of quantity behind time that still count as on track
YELLOW_GAP = 25


class Light(StrEnum):
    GREEN = "绿"
    YELLOW = "黄"
    RED = "红"

    @property
    def icon(self) -> str:
        return {"绿": "🟢", "黄": "🟡", "红": "🔴"}[self.value]


@dataclass(frozen=True)
class Pace:
    """A plan target's work against its time, as its item's light needs it."""

    start: date  # when the target's time begins
    final: date  # its last deadline (a 跨年度 target: the last milestone)
    progress: Decimal | None  # % of the goal reached (None: nothing reported)
    continues: bool = False  # 跨年度: closing this year's item does not finish the target

    def elapsed(self, today: date) -> int:
        return time_percent(self.start, self.final, today)


def light(
    status: str,
    deadline: date,
    today: date,
    calendar: WorkdayCalendar,
    behind_on_reports: bool = False,
    *,
    pace: Pace | None = None,
    chase_from: date | None = None,
) -> Light | None:
    """Red: overdue, or work far behind time. Yellow: within 3 working days of the deadline,
    behind on reports, or work behind time. None when there is nothing to judge: a draft, a
    withdrawn or reference-only item, or before its time begins (its window, its year)."""
    if status in DRAFTS or status in STOPPED:
        return None
    if status in FINISHED:  # a 跨年度 target goes on after this year's item: its pace still counts
        carried_on = _pace(pace, today) if pace and pace.continues else None
        return carried_on or Light.GREEN
    if (chase_from and today < chase_from) or (pace and today < pace.start):
        return None
    if today > deadline:
        return Light.RED
    near = calendar.workdays_between(today, deadline) <= YELLOW_WORKDAYS
    own = Light.YELLOW if behind_on_reports or near else Light.GREEN
    return worst([own, _pace(pace, today) or Light.GREEN])


def _pace(pace: Pace | None, today: date) -> Light | None:
    """Green when the work keeps up with the time (within 10 points), yellow within 25."""
    if pace is None or today < pace.start:
        return None
    gap = pace.elapsed(today) - (pace.progress if pace.progress is not None else 0)
    if gap <= GREEN_GAP:
        return Light.GREEN
    return Light.YELLOW if gap <= YELLOW_GAP else Light.RED


def worst(lights: Iterable[Light]) -> Light:
    """An item is as red as its worst unit."""
    order = [Light.GREEN, Light.YELLOW, Light.RED]
    return max(lights, key=order.index, default=Light.GREEN)


def item_lights(
    assignments: Iterable[Assignment],
    today: date,
    calendar: WorkdayCalendar,
    paces: dict[int, Pace] | None = None,
) -> dict[int, Light | None]:
    """Each item's light from its units' assignments (see domain.reminders.Assignment) and,
    for an item carrying a plan target, the target's pace (`paces` by item id)."""
    paces = paces or {}
    per_item: dict[int, list[Light | None]] = {}
    for a in assignments:
        late = behind_on_reports(a, today, calendar)
        found = light(
            a.status,
            a.deadline,
            today,
            calendar,
            late,
            pace=paces.get(a.item_id),
            chase_from=a.chase_from,
        )
        per_item.setdefault(a.item_id, []).append(found)
    return {
        item_id: worst(x for x in found if x) if any(found) else None
        for item_id, found in per_item.items()
    }

"""大事要事 as storage reads it back: a task, a target, and a target with its current item;
and the columns an import writes and compares (`TaskColumns`, `TargetColumns`).

Column for column with `plan_tasks` and `plan_targets` (dates and quantities stay the text the
sheet gave; `rules` turns them into dates and Decimals where it reasons about them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NotRequired, TypedDict

from domain.items import Status


class TaskColumns(TypedDict):
    """A task's columns as an import writes them; what an item of the task quotes."""

    title: str
    category: str
    leader: str
    is_key: int
    lead_unit_id: NotRequired[int]  # written, but no item needs it


class TargetColumns(TypedDict):
    """A target's columns as an import writes them (the code names the row, never changes)."""

    code: str
    title: str
    unit_id: int
    quantity: str | None
    measure: str
    shape: str
    start_on: str | None
    deadline: str
    period: str
    is_key: int


@dataclass(frozen=True, slots=True)
class PlanTask:
    id: int
    code: str
    title: str
    category: str
    leader: str
    lead_unit_id: int
    is_key: int
    year: int
    created_at: str
    updated_at: str
    lead_unit: str = ""  # the lead unit's name, when listed for a view


@dataclass(frozen=True, slots=True)
class PlanTarget:
    id: int
    task_id: int
    code: str
    title: str
    unit_id: int
    quantity: str | None
    measure: str
    shape: str
    start_on: str | None
    deadline: str
    period: str
    is_key: int
    created_at: str
    updated_at: str

    def columns(self) -> TargetColumns:
        """The columns as an import wrote them: what a roll-over opens the next item from."""
        return TargetColumns(
            code=self.code,
            title=self.title,
            unit_id=self.unit_id,
            quantity=self.quantity,
            measure=self.measure,
            shape=self.shape,
            start_on=self.start_on,
            deadline=self.deadline,
            period=self.period,
            is_key=self.is_key,
        )


@dataclass(frozen=True, slots=True)
class TargetLine(PlanTarget):
    """A target with its unit, its current item and the latest quantity and % reported."""

    unit_name: str = ""
    item_id: int | None = None
    status: Status | None = None
    item_deadline: str | None = None
    item_year: int | None = None
    serial: int | None = None
    plan_code: str | None = None
    reached: str | None = None
    percent: int | None = None


@dataclass(frozen=True, slots=True)
class RollingTarget(PlanTarget):
    """A 跨年度 target with what its next year's item takes from the task."""

    category: str = ""
    leader: str = ""
    task_title: str = ""
    task_key: int = 0

"""大事要事 rules: how far a target has got, how much of its time has gone, which milestone is
current, when a seasonal window opens, and when a multi-year target rolls into the next year.

Pure: no clock, no SQL. Quantities are `Decimal`s, exact as the office wrote them; a
percentage is rounded *down* to one decimal, so it never says more than the numbers do, and
it is never capped: a target reached 1.12 times over shows 112%.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from enum import StrEnum

from domain.errors import Refusal

MAX_QUANTITY = Decimal("1e12")
_NUMBER = re.compile(r"^([0-9][0-9,，]*(?:\.[0-9]+)?)\s*(\S*)$")
_IN_TEXT = re.compile(r"([0-9][0-9,]*(?:\.[0-9]+)?)\s*([^\s0-9，,；;。]?)")


class Shape(StrEnum):
    YEARLY = "年度"
    WITHIN_YEAR = "年内"
    MULTI_YEAR = "跨年度"


@dataclass(frozen=True, slots=True)
class Milestone:
    due: date
    title: str
    item_id: int | None = None  # 跨年度: the item carrying this year's milestone, once opened


def quantity_percent(reached: Decimal | None, goal: Decimal | None) -> Decimal | None:
    """Reached as a % of the goal, rounded down to 0.1, never capped; None if unknown."""
    if reached is None or not goal:
        return None
    return (reached * 100 / goal).quantize(Decimal("0.1"), rounding=ROUND_DOWN)


def time_percent(start: date, end: date, today: date) -> int:
    """How much of [start, end] has gone by today, 0–100 (time, unlike work, cannot overrun)."""
    if today < start:
        return 0
    if today >= end or end <= start:
        return 100
    return (today - start).days * 100 // (end - start).days


def start_of(
    shape: Shape, start_on: date | None, deadline: date, milestones: Sequence[Milestone]
) -> date:
    """Where a target's time begins: its window, its first milestone's year, or its year."""
    if start_on is not None:
        return start_on
    if shape is Shape.MULTI_YEAR and milestones:
        return date(milestones[0].due.year, 1, 1)
    return date(deadline.year, 1, 1)


def chase_from(shape: Shape, start_on: date | None) -> date | None:
    """A seasonal (年内) target with a window is not chased before the window opens."""
    return start_on if shape is Shape.WITHIN_YEAR else None


def started_late(window: date | None, deadline: date, today: date) -> date | None:
    """A target already past its deadline when it is imported is chased as overdue from the
    import, not from the past date; otherwise its window (if any) holds."""
    return today if deadline < today else window


def milestone_quantity(m: Milestone, measure: str) -> Decimal | None:
    """The quantity a milestone names in its own words ('上半年6场' → 6), if it names one in
    the target's measure (or names a bare number)."""
    for number, unit in _IN_TEXT.findall(m.title):
        if unit not in ("%", "％") and (unit == "" or measure.startswith(unit)):
            try:
                return Decimal(number.replace(",", ""))
            except InvalidOperation:
                return None
    return None


def milestone_reached(m: Milestone, measure: str, reached: Decimal | None, done: bool) -> bool:
    """✓ only for what was really reached: a milestone naming a quantity when the reported
    total reaches it; any other once its work is finished (its item, or the target, closed).
    A date passing is not progress."""
    goal = milestone_quantity(m, measure)
    if goal is not None:
        return reached is not None and reached >= goal
    return done


def quarter_checkpoints(year: int) -> tuple[date, ...]:
    """A 年度 target is looked at at the end of each quarter."""
    return (date(year, 3, 31), date(year, 6, 30), date(year, 9, 30), date(year, 12, 31))


def next_checkpoint(shape: Shape, deadline: date, today: date) -> date | None:
    """A 年度 target's next quarterly checkpoint (None past the year, or for other shapes)."""
    if shape is not Shape.YEARLY:
        return None
    return next((d for d in quarter_checkpoints(deadline.year) if d >= today), None)


def current_milestone(milestones: Sequence[Milestone], today: date) -> Milestone | None:
    """The first milestone not yet due (the last one once all are past); None if there are none."""
    if not milestones:
        return None
    return next((m for m in milestones if m.due >= today), milestones[-1])


def next_to_open(
    milestones: Sequence[Milestone], closed: set[int], today: date
) -> Milestone | None:
    """A 跨年度 target's next milestone, once the previous one's item is closed and its year
    has begun (closing 2026's milestone in November opens 2027's on its first day)."""
    opened = [m for m in milestones if m.item_id is not None]
    waiting = [m for m in milestones if m.item_id is None]
    if not waiting or not opened or opened[-1].item_id not in closed:
        return None
    following = waiting[0]
    return following if today >= date(following.due.year, 1, 1) else None


def task_percent(percents: Iterable[Decimal | None]) -> Decimal | None:
    """A task's progress: the mean of its targets', each counted at most 100% (one target far
    over its goal must not hide another far behind). Shown as such; targets keep their own."""
    known = [min(p, Decimal(100)) for p in percents if p is not None]
    if not known:
        return None
    return (sum(known, Decimal(0)) / len(known)).quantize(Decimal("0.1"), rounding=ROUND_DOWN)


def parse_quantity(value: str | None, measure: str) -> Decimal:
    """A cumulative quantity typed in the progress form: '3.5', '1,200', '3.5亿元'."""
    raw = (value or "").strip().replace(" ", "")
    match = _NUMBER.match(raw)
    if not match or match.group(2) not in ("", measure):
        raise Refusal("bad_quantity", value=raw[:20], measure=measure)
    try:
        number = Decimal(match.group(1).replace(",", "").replace("，", ""))
    except InvalidOperation:
        raise Refusal("bad_quantity", value=raw[:20], measure=measure) from None
    if number > MAX_QUANTITY or decimals(number) > 4:
        raise Refusal("bad_quantity", value=raw[:20], measure=measure)
    return normal(number)


def decimals(number: Decimal) -> int:
    """How many decimal places the number is written with (a finite one's exponent is an int)."""
    exponent = number.as_tuple().exponent
    return -exponent if isinstance(exponent, int) else 0


def normal(number: Decimal) -> Decimal:
    """10.0 → 10, 1.50 → 1.5: one spelling per value, without exponents."""
    number = number.normalize()
    return number.quantize(Decimal(1)) if number == number.to_integral() else number


def show(number: Decimal | None) -> str:
    """For people: 1200, 3.5, 112 (no exponent, no trailing zeros)."""
    return "" if number is None else format(normal(number), "f")

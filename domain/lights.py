"""The lights of items as the views need them: read once, decided by `domain.traffic.light`.

Every view that shows a light (/items, /item, /plan, the weekly summary, the quarterly post,
the ledger) gets it from here, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from domain.items import Status
from domain.plan import rules
from domain.plan.records import TargetLine
from domain.plan.rules import Milestone, Shape
from domain.reminders import Assignment
from domain.traffic import Light, Pace, item_lights
from domain.workdays import WorkdayCalendar
from storage import ledger_state
from storage import plan as store
from storage.db import Conn

EVERY_STATUS = tuple(Status)


def pace_of(row: TargetLine, milestones: list[Milestone]) -> Pace:
    """A target's pace from its row (storage.plan.targets) and milestones."""
    shape = Shape(row.shape)
    final = date.fromisoformat(row.deadline)
    start_on = date.fromisoformat(row.start_on) if row.start_on else None
    goal = store.decimal_or_none(row.quantity)
    if goal is not None:
        progress = rules.quantity_percent(store.decimal_or_none(row.reached), goal)
    else:
        progress = None if row.percent is None else Decimal(row.percent)
    continues = shape is Shape.MULTI_YEAR and any(m.item_id is None for m in milestones)
    return Pace(rules.start_of(shape, start_on, final, milestones), final, progress, continues)


async def paces(conn: Conn) -> dict[int, Pace]:
    """Each plan target's pace, by the id of the item carrying it now."""
    found = await store.all_milestones(conn)
    return {
        row.item_id: pace_of(row, found.get(row.id, []))
        for row in await store.targets(conn)
        if row.item_id is not None
    }


async def of_assignments(
    conn: Conn, found: list[Assignment], today: date, cal: WorkdayCalendar
) -> dict[int, Light | None]:
    """The lights of the items these assignments belong to."""
    return item_lights(found, today, cal, await paces(conn))


async def of_items(
    conn: Conn, today: date, cal: WorkdayCalendar, item_ids: Iterable[int] | None = None
) -> dict[int, Light | None]:
    """The lights of these items (every sent item when None); an item never sent has none."""
    found, paced = await facts(conn, item_ids)
    return item_lights(found, today, cal, paced)


async def facts(
    conn: Conn, item_ids: Iterable[int] | None = None
) -> tuple[list[Assignment], dict[int, Pace]]:
    """What `item_lights` decides the lights of these items from, read in one section."""
    ids = None if item_ids is None else list(item_ids)
    if ids == []:
        return [], {}
    found = await ledger_state.assignments(conn, EVERY_STATUS, lambda *_: "", ids)
    return found, await paces(conn)

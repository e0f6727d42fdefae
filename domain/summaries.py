"""The weekly 调度 summary for leaders: short, honest, what matters most first.

Selective (key items first, then what is overdue, then who has not reported) and honest
(bad news is not averaged away: every overdue item and every silent unit is named).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from operator import attrgetter
from typing import Any, NamedTuple

from domain import lights as item_lights
from domain.items import IN_WORK, Status
from domain.office import Office, labeller
from domain.reminders import CHASED, Assignment, behind_on_reports, overdue_since
from domain.traffic import Light
from storage import ledger_state, plan, summaries


@dataclass(frozen=True)
class ItemLine:
    serial: str
    title: str
    unit: str
    light: Light | None
    status: Status
    deadline: date
    progress: str = ""
    percent: int | None = None
    days_overdue: int = 0


COUNTED = IN_WORK  # what a summary counts as 在办: sent to the units and not finished
NOT_STARTED = "未开始"  # not judged yet: before its window or its year


class KeyGroup(NamedTuple):
    """The key items under one 分管领导 ('' for those of no named leader)."""

    leader: str
    lines: list[ItemLine]


@dataclass
class Weekly:
    today: date
    by_status: dict[Status, int]
    by_light: dict[str, int]
    key_items: list[ItemLine] = field(default_factory=list)
    overdue: list[ItemLine] = field(default_factory=list)
    silent_units: list[str] = field(default_factory=list)
    difficulties: list[dict[str, Any]] = field(default_factory=list)
    key_groups: list[KeyGroup] = field(default_factory=list)
    closed_total: int = 0  # all time: the open counts above must add up to 在办事项

    @property
    def open_total(self) -> int:
        return sum(self.by_light.values())


def by_leader(lines: list[tuple[str, ItemLine]]) -> list[KeyGroup]:
    """Key items grouped by the 分管领导 of their plan task (first seen first); items of no
    plan task, or of a task without a named leader, come last under ''."""
    groups: dict[str, list[ItemLine]] = {}
    for leader, item in lines:
        groups.setdefault(leader, []).append(item)
    named = [KeyGroup(k, v) for k, v in groups.items() if k]
    return named + ([KeyGroup("", groups[""])] if "" in groups else [])


async def weekly(office: Office, since: str) -> Weekly:
    """The summary as of today; `since` is when the previous summary was posted."""
    today = office.clock.today()
    cal = office.calendar
    async with office.db.read() as conn:
        counts = await summaries.status_counts(conn)
        found = await ledger_state.assignments(conn, COUNTED, labeller(office.serial_format))
        latest = await summaries.latest_progress(conn, {a.item_id for a in found})
        troubles = await summaries.difficulties_since(conn, since)
        in_charge = await plan.leaders_by_item(conn, {a.item_id for a in found if a.is_key})
        lights = await item_lights.of_assignments(conn, found, today, cal)
    leads = [a for a in found if a.is_lead]
    behind = {(a.item_id, a.unit_id) for a in found if behind_on_reports(a, today, cal)}

    def line(a: Assignment) -> ItemLine:
        report = latest.get((a.item_id, a.unit_id))
        overdue = cal.workdays_between(overdue_since(a), today) if today > a.deadline else 0
        return ItemLine(
            a.serial,
            a.title,
            a.unit_name,
            lights[a.item_id],
            a.status,
            a.deadline,
            report.progress if report else "",
            report.percent if report else None,
            overdue,
        )

    by_light = {str(x): 0 for x in Light} | {NOT_STARTED: 0}
    for value in lights.values():
        by_light[str(value) if value else NOT_STARTED] += 1
    chased = [a for a in leads if a.status in CHASED]
    # in the order the office has always read them: by label (the database groups by code)
    shown = sorted(
        (Status(st) for st, n in counts.items() if st in COUNTED and n), key=attrgetter("label")
    )
    in_work = {st: counts[st] for st in shown}
    summary = Weekly(today, in_work, by_light, closed_total=counts.get(Status.CLOSED, 0))
    summary.key_items = [line(a) for a in leads if a.is_key]
    summary.key_groups = by_leader(
        [(in_charge.get(a.item_id, ""), line(a)) for a in leads if a.is_key]
    )
    summary.overdue = sorted(
        (line(a) for a in chased if today > a.deadline), key=lambda x: -x.days_overdue
    )
    summary.silent_units = sorted({a.unit_name for a in found if (a.item_id, a.unit_id) in behind})
    label = labeller(office.serial_format)
    summary.difficulties = [
        {
            "serial": label(r.year, r.serial, r.item_id, r.plan_code),
            "title": r.title,
            "unit": r.unit_name,
            "text": r.difficulties,
            "is_key": bool(r.is_key),
        }
        for r in troubles
    ]
    return summary

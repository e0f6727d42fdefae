"""When the leader channel hears what: the weekly 调度, 报忧 digests, closure lines.

Posts are decided here and queued in the outbox with keys that name their period
(`weekly:2026-W48:1`), so a restart or a second tick never posts anything twice.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from domain.workdays import Hours, WorkdayCalendar, working_moment

IMPORTANCE = {"escalation": 0, "key_red": 1, "key_difficulty": 2, "unreachable": 3}


@dataclass(frozen=True, slots=True)
class Alert:
    """An alert kept for the channel, with the item and unit it is about (when it has them)."""

    id: int
    kind: str
    detail: str  # JSON
    created_at: str
    item_id: int | None = None
    unit_id: int | None = None
    posted_at: str | None = None
    dedupe_key: str | None = None
    title: str | None = None
    year: int | None = None
    serial: int | None = None
    plan_code: str | None = None
    deadline: str | None = None
    is_key: int | None = None
    closed_at: str | None = None
    unit_name: str | None = None


@dataclass(frozen=True)
class Schedule:
    weekly_at: time = time(9, 0)
    digest_minutes: int = 60


def week_key(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class PostDue:
    """One leader post to queue now: its rule and the key naming its period."""

    rule: str
    key: str


def posts_due(
    now: datetime,
    calendar: WorkdayCalendar,
    hours: Hours,
    last: dict[str, datetime | None],
    pending_alerts: int,
    pending_closures: int = 0,
    schedule: Schedule = Schedule(),
) -> list[PostDue]:
    """Every leader post due at `now`, decided here alone: `last` holds when each rule
    (weekly, monthly, quarterly, digest) last posted. Nothing outside working hours; the
    periodic posts go on the first working day of their week, month or quarter, once."""
    if not working_moment(now, calendar, hours):
        return []
    due = [PostDue("closed", "closed")] if pending_closures else []
    if now.time() >= schedule.weekly_at:
        due += _periodic(now, calendar, last)
    if pending_alerts and _digest_due(now, last.get("digest"), schedule):
        due.append(PostDue("digest", f"digest:{now.isoformat(timespec='seconds')}"))
    return due


def _periodic(
    now: datetime, calendar: WorkdayCalendar, last: dict[str, datetime | None]
) -> list[PostDue]:
    """The weekly, monthly and quarterly posts whose period began today and has none yet."""
    today = now.date()
    starts = {
        "weekly": today - timedelta(days=today.weekday()),
        "monthly": today.replace(day=1),
        "quarterly": today.replace(day=1) if today.month in (1, 4, 7, 10) else None,
    }
    keys = {
        "weekly": f"weekly:{week_key(today)}",
        "monthly": f"monthly:{today:%Y-%m}",
        "quarterly": "quarterly:{}-Q{}".format(*quarter_ended(now)),
    }
    return [
        PostDue(rule, keys[rule])
        for rule, start in starts.items()
        if start is not None
        and calendar.next_workday(start, include_today=True) == today
        and ((stamp := last.get(rule)) is None or stamp.date() < start)
    ]


def quarter_ended(now: datetime) -> tuple[int, int]:
    """(year, quarter) just ended: a post on 2027-01-04 reports 2026's fourth quarter."""
    last = now.date().replace(day=1) - timedelta(days=1)
    return last.year, (last.month - 1) // 3 + 1


def _digest_due(now: datetime, last_digest: datetime | None, schedule: Schedule) -> bool:
    """At most one digest per period (an hour by default), so the channel is never flooded."""
    if last_digest is None:
        return True
    return now - last_digest >= timedelta(minutes=schedule.digest_minutes)


def alert_view(row: Alert, label: Callable[..., str]) -> dict[str, Any]:
    """An alert as the digest shows it: what happened, on what, since when."""
    detail = json.loads(row.detail or "{}")
    return {
        "workdays": "",
        "difficulties": "",
        "person": "",  # every kind's fields, never missing
        **detail,
        "id": row.id,
        "kind": row.kind,
        "serial": label(row.year, row.serial, row.item_id, row.plan_code),
        "title": row.title or "",
        "unit": row.unit_name or detail.get("unit", ""),
        "deadline": detail.get("deadline") or row.deadline or "",
        "since": row.created_at,
        "is_key": bool(row.is_key),
    }


def by_importance(alerts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Most important first: key items overdue, then going red, difficulties, silence."""
    return sorted(alerts, key=lambda a: (IMPORTANCE.get(a["kind"], 9), not a["is_key"], a["since"]))

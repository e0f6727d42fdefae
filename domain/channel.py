"""When the leader channel hears what: the weekly 调度, 报忧 digests, closure lines.

Posts are decided here and queued in the outbox with keys that name their period
(`weekly:2026-W48:1`), so a restart or a second tick never posts anything twice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from domain.workdays import WorkdayCalendar

IMPORTANCE = {"escalation": 0, "key_red": 1, "key_difficulty": 2, "unreachable": 3}


@dataclass(frozen=True)
class Schedule:
    weekly_at: time = time(9, 0)
    digest_minutes: int = 60


def week_key(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def weekly_due(now: datetime, calendar: WorkdayCalendar, schedule: Schedule) -> bool:
    """On the week's first working day (Monday, or the next if Monday is a holiday), from 9:00."""
    monday = now.date() - timedelta(days=now.weekday())
    first = calendar.next_workday(monday, include_today=True)
    return now.date() == first and now.time() >= schedule.weekly_at


def monthly_due(now: datetime, calendar: WorkdayCalendar, schedule: Schedule) -> bool:
    first = calendar.next_workday(now.date().replace(day=1), include_today=True)
    return now.date() == first and now.time() >= schedule.weekly_at


def quarterly_due(now: datetime, calendar: WorkdayCalendar, schedule: Schedule) -> bool:
    """The 年度目标 progress post: first working day of January, April, July and October."""
    return now.month in (1, 4, 7, 10) and monthly_due(now, calendar, schedule)


def quarter_ended(now: datetime) -> tuple[int, int]:
    """(year, quarter) just ended: a post on 2027-01-04 reports 2026's fourth quarter."""
    last = now.date().replace(day=1) - timedelta(days=1)
    return last.year, (last.month - 1) // 3 + 1


def digest_due(now: datetime, last_digest: str | None, schedule: Schedule) -> bool:
    """At most one digest per period (an hour by default), so the channel is never flooded."""
    if last_digest is None:
        return True
    return now - datetime.fromisoformat(last_digest) >= timedelta(minutes=schedule.digest_minutes)


def alert_view(row, label) -> dict:
    """An alert as the digest shows it: what happened, on what, since when."""
    detail = json.loads(row["detail"] or "{}")
    return {
        "workdays": "",
        "difficulties": "",
        "person": "",  # every kind's fields, never missing
        **detail,
        "id": row["id"],
        "kind": row["kind"],
        "serial": label(row["year"], row["serial"], row["item_id"], row["plan_code"]),
        "title": row["title"] or "",
        "unit": row["unit_name"] or detail.get("unit", ""),
        "deadline": detail.get("deadline") or row["deadline"] or "",
        "since": row["created_at"],
        "is_key": bool(row["is_key"]),
    }


def by_importance(alerts: list[dict]) -> list[dict]:
    """Most important first: key items overdue, then going red, difficulties, silence."""
    return sorted(alerts, key=lambda a: (IMPORTANCE.get(a["kind"], 9), not a["is_key"], a["since"]))

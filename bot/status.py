"""`duban status` and /status: gather the facts from the database and its files, judge them
(domain/status.py) and hand the template what it shows.

Reads only: the command may run beside a live `duban run` and must change nothing.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from domain.status import Alarm, Facts, Holder, needs_person, year_spans
from domain.workdays import Hours, WorkdayCalendar
from storage import health, lease, meta, outbox
from storage.db import Database

SHOWN_STATES = ("pending", "held", "failed", "uncertain")
META_KEYS = ("tick_last_at", "tick_last_queued", "backup_last_at", "backup_last_bytes")
HELD = lease.Verdict.HELD


async def gather(
    db: Database, now: datetime, calendar: WorkdayCalendar, lease_seconds: int
) -> Facts:
    """The plain Facts of this database at `now` (aware, in the office's zone)."""
    zone = now.tzinfo
    async with db.read() as conn:
        held = await lease.current(conn)
        known = {k: await meta.get(conn, k) for k in META_KEYS}
        counts = await outbox.counts(conn, now.date().isoformat())
        oldest = await health.oldest_pending(conn)
        schema = await health.schema_version(conn)
    live = held is not None and lease.judge(held, int(now.timestamp()), lease_seconds) is HELD
    return Facts(
        now=now,
        holder=_holder(held, live, zone) if held else None,
        tick_at=_instant(known["tick_last_at"], zone),
        tick_queued=_int(known["tick_last_queued"]),
        outbox={s: counts.get(s, 0) for s in SHOWN_STATES},
        oldest_pending=datetime.fromtimestamp(oldest, zone) if oldest is not None else None,
        backup_at=_instant(known["backup_last_at"], zone),
        backup_bytes=_int(known["backup_last_bytes"]),
        years=tuple(sorted({*calendar.library_years, *calendar.file_years})),
        db_bytes=file_bytes(db.path),
        schema=schema,
    )


def _holder(held: lease.Lease, live: bool, zone: tzinfo | None) -> Holder:
    def at(ts: int) -> datetime:
        return datetime.fromtimestamp(ts, zone)

    return Holder(held.pid, held.host, at(held.started_at), at(held.heartbeat), live)


def _instant(text: str | None, zone: tzinfo | None) -> datetime | None:
    return datetime.fromisoformat(text).astimezone(zone) if text else None


def _int(text: str | None) -> int | None:
    return int(text) if text not in (None, "") else None


def file_bytes(path: Path) -> int:
    """The database as the disk holds it: the file plus its write-ahead log."""
    wal = path.with_name(path.name + "-wal")
    return sum(p.stat().st_size for p in (path, wal) if p.is_file())


async def report(
    db: Database, now: datetime, calendar: WorkdayCalendar, hours: Hours, lease_seconds: int
) -> tuple[dict[str, Any], list[Alarm]]:
    """The status template's context and what needs a person: `duban status` and /status."""
    facts = await gather(db, now, calendar, lease_seconds)
    alarms = needs_person(facts, calendar, hours)
    return view(facts, alarms), alarms


def view(facts: Facts, alarms: list[Alarm]) -> dict[str, Any]:
    """The status template's context."""
    return {
        "facts": facts,
        "alarms": [str(a) for a in alarms],
        "years": "、".join(year_spans(facts.years)) or "无",
        "size": human_size,
        "at": at_text,
    }


def at_text(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else ""


def human_size(count: int | None) -> str:
    """1536 → '1.5 KB': sizes as a person reads them."""
    value, unit = float(count or 0), "B"
    for bigger in ("KB", "MB", "GB"):
        if value < 1024:
            break
        value, unit = value / 1024, bigger
    return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"

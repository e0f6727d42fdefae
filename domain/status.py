"""The bot's health as a person reads it (`duban status`, /status), and when it needs one.

`needs_person()` is the whole judgement, over a plain `Facts` value gathered elsewhere
(bot/status.py), so each rule is tested without a database or a running bot. It returns
keys, not sentences: the wording is the template's (bot/templates/status.j2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from domain.workdays import Hours, WorkdayCalendar, working_moment

TICK_SILENCE = timedelta(minutes=10)  # the tick runs every minute; ten missed is a stall
BACKUP_WORKDAYS = 2  # a daily backup missed on more working days than this needs a person


class Alarm(StrEnum):
    NO_TICK = "no_tick"  # a bot holds the database but has stopped ticking in working hours
    FAILED = "failed"  # pushes that will not be retried without a person
    NO_BACKUP = "no_backup"  # never backed up, or not for more than two working days


@dataclass(frozen=True)
class Holder:
    """Who holds the database's lease (the running `duban run`), in the office's time."""

    pid: int
    host: str
    since: datetime
    heartbeat: datetime
    live: bool  # False: it stopped renewing (died or frozen) without giving the lease back


@dataclass(frozen=True)
class Facts:
    now: datetime  # aware, in the office's zone, like every instant below
    holder: Holder | None = None
    tick_at: datetime | None = None
    tick_queued: int | None = None
    outbox: dict[str, int] = field(default_factory=dict)  # pending, held, failed, uncertain
    oldest_pending: datetime | None = None  # when the longest-waiting pending push was due
    backup_at: datetime | None = None
    backup_bytes: int | None = None
    years: tuple[int, ...] = ()  # calendar years whose holidays are known
    db_bytes: int = 0  # the database file and its write-ahead log
    schema: int = 0  # PRAGMA user_version


def needs_person(facts: Facts, calendar: WorkdayCalendar, hours: Hours) -> list[Alarm]:
    """What a person must look at; empty when all is well (the command then exits 0)."""
    found = []
    if _stalled(facts, calendar, hours):
        found.append(Alarm.NO_TICK)
    if facts.outbox.get("failed", 0):
        found.append(Alarm.FAILED)
    if _backup_overdue(facts, calendar):
        found.append(Alarm.NO_BACKUP)
    return found


def _stalled(facts: Facts, calendar: WorkdayCalendar, hours: Hours) -> bool:
    """A lease row says a bot meant to run; in working hours it ticks every minute. A
    stale lease counts too: that bot died without stopping cleanly."""
    if facts.holder is None or not working_moment(facts.now, calendar, hours):
        return False
    last = max(filter(None, (facts.tick_at, facts.holder.since)))
    return facts.now - last > TICK_SILENCE


def _backup_overdue(facts: Facts, calendar: WorkdayCalendar) -> bool:
    if facts.backup_at is None:
        return True
    missed = calendar.workdays_between(facts.backup_at.date(), facts.now.date())
    return missed > BACKUP_WORKDAYS


def year_spans(years: tuple[int, ...]) -> list[str]:
    """(2004, …, 2026, 2028) → ['2004–2026', '2028']: the known years, as a person says them."""
    spans: list[list[int]] = []
    for year in sorted(set(years)):
        if spans and year == spans[-1][1] + 1:
            spans[-1][1] = year
        else:
            spans.append([year, year])
    return [str(a) if a == b else f"{a}–{b}" for a, b in spans]

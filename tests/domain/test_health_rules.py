"""When `duban status` asks for a person: the rules over a plain Facts value, no database."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from domain.status import Alarm, Facts, Holder, needs_person, year_spans
from domain.workdays import Hours, WorkdayCalendar

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=TZ)  # a Tuesday, in working hours
CALENDAR = WorkdayCalendar()


def holder(since: datetime = NOW - timedelta(hours=1), live: bool = True) -> Holder:
    return Holder(4242, "server", since, NOW - timedelta(seconds=10), live)


def facts(**changes) -> Facts:
    healthy = {
        "now": NOW,
        "holder": holder(),
        "tick_at": NOW - timedelta(minutes=1),
        "tick_queued": 3,
        "outbox": {"pending": 2, "held": 1, "failed": 0, "uncertain": 1},
        "backup_at": datetime(2026, 11, 23, 18, 0, tzinfo=TZ),
        "backup_bytes": 1024,
    }
    return Facts(**{**healthy, **changes})


def alarms(**changes) -> list[Alarm]:
    return needs_person(facts(**changes), CALENDAR, Hours())


def test_a_healthy_office_needs_nobody():
    assert alarms() == []  # held and uncertain pushes are shown, but are no alarm


def test_no_tick_for_ten_minutes_in_working_hours_while_a_bot_holds_the_lease():
    silent = NOW - timedelta(minutes=11)
    assert alarms(tick_at=silent) == [Alarm.NO_TICK]
    assert alarms(tick_at=None) == [Alarm.NO_TICK]  # running an hour, never ticked
    assert alarms(tick_at=NOW - timedelta(minutes=10)) == []
    assert alarms(tick_at=silent, holder=holder(live=False)) == [Alarm.NO_TICK]  # died
    # nobody holds the lease: the bot was stopped on purpose
    assert alarms(tick_at=silent, holder=None) == []
    # just restarted: the last tick was the previous run's
    assert alarms(tick_at=silent, holder=holder(since=NOW - timedelta(minutes=2))) == []


def test_silence_outside_working_hours_is_no_alarm():
    evening = NOW.replace(hour=20)
    assert alarms(now=evening, tick_at=evening - timedelta(hours=3)) == []
    saturday = datetime(2026, 11, 28, 10, 0, tzinfo=TZ)
    friday = datetime(2026, 11, 27, 18, 0, tzinfo=TZ)
    assert alarms(now=saturday, tick_at=saturday - timedelta(hours=3), backup_at=friday) == []


def test_failed_pushes_need_a_person():
    assert alarms(outbox={"pending": 0, "failed": 1}) == [Alarm.FAILED]


def test_no_backup_in_two_working_days():
    assert alarms(backup_at=None, backup_bytes=None) == [Alarm.NO_BACKUP]
    friday = datetime(2026, 11, 20, 18, 0, tzinfo=TZ)  # Monday and today since: two
    assert alarms(backup_at=friday) == []
    assert alarms(backup_at=friday - timedelta(days=1)) == [Alarm.NO_BACKUP]
    # a week of National Day holiday is not a week without backups
    after_holiday = datetime(2026, 10, 8, 10, 0, tzinfo=TZ)
    before = datetime(2026, 9, 30, 18, 0, tzinfo=TZ)
    assert alarms(now=after_holiday, tick_at=after_holiday, backup_at=before) == []


def test_every_alarm_at_once():
    found = alarms(tick_at=None, outbox={"failed": 2}, backup_at=None)
    assert found == [Alarm.NO_TICK, Alarm.FAILED, Alarm.NO_BACKUP]


def test_known_years_read_as_spans():
    assert year_spans((2005, 2004, 2006, 2028)) == ["2004–2006", "2028"]
    assert year_spans(()) == []

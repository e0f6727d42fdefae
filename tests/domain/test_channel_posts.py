"""Which leader posts are due: decided by domain/channel.posts_due alone, from the clock,
the calendar and when each post last went out."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from domain.channel import posts_due
from domain.workdays import Hours, WorkdayCalendar

TZ = ZoneInfo("Asia/Shanghai")
CAL, HOURS = WorkdayCalendar(), Hours()


def at(*parts) -> datetime:
    return datetime(*parts, tzinfo=TZ)


def due(now, last=None, alerts=0, closures=0) -> list[str]:
    return [p.rule for p in posts_due(now, CAL, HOURS, last or {}, alerts, closures)]


def test_the_weekly_goes_on_monday_morning_once():
    monday = at(2026, 11, 30, 9, 30)
    assert due(monday) == ["weekly"]
    assert due(monday + timedelta(hours=2), {"weekly": monday}) == []
    assert due(monday + timedelta(days=2)) == []  # Wednesday is not the week's first day


def test_after_a_holiday_monday_the_weekly_goes_on_tuesday():
    assert due(at(2026, 4, 6, 10, 0)) == []  # 清明 Monday
    assert "weekly" in due(at(2026, 4, 7, 10, 0))
    assert "weekly" not in due(at(2026, 4, 7, 11, 0), {"weekly": at(2026, 4, 7, 10, 0)})


def test_monthly_and_quarterly_go_once_on_the_first_working_day():
    first = at(2026, 10, 8, 9, 5)  # 1–7 October are the National Day holiday
    assert due(at(2026, 10, 1, 10, 0)) == []
    # also the week's first working day: its Monday was a holiday too
    assert due(first) == ["weekly", "monthly", "quarterly"]
    posted = {"weekly": first, "monthly": first, "quarterly": first}
    assert due(first + timedelta(hours=3), posted) == []
    assert due(at(2026, 10, 9, 10, 0)) == []  # not the first working day any more


def test_no_quarterly_in_a_month_that_starts_no_quarter():
    assert due(at(2026, 12, 1, 10, 0)) == ["monthly"]


def test_the_digest_goes_at_most_hourly_and_only_with_alerts():
    now = at(2026, 11, 25, 10, 0)
    assert due(now) == []
    assert due(now, alerts=2) == ["digest"]
    last = {"digest": now - timedelta(minutes=30)}
    assert due(now, last, alerts=2) == []
    assert due(now + timedelta(minutes=30), last, alerts=2) == ["digest"]


def test_nothing_outside_working_hours():
    monday_night = at(2026, 11, 30, 20, 0)
    assert due(monday_night, alerts=3, closures=1) == []
    assert due(at(2026, 11, 30, 8, 59), alerts=3) == []
    assert due(at(2026, 11, 28, 10, 0), alerts=3, closures=1) == []  # Saturday


def test_closure_lines_are_due_while_any_wait():
    wednesday = at(2026, 11, 25, 10, 0)
    assert due(wednesday, closures=2) == ["closed"]

"""Working days follow the State Council's calendar: holidays are off, 调休 weekend days are
worked. A year the library does not know falls back to Monday–Friday (with one warning per
year) unless the office's holiday file covers it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest

from domain.workdays import HolidayFileError, Hours, WorkdayCalendar, working_moment

CAL = WorkdayCalendar()
NATIONAL_DAY_2026 = [date(2026, 10, d) for d in range(1, 8)]
# 2026's 调休 weekend days, as the State Council announced them
MAKE_UP_2026 = sorted(d for d in chinese_calendar.workdays if d.year == 2026)
UNKNOWN_YEAR = 2027


def brute_count(start: date, end: date) -> int:
    """Working days in (start, end], counted one by one on the library's calendar."""
    n, day = 0, start + timedelta(days=1)
    while day <= end:
        n += chinese_calendar.is_workday(day)
        day += timedelta(days=1)
    return n


@pytest.fixture(autouse=True)
def _2027_must_be_unknown():
    if WorkdayCalendar().knows(UNKNOWN_YEAR) or UNKNOWN_YEAR in {
        d.year for d in chinese_calendar.holidays
    }:
        pytest.skip(f"chinesecalendar now knows {UNKNOWN_YEAR}: pick a later year")


# --- the official calendar ------------------------------------------------------------------


@pytest.mark.parametrize("day", NATIONAL_DAY_2026, ids=str)
def test_the_national_day_holiday_is_off(day):
    assert not CAL.is_workday(day)


def test_the_days_around_national_day():
    assert CAL.is_workday(date(2026, 9, 30))  # Wednesday before
    assert CAL.is_workday(date(2026, 10, 8))  # Thursday after
    assert not CAL.is_workday(date(2026, 10, 11))  # an ordinary Sunday


def test_2026_has_make_up_weekend_days():
    assert MAKE_UP_2026, "the library lists no 调休 days for 2026"
    assert date(2026, 10, 10) in MAKE_UP_2026  # the Saturday after National Day
    assert date(2026, 9, 20) in MAKE_UP_2026  # a Sunday


@pytest.mark.parametrize("day", MAKE_UP_2026, ids=str)
def test_a_make_up_weekend_day_is_a_working_day(day):
    assert day.weekday() >= 5  # a Saturday or a Sunday...
    assert CAL.is_workday(day)  # ...that is worked


def test_the_calendar_agrees_with_the_library_for_all_of_2026():
    day = date(2026, 1, 1)
    while day.year == 2026:
        assert CAL.is_workday(day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)


def test_adding_working_days_skips_the_holiday_and_counts_the_make_up_saturday():
    # 30 Sep (Wed) is the last day before the holiday; 8 Oct (Thu), 9 Oct (Fri), then the
    # make-up Saturday 10 Oct, then Monday 12 Oct.
    assert CAL.add_workdays(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert CAL.add_workdays(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert CAL.add_workdays(date(2026, 9, 30), 4) == date(2026, 10, 12)
    assert CAL.add_workdays(date(2026, 10, 3), 0) == date(2026, 10, 3)


def test_adding_a_negative_number_of_days_is_a_programming_error():
    with pytest.raises(ValueError):
        CAL.add_workdays(date(2026, 11, 24), -1)


def test_next_workday():
    assert CAL.next_workday(date(2026, 9, 30)) == date(2026, 10, 8)
    assert CAL.next_workday(date(2026, 10, 1), include_today=True) == date(2026, 10, 8)
    assert CAL.next_workday(date(2026, 9, 30), include_today=True) == date(2026, 9, 30)


def test_working_days_between_two_dates():
    assert CAL.workdays_between(date(2026, 9, 30), date(2026, 10, 9)) == 2
    assert CAL.workdays_between(date(2026, 9, 30), date(2026, 10, 10)) == 3
    assert CAL.workdays_between(date(2026, 10, 10), date(2026, 9, 30)) == -3
    assert CAL.workdays_between(date(2026, 11, 24), date(2026, 11, 24)) == 0


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2026, 9, 1), date(2026, 10, 31)),
        (date(2025, 12, 20), date(2026, 2, 28)),  # across a year and 春节
        (date(2019, 12, 1), date(2020, 1, 31)),  # across the calendar's internal epoch
        (date(2016, 3, 3), date(2026, 12, 31)),  # ten years
    ],
    ids=str,
)
def test_working_days_between_agrees_with_counting_one_by_one(start, end):
    assert CAL.workdays_between(start, end) == brute_count(start, end)
    assert CAL.workdays_between(end, start) == -brute_count(start, end)


def test_add_workdays_and_workdays_between_agree():
    start = date(2026, 9, 15)
    for n in range(0, 40):
        assert CAL.workdays_between(start, CAL.add_workdays(start, n)) == n


# --- a year nobody knows yet ----------------------------------------------------------------


def test_an_unknown_year_counts_monday_to_friday_and_warns_once():
    warned: list[int] = []
    cal = WorkdayCalendar(warn=warned.append)
    assert not cal.knows(UNKNOWN_YEAR) and cal.knows(2026)

    assert cal.is_workday(date(2027, 1, 1))  # a Friday: probably a holiday, but unknown
    assert not cal.is_workday(date(2027, 1, 2))  # Saturday
    assert cal.add_workdays(date(2026, 12, 31), 2) == date(2027, 1, 4)
    assert cal.workdays_between(date(2027, 3, 1), date(2027, 3, 31)) == 22
    cal.is_workday(date(2027, 10, 1))
    assert warned == [UNKNOWN_YEAR]

    cal.is_workday(date(2028, 5, 1))
    cal.is_workday(date(2028, 5, 2))
    assert warned == [UNKNOWN_YEAR, 2028]


def test_a_known_year_never_warns():
    warned: list[int] = []
    cal = WorkdayCalendar(warn=warned.append)
    cal.add_workdays(date(2026, 1, 1), 200)
    cal.workdays_between(date(2024, 1, 1), date(2026, 12, 31))
    assert warned == []


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


OFFICE_2027 = """
# 国务院办公厅关于2027年部分节假日安排的通知（本室录入）
holidays = ["2027-01-01", "2027-02-05", "2027-02-08", "2027-02-09"]
workdays = ["2027-02-20"]   # a Saturday, worked
"""


def test_the_office_holiday_file_covers_the_unknown_year_and_no_warning_is_given(tmp_path):
    warned: list[int] = []
    cal = WorkdayCalendar.from_file(write(tmp_path / "h.toml", OFFICE_2027), warn=warned.append)
    assert cal.knows(UNKNOWN_YEAR)
    assert not cal.is_workday(date(2027, 1, 1))  # a Friday, off
    assert not cal.is_workday(date(2027, 2, 8))  # a Monday, off
    assert cal.is_workday(date(2027, 2, 20))  # a Saturday, worked
    assert cal.is_workday(date(2027, 3, 1))  # an ordinary Monday
    assert not cal.is_workday(date(2027, 3, 6))  # an ordinary Saturday
    assert cal.add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 4)
    assert cal.workdays_between(date(2027, 2, 4), date(2027, 2, 22)) == 10
    assert warned == []


def test_the_office_file_can_add_a_day_off_to_a_known_year(tmp_path):
    path = write(tmp_path / "h.toml", 'holidays = ["2026-12-31"]\nworkdays = ["2026-12-27"]\n')
    cal = WorkdayCalendar.from_file(path)
    assert not cal.is_workday(date(2026, 12, 31))
    assert cal.is_workday(date(2026, 12, 27))  # a Sunday
    assert CAL.is_workday(date(2026, 12, 31))  # the plain calendar is unchanged


def test_no_holiday_file_is_the_plain_calendar():
    cal = WorkdayCalendar.from_file(None)
    assert cal.holidays == set() and cal.workdays == set()


@pytest.mark.parametrize(
    "text",
    [
        "holidays = [2027-13-01",  # not TOML
        'holidays = ["2027-02-30"]',  # no such day
        'holidays = ["tomorrow"]',
        'workdays = "2027-02-20"',  # a string, not a list
        "holidays = [1, 2]",
    ],
)
def test_a_malformed_holiday_file_is_refused(tmp_path, text):
    with pytest.raises(HolidayFileError, match="节假日文件"):
        WorkdayCalendar.from_file(write(tmp_path / "h.toml", text))


def test_a_missing_holiday_file_is_refused(tmp_path):
    with pytest.raises(HolidayFileError):
        WorkdayCalendar.from_file(tmp_path / "nowhere.toml")


def test_a_day_both_off_and_worked_is_refused(tmp_path):
    path = write(tmp_path / "h.toml", 'holidays = ["2027-02-20"]\nworkdays = ["2027-02-20"]\n')
    with pytest.raises(HolidayFileError, match="2027-02-20"):
        WorkdayCalendar.from_file(path)


# --- office hours ---------------------------------------------------------------------------


def test_office_hours():
    hours = Hours.parse("09:00-17:30")
    assert hours == Hours(time(9, 0), time(17, 30))
    for text in ("", "17:30-09:00", "9点-5点", "09:00"):
        with pytest.raises(ValueError):
            Hours.parse(text)


@pytest.mark.parametrize(
    ("moment", "working"),
    [
        (datetime(2026, 11, 24, 10, 0), True),  # Tuesday morning
        (datetime(2026, 11, 24, 8, 59), False),  # before hours
        (datetime(2026, 11, 24, 17, 30), False),  # closing time
        (datetime(2026, 10, 1, 10, 0), False),  # National Day
        (datetime(2026, 10, 10, 10, 0), True),  # the make-up Saturday
    ],
)
def test_working_moments(moment, working):
    now = moment.replace(tzinfo=ZoneInfo("Asia/Shanghai"))
    assert working_moment(now, CAL, Hours()) is working


def test_the_holiday_file_accepts_toml_dates_without_quotes(tmp_path):
    path = write(tmp_path / "h.toml", "holidays = [2027-01-01]\nworkdays = [2027-02-20]\n")
    cal = WorkdayCalendar.from_file(path)
    assert not cal.is_workday(date(2027, 1, 1)) and cal.is_workday(date(2027, 2, 20))

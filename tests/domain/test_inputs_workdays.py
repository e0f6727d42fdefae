"""Typed answers and the working-day calendar."""

from __future__ import annotations

from datetime import date

import pytest

from domain import inputs
from domain.errors import Refusal
from domain.workdays import HolidayFileError, WorkdayCalendar

CAL = WorkdayCalendar()
TODAY = date(2026, 11, 24)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-31", date(2026, 12, 31)),
        ("2026/12/31", date(2026, 12, 31)),
        ("2026年12月31日", date(2026, 12, 31)),
        ("12月31日", date(2026, 12, 31)),
        ("3月1日", date(2027, 3, 1)),  # already past this year: next year
        ("5个工作日", date(2026, 12, 1)),  # 25, 26, 27, 30 Nov, 1 Dec
        ("5 个工作日", date(2026, 12, 1)),
    ],
)
def test_deadlines(text, expected):
    assert inputs.deadline(text, TODAY, CAL) == expected


def test_working_days_skip_the_national_day_holiday():
    # 30 Sep, then 8 and 9 Oct: 1–7 Oct are the holiday
    assert inputs.deadline("3个工作日", date(2026, 9, 29), CAL) == date(2026, 10, 9)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("明天", "bad_date"),
        ("2026-02-30", "bad_date"),
        ("", "bad_date"),
        ("2026-11-24", "date_not_future"),
        ("2026-11-01", "date_not_future"),
        ("2035-01-01", "date_too_far"),
        ("0个工作日", "bad_workdays"),
        ("9999个工作日", "bad_workdays"),
    ],
)
def test_bad_deadlines(text, key):
    with pytest.raises(Refusal) as refused:
        inputs.deadline(text, TODAY, CAL)
    assert refused.value.key == key


@pytest.mark.parametrize("text", ["13800138000", "138 0013 8000", "010-66668888", "+8613800138000"])
def test_phones(text):
    assert inputs.phone(text)


@pytest.mark.parametrize("text", ["12345", "23800138000", "电话", "", "010-12"])
def test_bad_phones(text):
    with pytest.raises(Refusal) as refused:
        inputs.phone(text)
    assert refused.value.key == "bad_phone"


def test_text_limits():
    assert inputs.text("  张三 ", "name", "姓名") == "张三"
    with pytest.raises(Refusal) as refused:
        inputs.text("长" * 21, "name", "姓名")
    assert refused.value.context == {"label": "姓名", "limit": 20, "length": 21}
    with pytest.raises(Refusal):
        inputs.text("   ", "name", "姓名")


def test_make_up_days_and_holidays():
    assert CAL.is_workday(date(2026, 10, 10))  # Saturday worked (调休)
    assert not CAL.is_workday(date(2026, 10, 1))
    assert CAL.workdays_between(date(2026, 9, 30), date(2026, 10, 9)) == 2  # 8th and 9th
    assert CAL.workdays_between(date(2026, 10, 9), date(2026, 9, 30)) == -2


def test_unknown_year_falls_back_to_weekdays_and_warns_once(tmp_path):
    warned: list[int] = []
    cal = WorkdayCalendar(warn=warned.append)
    if cal.knows(2031):
        pytest.skip("the library knows 2031")
    assert cal.is_workday(date(2031, 1, 1)) and not cal.is_workday(date(2031, 1, 4))
    cal.is_workday(date(2031, 5, 1))
    assert warned == [2031]
    office_file = tmp_path / "h.toml"
    office_file.write_text('holidays = ["2031-01-01"]\nworkdays = ["2031-01-04"]\n')
    cal = WorkdayCalendar.from_file(office_file, warn=warned.append)
    assert not cal.is_workday(date(2031, 1, 1)) and cal.is_workday(date(2031, 1, 4))
    assert warned == [2031]


def test_bad_holiday_files(tmp_path):
    clash = tmp_path / "clash.toml"
    clash.write_text('holidays = ["2031-01-01"]\nworkdays = ["2031-01-01"]\n')
    broken = tmp_path / "broken.toml"
    broken.write_text("holidays = [2031-13-01")
    for path in (clash, broken):
        with pytest.raises(HolidayFileError):
            WorkdayCalendar.from_file(path)

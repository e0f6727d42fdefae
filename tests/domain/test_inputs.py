"""What a typed answer must look like. Each parser returns a clean value, or a Refusal whose
key names the message the user sees (and whose context fills it in)."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest

from domain import inputs
from domain.errors import Refusal
from domain.workdays import WorkdayCalendar

CAL = WorkdayCalendar()
TODAY = date(2026, 11, 24)  # a Tuesday


def refusal(call, *args) -> Refusal:
    with pytest.raises(Refusal) as caught:
        call(*args)
    return caught.value


def nth_workday_by_hand(start: date, n: int) -> date:
    """Independent of WorkdayCalendar: walk the library's calendar day by day."""
    day = start
    while n:
        day += timedelta(days=1)
        n -= chinese_calendar.is_workday(day)
    return day


# --- deadlines ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-31", date(2026, 12, 31)),
        ("2026/12/31", date(2026, 12, 31)),
        ("2026.12.31", date(2026, 12, 31)),
        ("2027-1-5", date(2027, 1, 5)),
        ("2026年12月31日", date(2026, 12, 31)),
        ("2026年12月31号", date(2026, 12, 31)),
        ("2026 年 12 月 31 日", date(2026, 12, 31)),
        ("  2026-12-31  ", date(2026, 12, 31)),
        ("12月31日", date(2026, 12, 31)),  # this year
        ("12月31", date(2026, 12, 31)),
        ("11月25日", date(2026, 11, 25)),  # tomorrow
        ("3月1日", date(2027, 3, 1)),  # already past this year: next year
        ("11月23日", date(2027, 11, 23)),  # yesterday's month-day: next year
        ("2031-12-31", date(2031, 12, 31)),  # five years ahead is still fine
    ],
)
def test_a_deadline_written_as_a_date(text, expected):
    assert inputs.deadline(text, TODAY, CAL) == expected


def test_a_month_day_of_today_is_not_rolled_to_next_year():
    assert refusal(inputs.deadline, "11月24日", TODAY, CAL).key == "date_not_future"


def test_fifteen_working_days_from_today():
    assert inputs.deadline("15个工作日", TODAY, CAL) == date(2026, 12, 15)
    assert inputs.deadline("15 个工作日", TODAY, CAL) == date(2026, 12, 15)
    assert inputs.deadline("15工作日", TODAY, CAL) == date(2026, 12, 15)
    assert inputs.deadline("15个工作日内", TODAY, CAL) == date(2026, 12, 15)
    assert nth_workday_by_hand(TODAY, 15) == date(2026, 12, 15)


def test_fifteen_working_days_across_mid_autumn_and_national_day():
    # From Tue 22 Sep 2026: 23, 24 Sep; 25–27 Sep 中秋 off; 28–30 Sep; 1–7 Oct off;
    # 8, 9 Oct and the make-up Saturday 10 Oct; 12–16 Oct; 19, 20 Oct → the 15th is 20 Oct.
    start = date(2026, 9, 22)
    assert inputs.deadline("15个工作日", start, CAL) == date(2026, 10, 20)
    assert nth_workday_by_hand(start, 15) == date(2026, 10, 20)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("明天", "bad_date"),
        ("下周五", "bad_date"),
        ("2026-02-30", "bad_date"),
        ("2026-13-01", "bad_date"),
        ("2月30日", "bad_date"),
        ("", "bad_date"),
        ("   ", "bad_date"),
        (None, "bad_date"),
        ("2026-11-24", "date_not_future"),  # today
        ("2026-11-23", "date_not_future"),  # yesterday
        ("2020-01-01", "date_not_future"),
        ("2032-01-01", "date_too_far"),
        ("2099-12-31", "date_too_far"),
        ("0个工作日", "bad_workdays"),
        ("501个工作日", "bad_workdays"),
        ("9999个工作日", "bad_workdays"),
    ],
)
def test_deadlines_that_are_refused(text, key):
    assert refusal(inputs.deadline, text, TODAY, CAL).key == key


def test_deadline_refusals_carry_what_the_message_needs():
    assert refusal(inputs.deadline, "明天", TODAY, CAL).context == {"value": "明天"}
    assert refusal(inputs.deadline, "长" * 100, TODAY, CAL).context == {"value": "长" * 30}
    assert refusal(inputs.deadline, "2026-11-23", TODAY, CAL).context == {"value": "2026-11-23"}
    assert refusal(inputs.deadline, "9999个工作日", TODAY, CAL).context == {
        "value": "9999个工作日",
        "limit": inputs.MAX_WORKDAYS,
    }


def test_the_largest_number_of_working_days_is_accepted():
    result = inputs.deadline(f"{inputs.MAX_WORKDAYS}个工作日", TODAY, CAL)
    assert result.year in (2028, 2029)


# --- planned dates --------------------------------------------------------------------------


def test_a_planned_date_may_be_today_but_not_in_the_past_or_too_far():
    assert inputs.planned_date("2026-11-24", TODAY) == TODAY
    assert inputs.planned_date("12月5日", TODAY) == date(2026, 12, 5)
    for text in ("2026-11-23", "2028-01-01", "下周", ""):
        assert refusal(inputs.planned_date, text, TODAY).key == "bad_planned_date"


# --- phone numbers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "clean"),
    [
        ("13800138000", "13800138000"),
        ("19912345678", "19912345678"),
        ("138 0013 8000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("+8613800138000", "13800138000"),
        ("010-66668888", "010-66668888"),
        ("01066668888", "01066668888"),
        ("(010)66668888", "01066668888"),
        ("（0755）12345678", "075512345678"),
        ("0755-1234567", "0755-1234567"),
        ("010-66668888-123", "010-66668888-123"),  # with an extension
    ],
)
def test_valid_phone_numbers(text, clean):
    assert inputs.phone(text) == clean


@pytest.mark.parametrize(
    "text",
    [
        "",
        None,
        "12345",
        "12800138000",  # 12x is not a mobile prefix
        "1380013800",  # ten digits
        "138001380001",  # twelve digits
        "23800138000",
        "010-12",
        "66668888",  # a landline without its area code
        "电话",
        "138abcd8000",
    ],
)
def test_invalid_phone_numbers(text):
    found = refusal(inputs.phone, text)
    assert found.key == "bad_phone"
    assert found.context == {"value": (text or "")[:30]}


def test_a_mobile_written_with_dashes_is_accepted():
    assert inputs.phone("138-0013-8000") == "13800138000"


# --- free text ------------------------------------------------------------------------------


def test_text_is_trimmed():
    assert inputs.text("  老旧小区改造  ", "item_title", "事项名称") == "老旧小区改造"


@pytest.mark.parametrize("value", ["", "   ", "\n\t", None])
def test_empty_text_is_refused(value):
    found = refusal(inputs.text, value, "name", "姓名")
    assert found.key == "empty_text"
    assert found.context == {"label": "姓名"}


@pytest.mark.parametrize(("field", "limit"), sorted(inputs.LIMITS.items()))
def test_text_at_the_limit_is_accepted_and_one_more_is_refused(field, limit):
    assert inputs.text("字" * limit, field, "内容") == "字" * limit
    found = refusal(inputs.text, "字" * (limit + 1), field, "内容")
    assert found.key == "text_too_long"
    assert found.context == {"label": "内容", "limit": limit, "length": limit + 1}


def test_the_limit_counts_the_trimmed_text():
    limit = inputs.LIMITS["name"]
    assert inputs.text("  " + "张" * limit + "  ", "name", "姓名") == "张" * limit

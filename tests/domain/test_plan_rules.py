"""大事要事 rules: progress %, time %, lights, windows, milestones, roll-over, quantities."""

from datetime import date
from decimal import Decimal

import pytest

from domain.errors import Refusal
from domain.models import Person, Role
from domain.plan.rules import (
    Milestone,
    Shape,
    chase_from,
    current_milestone,
    next_checkpoint,
    next_to_open,
    normal,
    parse_quantity,
    quantity_percent,
    quarter_checkpoints,
    show,
    start_of,
    task_percent,
    time_percent,
)
from domain.plan.views import called

D = Decimal


@pytest.mark.parametrize(
    ("reached", "goal", "expected"),
    [
        (D("0"), D("10"), D("0.0")),
        (D("3.5"), D("10"), D("35.0")),
        (D("11.2"), D("10"), D("112.0")),  # over-achieved: shown, not capped
        (D("1"), D("3"), D("33.3")),  # rounded down, never up
        (D("2"), D("3"), D("66.6")),
        (D("4999"), D("5000"), D("99.9")),  # not yet 100%
        (D("5000"), D("5000"), D("100.0")),
        (None, D("10"), None),
        (D("3"), None, None),
    ],
)
def test_quantity_percent_is_exact_rounded_down_and_uncapped(reached, goal, expected):
    assert quantity_percent(reached, goal) == expected


def test_time_percent_runs_from_start_to_end_and_stops_at_the_ends():
    start, end = date(2026, 1, 1), date(2026, 12, 31)
    assert time_percent(start, end, date(2025, 12, 1)) == 0
    assert time_percent(start, end, start) == 0
    assert time_percent(start, end, date(2026, 7, 2)) == 50  # 182 of 364 days
    assert time_percent(start, end, end) == 100
    assert time_percent(start, end, date(2027, 3, 1)) == 100


def test_start_of_each_shape():
    dl = date(2026, 12, 31)
    assert start_of(Shape.YEARLY, None, dl, ()) == date(2026, 1, 1)
    assert start_of(Shape.WITHIN_YEAR, date(2026, 4, 1), date(2026, 6, 30), ()) == date(2026, 4, 1)
    ms = (Milestone(date(2026, 12, 31), "一期"), Milestone(date(2027, 12, 31), "二期"))
    assert start_of(Shape.MULTI_YEAR, None, date(2027, 12, 31), ms) == date(2026, 1, 1)


def test_only_a_within_year_window_delays_chasing():
    assert chase_from(Shape.WITHIN_YEAR, date(2026, 4, 1)) == date(2026, 4, 1)
    assert chase_from(Shape.WITHIN_YEAR, None) is None
    assert chase_from(Shape.YEARLY, date(2026, 4, 1)) is None


def test_quarterly_checkpoints():
    assert quarter_checkpoints(2026) == (
        date(2026, 3, 31),
        date(2026, 6, 30),
        date(2026, 9, 30),
        date(2026, 12, 31),
    )


def test_next_quarterly_checkpoint_of_a_yearly_target():
    dl = date(2026, 12, 31)
    assert next_checkpoint(Shape.YEARLY, dl, date(2026, 1, 5)) == date(2026, 3, 31)
    assert next_checkpoint(Shape.YEARLY, dl, date(2026, 3, 31)) == date(2026, 3, 31)
    assert next_checkpoint(Shape.YEARLY, dl, date(2026, 4, 1)) == date(2026, 6, 30)
    assert next_checkpoint(Shape.YEARLY, dl, date(2027, 1, 4)) is None
    assert next_checkpoint(Shape.WITHIN_YEAR, date(2026, 9, 30), date(2026, 1, 5)) is None


def test_current_milestone_is_the_first_not_yet_due():
    ms = [Milestone(date(2026, 3, 31), "a"), Milestone(date(2026, 9, 30), "b")]
    assert current_milestone(ms, date(2026, 1, 5)).title == "a"
    assert current_milestone(ms, date(2026, 3, 31)).title == "a"
    assert current_milestone(ms, date(2026, 4, 1)).title == "b"
    assert current_milestone(ms, date(2026, 12, 1)).title == "b"  # all past: the last
    assert current_milestone([], date(2026, 1, 1)) is None


def test_next_milestone_opens_after_closing_and_only_in_its_year():
    ms = [
        Milestone(date(2026, 12, 31), "一期", item_id=7),
        Milestone(date(2027, 12, 31), "二期"),
        Milestone(date(2028, 12, 31), "三期"),
    ]
    assert next_to_open(ms, set(), date(2027, 1, 4)) is None  # 2026's not closed
    assert next_to_open(ms, {7}, date(2026, 12, 20)) is None  # closed, but 2027 not begun
    assert next_to_open(ms, {7}, date(2027, 1, 1)).title == "二期"
    assert next_to_open(ms[:1], {7}, date(2027, 1, 1)) is None  # nothing left
    assert next_to_open([Milestone(date(2026, 12, 31), "x")], set(), date(2027, 1, 1)) is None


def test_task_percent_counts_each_target_at_most_100():
    assert task_percent([D("150"), D("50")]) == D("75.0")
    assert task_percent([D("33.3"), None, D("66.6")]) == D("49.9")
    assert task_percent([None]) is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("3.5", D("3.5")),
        ("1,200", D("1200")),
        ("1，200", D("1200")),
        ("10.0", D("10")),
        ("3.5亿元", D("3.5")),
        ("0", D("0")),
        ("5000 人", D("5000")),
    ],
)
def test_parse_quantity_accepts_what_people_type(typed, expected):
    assert parse_quantity(typed, "亿元" if "亿" in typed else "人") == expected


@pytest.mark.parametrize("typed", ["", "-1", "abc", "1.23456", "3.5公里", "1e5", "2e13", "."])
def test_parse_quantity_refuses_the_rest(typed):
    with pytest.raises(Refusal) as caught:
        parse_quantity(typed, "亿元")
    assert caught.value.key == "bad_quantity"


def test_show_and_normal_spell_each_value_once():
    assert show(D("10.00")) == "10"
    assert show(D("1.50")) == "1.5"
    assert show(D("1E+3")) == "1000"
    assert show(None) == ""
    assert normal(D("2.500")) == D("2.5")


def test_a_leader_is_known_by_name_or_by_surname_and_title():
    def leader(name, title=""):
        return Person(1, 1, 1, Role.LEADER, name, title)

    assert called(leader("钱伟", "副市长")) == {"钱伟", "钱副市长"}
    assert called(leader("赵刚", "市委副书记")) == {"赵刚", "赵市委副书记"}
    assert called(leader("孙丽")) == {"孙丽"}

"""The one light: deadline and reports, and for a plan target its work against its time."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from domain.items import Status
from domain.models import Period
from domain.plan.rules import Milestone, milestone_quantity, milestone_reached, started_late
from domain.policy import Rules, needs
from domain.reminders import Assignment, overdue_since
from domain.traffic import Light, Pace, item_lights, light
from domain.workdays import WorkdayCalendar
from tests.reminder_cases import assignment

CAL = WorkdayCalendar()
D = Decimal
TODAY = date(2026, 7, 1)  # half of 2026 gone (time_percent: 181 of 364 days → 49%)
YEAR = Pace(date(2026, 1, 1), date(2026, 12, 31), None)


@pytest.mark.parametrize(
    ("progress", "expected"),
    [
        (D("49"), Light.GREEN),
        (D("39"), Light.GREEN),  # 10 points behind: still on track
        (D("38.9"), Light.YELLOW),
        (D("24"), Light.YELLOW),
        (D("23.9"), Light.RED),
        (None, Light.RED),  # nothing reported with half the year gone
        (D("112"), Light.GREEN),
    ],
)
def test_a_target_compares_work_with_time(progress, expected):
    pace = replace(YEAR, progress=progress)
    assert light(Status.IN_PROGRESS, date(2026, 12, 31), TODAY, CAL, pace=pace) is expected


def test_an_item_is_as_red_as_the_worse_of_its_deadline_and_its_pace():
    ahead = replace(YEAR, progress=D(90))
    near = date(2026, 7, 3)  # 2 working days left
    assert light(Status.IN_PROGRESS, near, TODAY, CAL, pace=ahead) is Light.YELLOW
    behind = replace(YEAR, progress=D(30))
    assert (
        light(Status.IN_PROGRESS, date(2026, 12, 31), TODAY, CAL, True, pace=behind) is Light.YELLOW
    )
    assert (
        light(Status.IN_PROGRESS, date(2026, 6, 30), TODAY, CAL, pace=ahead) is Light.RED
    )  # overdue


def test_deadline_and_reports_alone():
    deadline = date(2026, 10, 16)
    assert light(Status.IN_PROGRESS, deadline, date(2026, 10, 12), CAL) is Light.GREEN
    assert light(Status.IN_PROGRESS, deadline, date(2026, 10, 13), CAL) is Light.YELLOW
    assert light(Status.IN_PROGRESS, deadline, date(2026, 10, 17), CAL) is Light.RED
    assert light(Status.IN_PROGRESS, deadline, date(2026, 10, 12), CAL, True) is Light.YELLOW


def test_finished_stopped_drafts_and_not_begun():
    late = date(2026, 3, 1)
    for status in (Status.CLOSED, Status.REVISITING):
        assert light(status, late, TODAY, CAL, pace=YEAR) is Light.GREEN
    for status in (Status.CANCELLED, Status.RECORDED, Status.PENDING_APPROVAL):
        assert light(status, late, TODAY, CAL) is None
    window = date(2026, 10, 1)
    assert light(Status.AWAITING_SIGN, date(2026, 12, 31), TODAY, CAL, chase_from=window) is None
    later = Pace(date(2027, 1, 1), date(2027, 12, 31), None)
    assert light(Status.AWAITING_SIGN, date(2027, 12, 31), TODAY, CAL, pace=later) is None


def test_a_multi_year_target_goes_on_after_this_years_item_closes():
    carried = Pace(date(2026, 1, 1), date(2027, 12, 31), D(5), continues=True)
    assert light(Status.CLOSED, date(2026, 6, 30), TODAY, CAL, pace=carried) is Light.YELLOW
    assert light(Status.CLOSED, date(2026, 6, 30), TODAY, CAL, pace=YEAR) is Light.GREEN


def _assignment(**changes) -> Assignment:
    """A target's item (T02-01), signed the day after it was sent in January, due at year end."""
    target = dict(title="新增城镇就业", serial="T02-01", status=Status.IN_PROGRESS)
    sent = dict(period=Period.ONCE, sent_on=date(2026, 1, 5), signed_on=date(2026, 1, 6))
    return assignment(**{**target, **sent, "is_lead": True, **changes})


def test_item_lights_take_the_worst_unit_and_the_pace_by_item():
    lead = _assignment()
    co = _assignment(unit_id=3, is_lead=False, deadline=date(2026, 7, 2))
    assert item_lights([lead], TODAY, CAL) == {1: Light.GREEN}
    assert item_lights([lead, co], TODAY, CAL) == {1: Light.YELLOW}
    assert item_lights([lead], TODAY, CAL, {1: YEAR}) == {1: Light.RED}
    assert item_lights([_assignment(status=Status.CANCELLED)], TODAY, CAL) == {1: None}


def test_a_target_imported_after_its_deadline_is_late_from_the_import():
    imported = date(2026, 11, 16)
    chase = started_late(None, date(2026, 5, 31), imported)
    assert chase == imported
    assert started_late(date(2026, 3, 1), date(2026, 12, 31), imported) == date(2026, 3, 1)
    a = _assignment(deadline=date(2026, 5, 31), sent_on=imported, signed_on=None)
    a = replace(a, status=Status.AWAITING_SIGN, chase_from=chase)
    assert overdue_since(a) == imported
    assert overdue_since(replace(a, chase_from=None)) == date(2026, 5, 31)
    first = {n.kind: n for n in needs(a, date(2026, 11, 17), CAL, Rules())}["overdue"]
    assert first.since == imported and first.context["workdays"] == 1


def test_a_milestone_is_reached_by_its_quantity_or_its_finished_work():
    six = Milestone(date(2026, 6, 30), "上半年6场")
    assert milestone_quantity(six, "场") == 6
    assert milestone_quantity(Milestone(date(2026, 6, 30), "完成30%"), "场") is None
    assert milestone_quantity(Milestone(date(2026, 6, 30), "2027年建成"), "公里") is None
    assert not milestone_reached(six, "场", None, done=False)
    assert not milestone_reached(six, "场", D(5), done=True)
    assert milestone_reached(six, "场", D(6), done=False)
    plain = Milestone(date(2026, 6, 30), "完成选址")
    assert not milestone_reached(plain, "", None, done=False)
    assert milestone_reached(plain, "", None, done=True)

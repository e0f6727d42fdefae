"""The item the reminder tests follow: sent Tuesday 2026-09-22, weekly reports, across the
National Day holiday and a 调休 Saturday. tests/domain/test_reminders.py walks its policy,
tests/domain/test_lights.py its lights, tests/bot/test_push_texts.py the words of its pushes."""

from __future__ import annotations

from datetime import date

from domain.items import Status
from domain.models import Period
from domain.policy import Rules
from domain.reminders import Assignment
from domain.workdays import WorkdayCalendar

CAL = WorkdayCalendar()
SENT = date(2026, 9, 22)
DEADLINE = date(2026, 10, 16)
FAR = date(2026, 12, 31)
RULES = Rules()


def assignment(**changes) -> Assignment:
    base = dict(
        item_id=1,
        title="老旧小区改造",
        serial="督办〔2026〕1号",
        status=Status.AWAITING_SIGN,
        is_key=False,
        period=Period.WEEKLY,
        deadline=FAR,
        sent_on=SENT,
        unit_id=2,
        unit_name="市交通运输局",
        is_lead=False,
    )
    return Assignment(**{**base, **changes})


ASKED = date(2026, 9, 28)  # Monday before National Day: working days 09-29 (1), 09-30, 10-08 (3)


def unanswered(**changes) -> Assignment:
    """The lead unit's part in a closed item now 回访中, asked on ASKED, long past its deadline."""
    base = dict(status=Status.REVISITING, is_lead=True, deadline=DEADLINE, signed_on=SENT)
    return assignment(**{**base, "revisit_id": 7, "revisit_asked_on": ASKED, **changes})

"""The reminder policy over a month with the National Day holiday and a 调休 Saturday.

Item sent Tuesday 2026-09-22, weekly reports, deadline Friday 2026-10-16.
Working days around it: 09-25 (Fri) and 10-01..10-07 are holidays; Saturday 10-10 is worked,
so the working days after sending are 09-23 (1), 09-24, 09-28 (3), 09-29, 09-30 (5), 10-08 (6),
10-09, 10-10, 10-12, 10-13 (10), 10-14, 10-15 (12) ...
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from domain.items import Status
from domain.models import Period
from domain.periods import window
from domain.policy import Chase, Rules, needs, steps
from domain.reminders import behind_on_reports
from domain.traffic import Light, light
from tests.reminder_cases import CAL, DEADLINE, FAR, RULES, SENT, assignment, unanswered


def walk(a, end=date(2026, 10, 30), rules=RULES, state="sent", skip=(), changes=None):
    """Tick each working day as the orchestrator would, every step's message in `state`;
    `changes` maps a day to the assignment from then on. Returns [(day, action, need key)]."""
    history: dict[str, list[Chase]] = {}
    taken = []
    day = SENT
    while day <= end:
        a = (changes or {}).get(day, a)
        if CAL.is_workday(day) and day not in skip:
            for need in needs(a, day, CAL, rules):
                for s in steps(need, history.get(need.key, []), day, CAL, rules, a.muted_until):
                    history.setdefault(need.key, []).append(Chase(need.key, s.action, day, state))
                    taken.append((day.isoformat()[5:], s.action, need.key))
        day += timedelta(days=1)
    return taken


def ladder(taken, prefix: str) -> list[tuple[str, str]]:
    return [(day, action) for day, action, key in taken if key.startswith(prefix)]


def test_an_unsigned_letter_is_asked_three_times_then_escalated_then_the_leader_hears():
    taken = walk(assignment())
    assert ladder(taken, "sign:") == [
        ("09-23", "remind"),  # working day 1
        ("09-28", "remind"),  # 3
        ("09-30", "remind"),  # 5, and no more
        ("10-08", "escalate"),  # 6: the supervisors, once
        ("10-14", "leader"),  # 5 working days later: not a key item
    ]


def test_a_key_item_goes_to_the_leader_channel_with_its_escalation():
    taken = walk(assignment(is_key=True))
    assert ladder(taken, "sign:")[-2:] == [("10-08", "escalate"), ("10-08", "leader")]


def test_the_ladder_is_configurable():
    taken = walk(assignment(), rules=Rules(ladder=(2,), leader_after=1))
    assert ladder(taken, "sign:") == [
        ("09-24", "remind"),
        ("09-28", "escalate"),
        ("09-29", "leader"),
    ]


def test_an_outage_is_caught_up_one_step_a_day():
    down = {SENT + timedelta(days=n) for n in range(1, 20)}  # back on 10-12
    taken = walk(assignment(), skip=down)
    assert ladder(taken, "sign:")[:4] == [
        ("10-12", "remind"),
        ("10-13", "remind"),
        ("10-14", "remind"),
        ("10-15", "escalate"),
    ]


def test_a_dropped_reminder_is_taken_again_the_next_day():
    need = needs(assignment(), date(2026, 9, 24), CAL, Rules())[0]
    dropped = [Chase(need.key, "remind", date(2026, 9, 23), "dropped")]
    again = steps(need, dropped, date(2026, 9, 24), CAL, Rules())
    assert [(s.action, s.n) for s in again] == [("remind", 1)]


def test_a_muted_unit_is_not_reminded_but_the_escalation_goes_and_says_so():
    muted = assignment(muted_until=date(2026, 10, 20))
    taken = walk(muted)
    assert ladder(taken, "sign:")[0] == ("10-08", "escalate")
    need = needs(muted, date(2026, 10, 8), CAL, Rules())[0]
    (step,) = steps(need, [], date(2026, 10, 8), CAL, Rules(), muted.muted_until)
    assert step.told.muted_until == date(2026, 10, 20) and step.told.sent == ()


def test_responsible_is_chased_from_the_sixth_working_day_after_signing():
    taken = walk(assignment(status=Status.IN_PROGRESS, signed_on=SENT, last_report_on=FAR))
    assert ladder(taken, "responsible:") == [
        ("10-08", "remind"),  # working day 6 after 签收: the 5 days allowed have passed
        ("10-10", "remind"),
        ("10-13", "remind"),
        ("10-14", "escalate"),
        ("10-21", "leader"),
    ]


def test_missed_reports_are_one_ladder_until_the_unit_reports_again():
    signed = assignment(status=Status.IN_PROGRESS, signed_on=SENT, responsible_set=True)
    reported = replace(signed, last_report_on=date(2026, 10, 14))
    taken = walk(signed, changes={date(2026, 10, 14): reported})
    reports = [(d, a, k.rsplit(":", 1)[1]) for d, a, k in taken if k.startswith("report:")]
    assert reports[:4] == [
        ("09-28", "remind", "2026-W39"),  # due 09-24 (09-25 is a holiday)
        ("09-30", "remind", "2026-W39"),
        ("10-09", "remind", "2026-W39"),
        ("10-10", "escalate", "2026-W39"),  # later weeks missed too: the same ladder
    ]
    assert all(r[2] != "2026-W42" for r in reports)  # the week it reported in
    assert [r[:2] for r in reports if r[2] == "2026-W43"] == [
        ("10-26", "remind"),  # a new period missed: a new ladder
        ("10-28", "remind"),
        ("10-30", "remind"),
    ]


def test_a_new_deadline_starts_a_new_overdue_ladder():
    late = assignment(
        status=Status.IN_PROGRESS, signed_on=SENT, responsible_set=True, deadline=DEADLINE
    )
    late = replace(late, period=Period.ONCE)
    extended = replace(late, deadline=date(2026, 10, 21))
    taken = walk(late, end=date(2026, 11, 10), changes={date(2026, 10, 20): extended})
    overdue = [(d, a, k.rsplit(":", 1)[1]) for d, a, k in taken if k.startswith("overdue:")]
    assert overdue == [
        ("10-19", "remind", "2026-10-16"),
        ("10-22", "remind", "2026-10-21"),  # the extension: a new ladder from its deadline
        ("10-26", "remind", "2026-10-21"),
        ("10-28", "remind", "2026-10-21"),
        ("10-29", "escalate", "2026-10-21"),
        ("11-05", "leader", "2026-10-21"),
    ]


def test_heads_ups_come_once_each_and_never_escalate():
    signed = assignment(
        status=Status.IN_PROGRESS,
        signed_on=SENT,
        responsible_set=True,
        deadline=DEADLINE,
        is_key=True,
    )
    taken = walk(replace(signed, last_report_on=date(2026, 9, 22)), end=DEADLINE)
    soon = [(d, a) for d, a, k in taken if k.startswith("deadline_soon:")]
    assert soon == [("10-13", "remind"), ("10-15", "remind")]  # 3 and 1 working days before
    report_soon = [d for d, a, k in taken if k.startswith("report_soon:")]
    assert report_soon == ["09-29", "10-09", "10-15"]  # the day before each due day
    assert all(a == "remind" for d, a, k in taken if k.startswith(("report_soon", "deadline")))


def test_closed_and_suspended_items_need_nothing():
    for status in (Status.SUSPENDED, Status.CLOSED, Status.UNDER_REVIEW, Status.CANCELLED):
        assert needs(assignment(status=status), date(2026, 10, 20), CAL, Rules()) == []


def test_a_seasonal_window_holds_every_rule_until_it_opens():
    a = assignment(chase_from=date(2026, 10, 12))
    assert needs(a, date(2026, 10, 9), CAL, Rules()) == []
    (sign,) = needs(a, date(2026, 10, 13), CAL, Rules())
    assert sign.context["sent"] == "2026-09-22"  # the unit is told the real date
    assert sign.context["workdays"] == 1  # but the waiting counts from the window
    early = assignment(
        status=Status.IN_PROGRESS,
        signed_on=date(2026, 9, 23),
        responsible_set=True,
        chase_from=date(2026, 10, 12),
    )
    kinds = {n.kind for n in needs(early, date(2026, 10, 13), CAL, Rules())}
    assert "report" not in kinds  # no period before the window is counted as missed


def test_traffic_light():
    today = date(2026, 10, 12)
    assert light(Status.IN_PROGRESS, DEADLINE, today, CAL) is Light.GREEN  # 4 working days left
    assert light(Status.IN_PROGRESS, DEADLINE, date(2026, 10, 13), CAL) is Light.YELLOW
    assert light(Status.IN_PROGRESS, DEADLINE, date(2026, 10, 17), CAL) is Light.RED
    assert light(Status.CLOSED, DEADLINE, date(2026, 10, 30), CAL) is Light.GREEN
    assert light(Status.IN_PROGRESS, DEADLINE, today, CAL, behind_on_reports=True) is Light.YELLOW
    signed = assignment(status=Status.IN_PROGRESS, signed_on=SENT)
    assert behind_on_reports(signed, today, CAL)
    assert not behind_on_reports(replace(signed, last_report_on=today), today, CAL)


def test_fortnightly_periods_start_on_the_monday_of_the_sending_week():
    # sent Tuesday 09-22: periods run Monday 09-21 to Sunday 10-04, 10-05 to 10-18, ...
    windows = [window(Period.FORTNIGHTLY, date(2026, 9, d), SENT, DEADLINE) for d in (22, 30)]
    assert {(w.key, w.start, w.end) for w in windows} == {
        ("2026-09-21+14", date(2026, 9, 21), date(2026, 10, 4))
    }
    second = window(Period.FORTNIGHTLY, date(2026, 10, 5), SENT, DEADLINE)
    assert (second.start, second.end) == (date(2026, 10, 5), date(2026, 10, 18))
    # due on the last working day: 10-01..10-04 are National Day holidays
    assert windows[0].due_day(CAL) == date(2026, 9, 30)
    assert second.due_day(CAL) == date(2026, 10, 16)


# ---- an unanswered revisit ------------------------------------------------------------------


def test_an_unanswered_revisit_climbs_the_ladder_from_the_invitation_day():
    taken = walk(unanswered(is_key=True))
    assert [key for _, _, key in taken] == ["revisit:1:2:7"] * 5  # nothing else: no overdue
    assert ladder(taken, "revisit:") == [
        ("09-29", "remind"),
        ("10-08", "remind"),
        ("10-10", "remind"),
        ("10-12", "escalate"),  # working day 6: the supervisors, once
        ("10-12", "leader"),  # a key item: the leader channel with it, once
    ]


def test_a_revisit_of_an_item_that_is_not_key_never_reaches_the_leader_channel():
    taken = walk(unanswered(), end=date(2026, 11, 30))
    assert ladder(taken, "revisit:")[-1] == ("10-12", "escalate")
    assert not any(action == "leader" for _, action, _ in taken)


def test_an_answered_revisit_and_the_co_units_part_are_not_chased():
    day = date(2026, 10, 12)
    assert needs(unanswered(revisit_id=None, revisit_asked_on=None), day, CAL, RULES) == []
    co_unit = unanswered(is_lead=False, revisit_id=None, revisit_asked_on=None, unit_id=3)
    assert needs(co_unit, day, CAL, RULES) == []

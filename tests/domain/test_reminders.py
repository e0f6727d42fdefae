"""The reminder policy over a month with the National Day holiday and a 调休 Saturday.

Item sent Tuesday 2026-09-22, weekly reports, deadline Friday 2026-10-16.
Working days around it: 09-25 (Fri) and 10-01..10-07 are holidays; Saturday 10-10 is worked,
so the working days after sending are 09-23 (1), 09-24, 09-28 (3), 09-29, 09-30 (5), 10-08 (6),
10-09, 10-10, 10-12, 10-13 (10), 10-14, 10-15 (12) ...
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from bot.render import Renderer
from domain import digests
from domain.items import Status
from domain.models import Period
from domain.periods import window
from domain.policy import Chase, Rules, Step, needs, steps, told
from domain.reminders import Assignment, behind_on_reports
from domain.traffic import Light, light
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


# ---- honest words -------------------------------------------------------------------------


def test_an_escalation_says_what_was_really_done():
    key = "sign:1:2:2026-09-22"
    history = [
        Chase(key, "remind", date(2026, 12, 1), "sent"),
        Chase(key, "remind", date(2026, 12, 3), "sent"),
        Chase(key, "remind", date(2026, 12, 7), "sent"),
    ]
    assert told(history).sent == (date(2026, 12, 1), date(2026, 12, 3), date(2026, 12, 7))
    assert "已提醒3次（12月1日、3日、7日）" in followup_text(told(history))
    held = [replace(c, state="held") for c in history]
    text = followup_text(told(held))
    assert "该单位暂无联络员，未能提醒" in text and "已提醒" not in text
    failed = [replace(history[0], state="failed")]
    assert "提醒未能送达" in followup_text(told(failed))
    muted = followup_text(told([], muted_until=date(2026, 12, 15)))
    assert "已暂停提醒至12月15日" in muted and "已提醒" not in muted
    assert "机器人已自动提醒" not in text + muted


def followup_text(facts) -> str:
    need = needs(assignment(), date(2026, 12, 8), CAL, Rules())[0]
    step = Step("escalate", need, told=facts)
    (digest,) = digests.followups([step], [7], {}, date(2026, 12, 8))
    return Renderer()("push_followup", **digest.context())


# ---- digests --------------------------------------------------------------------------------


def test_one_todo_per_unit_lists_every_entry_and_counts_beyond_ten():
    day = date(2026, 10, 8)
    many = [
        Step("remind", n, 1)
        for i in range(12)
        for n in needs(
            assignment(item_id=i + 1, serial=f"督办〔2026〕{i + 1}号"), day, CAL, Rules()
        )
    ]
    other = needs(assignment(unit_id=3, unit_name="市生态环境局"), day, CAL, Rules())
    found = digests.todos([*many, Step("remind", other[0], 1)], day)
    assert sorted(d.unit_id for d in found) == [2, 3]
    (mine,) = [d for d in found if d.unit_id == 2]
    assert mine.key == "todo:u2:2026-10-08" and len(mine.fixes) == 10
    text = Renderer()("push_todo", **mine.context())
    assert text.count("尚未签收") == 10 and "另有2项，发送 /mytasks 查看" in text
    assert "共12项" in text


def test_a_followup_groups_escalations_by_unit_and_a_plan_leader_gets_only_theirs():
    day = date(2026, 10, 8)
    jt = needs(assignment(), day, CAL, Rules())[0]
    late = assignment(item_id=5, unit_id=3, unit_name="市生态环境局", deadline=date(2026, 9, 30))
    hj = next(n for n in needs(late, day, CAL, Rules()) if n.kind == "overdue")
    esc = [Step("escalate", jt, told=told([])), Step("escalate", hj, told=told([]))]
    found = digests.followups(esc, [7, 8], {5: [9]}, day)
    assert [(d.person_id, len(d.steps), d.to_leader) for d in found] == [
        (7, 2, False),
        (8, 2, False),
        (9, 1, True),
    ]
    text = Renderer()("push_followup", **found[0].context())
    assert text.index("市交通运输局") < text.index("市生态环境局")
    assert "分管目标逾期" in Renderer()("push_followup", **found[2].context())


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

ASKED = date(2026, 9, 28)  # Monday before National Day: working days 09-29 (1), 09-30, 10-08 (3)


def unanswered(**changes) -> Assignment:
    """The lead unit's part in a closed item now 回访中, asked on ASKED, long past its deadline."""
    base = dict(status=Status.REVISITING, is_lead=True, deadline=DEADLINE, signed_on=SENT)
    return assignment(**{**base, "revisit_id": 7, "revisit_asked_on": ASKED, **changes})


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


def test_the_todo_names_the_revisit_and_its_button_opens_the_revisits_form():
    day = date(2026, 10, 8)
    (need,) = needs(unanswered(), day, CAL, RULES)
    (todo,) = digests.todos(steps(need, [], day, CAL, RULES), day)
    assert todo.fixes == [("revisit", 7, "督办〔2026〕1号")]  # the revisit's id, not the item's
    text = Renderer()("push_todo", **todo.context())
    assert "回访通知已于 2026年9月28日 发出，贵单位尚未报送回访情况（已过3个工作日）" in text

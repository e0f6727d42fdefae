"""The reminder rules over a month with the National Day holiday and a 调休 Saturday.

Item sent Tuesday 2026-09-22, weekly reports, deadline Friday 2026-10-16, a key item.
Working days around it: 09-25 (Fri) and 10-01..10-07 are holidays; Saturday 10-10 is worked.
"""

from __future__ import annotations

from datetime import date, timedelta

from domain.models import Period
from domain.periods import window
from domain.reminders import Assignment, Rules, behind_on_reports, decide
from domain.traffic import Light, light
from domain.workdays import WorkdayCalendar

CAL = WorkdayCalendar()
SENT = date(2026, 9, 22)
DEADLINE = date(2026, 10, 16)


def assignment(**changes) -> Assignment:
    base = dict(
        item_id=1,
        title="老旧小区改造",
        serial="督办〔2026〕1号",
        status="办理中",
        is_key=True,
        period=Period.WEEKLY,
        deadline=DEADLINE,
        sent_on=SENT,
        unit_id=1,
        unit_name="住建局",
        is_lead=True,
    )
    return Assignment(**{**base, **changes})


def walk(a: Assignment, start=date(2026, 9, 22), end=date(2026, 10, 26)) -> dict[str, list]:
    """Rules fired per working day, as 'rule' (unit) / 'rule!' (supervisors) / 'rule^' (leader)."""
    seen: dict[str, set[str]] = {}
    day = start
    while day <= end:
        if CAL.is_workday(day):
            for due in decide(a, day, CAL, Rules()):
                mark = {"unit": "", "supervisors": "!", "leader": "^"}[due.audience]
                seen.setdefault(due.key, set()).add(day.isoformat())
                seen.setdefault(day.isoformat(), set()).add(due.rule + mark)
        day += timedelta(days=1)
    return {k: sorted(v) for k, v in seen.items()}


def days(*items: str) -> list[str]:
    return [f"2026-{d}" for d in items]


def test_unsigned_unit_is_chased_on_working_days_only():
    fired = walk(assignment(status="待签收", is_lead=False, unit_id=2, unit_name="交通局"))
    fired_days = {d: r for d, r in fired.items() if d[:4] == "2026"}
    sign_days = [d for d, rules in fired_days.items() if "sign" in rules]
    assert sign_days == days(
        "09-23",
        "09-24",
        "09-28",
        "09-29",
        "09-30",
        "10-08",
        "10-09",
        "10-10",
        "10-12",
        "10-13",
        "10-14",
        "10-15",
        "10-16",
        "10-19",
        "10-20",
        "10-21",
        "10-22",
        "10-23",
        "10-26",
    )
    # decided again each day, but one key: the outbox keeps exactly one escalation
    assert fired["esc_sign:1:2:once"][0] == "2026-09-24"
    # overdue 催办 at most 5 working days, then it is the supervisors' turn
    assert [d for d, r in fired_days.items() if "overdue" in r] == days(
        "10-19", "10-20", "10-21", "10-22", "10-23"
    )
    assert not any("deadline" in r for r in fired_days.values())  # unsigned: nothing to warn
    assert not any("^" in rule for r in fired_days.values() for rule in r)  # not the lead


def test_signed_lead_unit_without_reports():
    fired = {d: r for d, r in walk(assignment(signed_on=SENT)).items() if d[:4] == "2026"}
    by_rule = {}
    for day, rules in fired.items():
        for rule in rules:
            by_rule.setdefault(rule, []).append(day)
    assert by_rule["responsible"][:3] == days("09-29", "09-30", "10-08")
    assert by_rule["esc_responsible!"][0] == "2026-10-08"  # working day 6 after 签收
    # reports: the day before the due day and on it, for each week
    assert by_rule["report_due"] == days(
        "09-23", "09-24", "09-29", "09-30", "10-09", "10-10", "10-15", "10-16", "10-22", "10-23"
    )
    # late from the first working day after a missed due day
    assert by_rule["report_late"][:4] == days("09-28", "09-29", "09-30", "10-08")
    assert by_rule["deadline"] == days("10-13", "10-15")
    assert by_rule["overdue"] == days("10-19", "10-20", "10-21", "10-22", "10-23")
    assert by_rule["key_red^"][0] == "2026-10-19"  # early: the first working day overdue
    assert by_rule["escalation^"][0] == "2026-10-20"
    assert not set(fired) & {"2026-09-25", "2026-10-01", "2026-10-05", "2026-10-11"}


def test_each_push_has_one_key_per_period():
    a = assignment(signed_on=SENT)
    keys = [
        d.key
        for day in (date(2026, 10, 19), date(2026, 10, 20))
        for d in decide(a, day, CAL, Rules())
    ]
    escalations = [k for k in keys if k.startswith("esc_overdue")]
    assert escalations == ["esc_overdue:1:1:2026-10-16"]  # 10-19 is only 1 working day late
    assert len([k for k in keys if k.startswith("overdue")]) == 2  # one per day


def test_a_report_this_week_stops_the_report_reminders():
    a = assignment(signed_on=SENT, responsible_set=True, last_report_on=date(2026, 10, 12))
    rules = {d.rule for d in decide(a, date(2026, 10, 15), CAL, Rules())}
    assert "report_due" not in rules and "report_late" not in rules
    assert "deadline" in rules


def test_suspended_closed_and_muted_units_are_not_pushed():
    for status in ("暂停", "已办结", "待审核", "已撤销"):
        assert decide(assignment(status=status), date(2026, 10, 20), CAL, Rules()) == []
    muted = decide(assignment(muted_until=date(2026, 10, 30)), date(2026, 10, 20), CAL, Rules())
    assert muted and all(d.audience != "unit" for d in muted)


def test_traffic_light():
    today = date(2026, 10, 12)
    assert light("办理中", DEADLINE, today, CAL) is Light.GREEN  # 4 working days left
    assert light("办理中", DEADLINE, date(2026, 10, 13), CAL) is Light.YELLOW
    assert light("办理中", DEADLINE, date(2026, 10, 17), CAL) is Light.RED
    assert light("已办结", DEADLINE, date(2026, 10, 30), CAL) is Light.GREEN
    assert light("办理中", DEADLINE, today, CAL, behind_on_reports=True) is Light.YELLOW
    assert behind_on_reports(assignment(signed_on=SENT), today, CAL)
    assert not behind_on_reports(assignment(signed_on=SENT, last_report_on=today), today, CAL)


def test_a_seasonal_window_holds_every_rule_until_it_opens():
    """Sent on 09-22 with a window from 10-12: nothing before it; then counted from it."""
    a = assignment(status="待签收", chase_from=date(2026, 10, 12), is_key=False)
    fired = walk(a)
    active = sorted(day for day, rules in fired.items() if day.startswith("2026-") and rules)
    assert active[0] == "2026-10-13"  # the first working day after the window opened
    sign = [d for d in decide(a, date(2026, 10, 13), CAL, Rules()) if d.rule == "sign"]
    assert sign and sign[0].context["since"] == "2026-09-22"  # the unit is told the real date
    assert sign[0].context["workdays"] == 1  # but the waiting counts from the window
    assert not behind_on_reports(
        assignment(chase_from=date(2026, 10, 12), signed_on=SENT), date(2026, 10, 9), CAL
    )


def test_signed_before_the_window_reports_are_due_from_the_window():
    a = assignment(signed_on=date(2026, 9, 23), responsible_set=True, chase_from=date(2026, 10, 12))
    before = [
        d.rule
        for day in (date(2026, 9, 30), date(2026, 10, 9))
        for d in decide(a, day, CAL, Rules())
    ]
    assert before == []
    late = [d.rule for d in decide(a, date(2026, 10, 13), CAL, Rules())]
    assert "report_late" not in late  # no period before the window is counted as missed


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


def test_fortnightly_reports_are_asked_once_a_fortnight():
    fired = walk(assignment(signed_on=SENT, period=Period.FORTNIGHTLY))
    asked = sorted(d for d, rules in fired.items() if d[:4] == "2026" and "report_due" in rules)
    assert asked == days("09-29", "09-30", "10-15", "10-16")
    late = sorted(d for d, rules in fired.items() if d[:4] == "2026" and "report_late" in rules)
    assert late[0] == "2026-10-08"  # the first working day after the 09-30 due day

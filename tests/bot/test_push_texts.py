"""The words of the pushes the reminder policy decides: an escalation says what was really done
(reminded, held for want of a liaison, failed, muted), a unit's todo lists ten entries and
counts the rest, a follow-up groups by unit, and a revisit's todo names the revisit."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from bot.render import Renderer
from domain import digests
from domain.policy import Chase, Rules, Step, needs, steps, told
from tests.reminder_cases import CAL, RULES, assignment, unanswered


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


def test_the_todo_names_the_revisit_and_its_button_opens_the_revisits_form():
    day = date(2026, 10, 8)
    (need,) = needs(unanswered(), day, CAL, RULES)
    (todo,) = digests.todos(steps(need, [], day, CAL, RULES), day)
    assert todo.fixes == [("revisit", 7, "督办〔2026〕1号")]  # the revisit's id, not the item's
    text = Renderer()("push_todo", **todo.context())
    assert "回访通知已于 2026年9月28日 发出，贵单位尚未报送回访情况（已过3个工作日）" in text

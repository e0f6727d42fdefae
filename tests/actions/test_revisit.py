"""回访 without Telegram: scheduled when a key or long-running item closes, started on the due day
exactly once, answered only by the lead unit's liaison, finished or reopened by a supervisor.
Today is Tuesday 2026-11-24 and the item closes today, so its revisits fall on 12-24 and
2027-02-22."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from domain import revisits
from domain.items import Action, Status
from domain.office import Office
from storage import items
from tests.actions.conftest import refused_with

TODAY = date(2026, 11, 24)


@pytest.fixture
def closed_item(office: Office, sent_item):
    """A factory: a key item (unless is_key=False) led by 住建局 with 交通局, due in 20 days,
    sent and signed, then closed today; it returns the item's id.

    The closing itself belongs to the review code; here it is the status change and the
    schedule() call that review makes inside its closing transaction.
    """

    async def close(*, is_key: bool = True) -> int:
        item_id = await sent_item(deadline=TODAY + timedelta(days=20), is_key=is_key)
        async with office.db.transaction() as conn:
            await items.set_status(
                conn, item_id, Status.CLOSED, office.now(), closed_at=office.now()
            )
            item = await items.get(conn, item_id)
            await revisits.schedule(conn, office, item, office.clock.today())
        return item_id

    return close


async def rows(office: Office, sql: str, params=()) -> list[dict]:
    async with office.db.read() as conn:
        return [dict(r) for r in await conn.all(sql, params)]


async def status(office: Office, item_id: int) -> str:
    return (await rows(office, "SELECT status FROM items WHERE id = ?", (item_id,)))[0]["status"]


async def states(office: Office) -> list[str]:
    return [r["state"] for r in await rows(office, "SELECT state FROM revisits ORDER BY due_on")]


async def test_schedule_is_idempotent_and_skips_items_that_need_no_revisit(
    office, staff, closed_item
):
    item_id = await closed_item()
    async with office.db.transaction() as conn:
        item = await items.get(conn, item_id)
        again = await revisits.schedule(conn, office, item, TODAY)
    assert again == [date(2026, 12, 24), date(2027, 2, 22)]
    found = await rows(office, "SELECT item_id, due_on, state FROM revisits ORDER BY due_on")
    assert found == [
        {"item_id": item_id, "due_on": "2026-12-24", "state": "scheduled"},
        {"item_id": item_id, "due_on": "2027-02-22", "state": "scheduled"},
    ]

    ordinary = await closed_item(is_key=False)  # weekly, 20 days: not long
    assert await rows(office, "SELECT * FROM revisits WHERE item_id = ?", (ordinary,)) == []

    office.revisit_days = (10,)
    async with office.db.transaction() as conn:
        item = await items.get(conn, item_id)
        assert await revisits.schedule(conn, office, item, TODAY) == [date(2026, 12, 4)]
    assert len(await states(office)) == 3


async def test_start_due_only_on_the_due_day_and_exactly_once(office, staff, closed_item):
    item_id = await closed_item()
    office.clock.advance(days=29)
    assert await revisits.start_due(office) == []
    assert await status(office, item_id) == Status.CLOSED

    office.clock.advance(days=1)
    due = await revisits.start_due(office)
    assert [(d.revisit_id, d.due_on, d.item.status) for d in due] == [
        (1, date(2026, 12, 24), Status.REVISITING)
    ]
    assert [p.id for p in due[0].liaisons] == [staff.housing.id]  # the lead unit only
    assert [p.id for p in due[0].supervisors] == [staff.supervisor.id]
    assert await status(office, item_id) == Status.REVISITING
    assert await states(office) == ["asked", "scheduled"]
    started = await rows(office, "SELECT * FROM audit WHERE action = '开始回访'")
    assert len(started) == 1 and started[0]["person_id"] is None
    assert json.loads(started[0]["detail"]) == {"revisit": 1, "due_on": "2026-12-24"}

    assert await revisits.start_due(office) == []  # the second tick of the day
    office.clock.advance(hours=5)
    assert await revisits.start_due(office) == []
    assert len(await rows(office, "SELECT * FROM audit WHERE action = '开始回访'")) == 1


async def test_a_later_revisit_waits_for_the_open_one_then_starts(office, staff, closed_item):
    item_id = await closed_item()
    office.clock.advance(days=120)  # the bot was down: both revisits are due at once
    assert [d.revisit_id for d in await revisits.start_due(office)] == [1]
    assert await states(office) == ["asked", "scheduled"]
    await revisits.answer(office, staff.housing, 1, True, "运行良好", "无")
    await revisits.finish(office, staff.supervisor, 1)
    assert await status(office, item_id) == Status.CLOSED
    assert [d.revisit_id for d in await revisits.start_due(office)] == [2]
    assert await states(office) == ["done", "asked"]


async def test_revisits_of_a_reopened_item_are_dropped(office, staff, closed_item):
    item_id = await closed_item()
    async with office.db.transaction() as conn:  # reopened meanwhile, e.g. by an on-site check
        await items.set_status(conn, item_id, Status.IN_PROGRESS, office.now(), closed_at=None)
    office.clock.advance(days=30)
    assert await revisits.start_due(office) == []
    assert await states(office) == ["dropped", "scheduled"]  # the later one is not due yet
    assert await status(office, item_id) == Status.IN_PROGRESS
    office.clock.advance(days=60)
    assert await revisits.start_due(office) == []
    assert await states(office) == ["dropped", "dropped"]


async def test_only_the_lead_units_liaison_answers_and_only_once(office, staff, closed_item):
    await closed_item()
    await refused_with(
        "revisit_over", revisits.may_answer(office, staff.housing, 1)
    )  # not asked yet
    office.clock.advance(days=30)
    await revisits.start_due(office)

    await refused_with("revisit_lead_only", revisits.may_answer(office, staff.transport, 1))
    await refused_with("not_your_item", revisits.answer(office, staff.district, 1, True, "x", ""))
    await refused_with(
        "wrong_role_for", revisits.answer(office, staff.supervisor, 1, True, "x", "")
    )
    await refused_with("revisit_unknown", revisits.may_answer(office, staff.housing, 99))
    assert (await revisits.may_answer(office, staff.housing, 1)).title == "老旧小区改造"

    done = await revisits.answer(office, staff.housing, 1, False, "部分外墙脱落", "维修资金未到位")
    assert (done.unit_name, done.sustained, done.problems) == (
        "市住房和城乡建设局",
        False,
        "维修资金未到位",
    )
    assert [p.id for p in done.supervisors] == [staff.supervisor.id]
    report = (await rows(office, "SELECT * FROM reports"))[0]
    assert (report["kind"], report["period_key"], report["version"]) == ("revisit", "revisit-1", 1)
    assert (report["progress"], report["difficulties"], report["sustained"]) == (
        "部分外墙脱落",
        "维修资金未到位",
        0,
    )
    revisit = (await rows(office, "SELECT * FROM revisits WHERE id = 1"))[0]
    assert (revisit["state"], revisit["report_id"]) == ("answered", report["id"])
    assert await status(office, done.item.id) == Status.REVISITING

    again = await refused_with(
        "revisit_answered", revisits.answer(office, staff.housing, 1, True, "y", "")
    )
    assert again.context["who"] == "住建联络员"
    assert len(await rows(office, "SELECT * FROM reports")) == 1


async def test_no_problems_typed_as_wu_is_stored_empty(office, staff, closed_item):
    await closed_item()
    office.clock.advance(days=30)
    await revisits.start_due(office)
    done = await revisits.answer(office, staff.housing, 1, True, "运行良好", "无")
    assert done.problems == ""
    assert (await rows(office, "SELECT difficulties, sustained FROM reports"))[0] == {
        "difficulties": "",
        "sustained": 1,
    }


async def test_finish_closes_again_and_a_second_press_changes_nothing(office, staff, closed_item):
    item_id = await closed_item()
    office.clock.advance(days=30)
    await revisits.start_due(office)
    await refused_with("revisit_not_answered", revisits.finish(office, staff.supervisor, 1))
    await revisits.answer(office, staff.housing, 1, True, "运行良好", "")
    await refused_with("wrong_role_for", revisits.finish(office, staff.housing, 1))

    done = await revisits.finish(office, staff.supervisor, 1)
    assert done.item.status == Status.CLOSED
    assert [p.id for p in done.liaisons] == [staff.housing.id]
    assert await states(office) == ["done", "scheduled"]  # the 90-day revisit still comes

    stale = await refused_with("revisit_decided", revisits.finish(office, staff.supervisor, 1))
    assert (stale.context["outcome"], stale.context["who"]) == ("回访完成", "督查员甲")
    await refused_with("revisit_decided", revisits.reopen(office, staff.supervisor, 1, "晚了"))
    await refused_with(
        "revisit_decided", revisits.may_decide(office, staff.supervisor, 1, Action.REOPEN)
    )
    assert await status(office, item_id) == Status.CLOSED
    assert len(await rows(office, "SELECT * FROM audit WHERE action = '回访完成'")) == 1


async def test_reopen_puts_the_item_back_in_progress_and_drops_later_revisits(
    office, staff, closed_item
):
    item_id = await closed_item()
    office.clock.advance(days=30)
    await revisits.start_due(office)
    await revisits.answer(office, staff.housing, 1, False, "外墙脱落", "未整改")

    done = await revisits.reopen(office, staff.supervisor, 1, "外墙脱落未整改")
    assert done.item.status == Status.IN_PROGRESS
    assert done.item.status_reason == "外墙脱落未整改" and done.item.closed_at is None
    assert sorted(p.id for p in done.liaisons) == [
        staff.housing.id,
        staff.transport.id,
    ]  # every unit
    assert await states(office) == ["reopened", "dropped"]
    revisit = (await rows(office, "SELECT * FROM revisits WHERE id = 1"))[0]
    assert (revisit["reason"], revisit["decided_by"]) == ("外墙脱落未整改", staff.supervisor.id)
    audit = (await rows(office, "SELECT * FROM audit WHERE action = '重办'"))[0]
    new_deadline = office.calendar.add_workdays(office.clock.today(), revisits.REOPEN_WORKDAYS)
    assert done.item.deadline == new_deadline  # a fresh deadline, so it is not red at once
    assert json.loads(audit["detail"]) == {
        "revisit": 1,
        "reason": "外墙脱落未整改",
        "dropped": 1,
        "note": f"重办时限 {new_deadline.isoformat()}",
    }

    await refused_with("revisit_decided", revisits.finish(office, staff.supervisor, 1))
    office.clock.advance(days=60)
    assert await revisits.start_due(office) == []
    assert await status(office, item_id) == Status.IN_PROGRESS

"""回访 against a real SQLite database, without Telegram.

The office: 住建局 leads a key item with 交通局; 环境局 has nothing to do with it. Today is
Tuesday 2026-11-24 and the item closes today, so its revisits fall on 12-24 and 2027-02-22.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FakeClock
from domain import letters, revisits, unit_import
from domain.errors import Refusal
from domain.items import Action, Status
from domain.models import Category, Draft, Item, LiaisonKind, Period, Person, Role, Source
from domain.office import Office
from domain.workdays import WorkdayCalendar
from storage import items, people
from storage.db import Database
from tests.letters import letter_fixed

TZ = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 24)
UNITS = (
    "名称,简称,类型,上级单位\n市住房和城乡建设局,住建局,部门,\n"
    "市交通运输局,交通局,部门,\n市生态环境局,环境局,部门,\n"
)


@dataclass
class Staff:
    sup: Person
    leader: Person
    zj: Person  # the lead unit's liaison
    jt: Person  # the co-unit's liaison
    hj: Person  # a liaison of a unit not on the item


@pytest.fixture
async def office(tmp_path: Path) -> AsyncIterator[Office]:
    db = await Database(tmp_path / "duban.db").open()
    clock = FakeClock(datetime(2026, 11, 24, 10, 0, tzinfo=TZ))
    running = Office(db=db, clock=clock, calendar=WorkdayCalendar())
    csv = tmp_path / "units.csv"
    csv.write_text(UNITS, encoding="utf-8")
    await unit_import.import_units(running, csv)
    yield running
    await db.close()


async def _person(office: Office, tg: int, role: Role, name: str, unit: str = "") -> Person:
    async with office.db.transaction() as conn:
        unit_id = await conn.scalar("SELECT id FROM units WHERE short_name = ?", (unit,))
        person_id = await people.add(
            conn,
            tg_user_id=tg,
            chat_id=tg,
            role=role,
            name=name,
            title="科员",
            phone="13800138000",
            username="",
            unit_id=unit_id,
            liaison_kind=LiaisonKind.PRIMARY if unit_id else None,
            now=office.now(),
        )
        return await people.get(conn, person_id)


@pytest.fixture
async def staff(office: Office) -> Staff:
    return Staff(
        sup=await _person(office, 101, Role.SUPERVISOR, "王督查"),
        leader=await _person(office, 201, Role.LEADER, "赵主任"),
        zj=await _person(office, 301, Role.LIAISON, "住建联络员", "住建局"),
        jt=await _person(office, 302, Role.LIAISON, "交通联络员", "交通局"),
        hj=await _person(office, 303, Role.LIAISON, "环境联络员", "环境局"),
    )


async def closed_item(office: Office, staff: Staff, *, is_key: bool = True) -> int:
    """A key item led by 住建局 with 交通局, sent and signed, then closed today.

    The closing itself belongs to the review code; here it is the status change and the
    schedule() call that review makes inside its closing transaction.
    """
    async with office.db.read() as conn:
        jt_unit = await conn.scalar("SELECT id FROM units WHERE short_name = '交通局'")
    draft = Draft(
        title="老旧小区改造",
        instruction="年底前完成改造。",
        instructing_leader="王书记",
        source=Source.INSTRUCTION,
        category=Category.ORDER,
        lead_unit_id=staff.zj.unit_id,
        co_unit_ids=(jt_unit,),
        deadline=TODAY + timedelta(days=20),
        period=Period.WEEKLY,
        is_key=is_key,
    )
    item_id = (await letters.open_item(office, staff.sup, draft)).item.id
    await letters.approve(office, staff.leader, item_id, then=letter_fixed)
    await letters.sign(office, staff.zj, item_id)
    async with office.db.transaction() as conn:
        await items.set_status(conn, item_id, Status.CLOSED, office.now(), closed_at=office.now())
        item = await items.get(conn, item_id)
        await revisits.schedule(conn, office, item, office.clock.today())
    return item_id


async def rows(office: Office, sql: str, params=()) -> list[dict]:
    async with office.db.read() as conn:
        return [dict(r) for r in await conn.all(sql, params)]


async def status(office: Office, item_id: int) -> str:
    return (await rows(office, "SELECT status FROM items WHERE id = ?", (item_id,)))[0]["status"]


async def states(office: Office) -> list[str]:
    return [r["state"] for r in await rows(office, "SELECT state FROM revisits ORDER BY due_on")]


async def refused(key: str, call) -> Refusal:
    with pytest.raises(Refusal) as caught:
        await call
    assert caught.value.key == key, caught.value
    return caught.value


def make_item(*, is_key: bool, period: Period, days: int, sent: bool = True) -> Item:
    sent_at = "2026-01-10T09:00:00+08:00"
    return Item(
        id=1,
        title="t",
        instruction="i",
        instructing_leader="l",
        source=Source.INSTRUCTION,
        category=Category.ORDER,
        deadline=date(2026, 1, 10) + timedelta(days=days),
        period=period,
        is_key=is_key,
        status=Status.CLOSED,
        created_by=1,
        created_at="2025-12-01T09:00:00+08:00",
        sent_at=sent_at if sent else None,
    )


@pytest.mark.parametrize(
    ("is_key", "period", "days", "expected"),
    [
        (True, Period.ONCE, 10, True),  # key: always
        (True, Period.WEEKLY, 200, True),
        (False, Period.ONCE, 400, False),  # one-off, however long: not long-running
        (False, Period.WEEKLY, 89, False),  # a day short of a quarter
        (False, Period.WEEKLY, 90, True),
        (False, Period.FORTNIGHTLY, 120, True),
        (False, Period.MONTHLY, 365, True),
        (False, Period.MONTHLY, 30, False),
    ],
)
def test_needs_revisit_truth_table(is_key, period, days, expected):
    item = make_item(is_key=is_key, period=period, days=days)
    assert revisits.needs_revisit(item) is expected
    assert revisits.is_long_running(item) is (period is not Period.ONCE and days >= 90)


def test_long_running_counts_from_the_letter_not_the_draft():
    # drafted 2025-12-01, sent 2026-01-10: 100 days from the draft but 80 from the letter
    item = make_item(is_key=False, period=Period.MONTHLY, days=80)
    assert not revisits.needs_revisit(item)


async def test_schedule_is_idempotent_and_skips_items_that_need_no_revisit(office, staff):
    item_id = await closed_item(office, staff)
    async with office.db.transaction() as conn:
        item = await items.get(conn, item_id)
        again = await revisits.schedule(conn, office, item, TODAY)
    assert again == [date(2026, 12, 24), date(2027, 2, 22)]
    found = await rows(office, "SELECT item_id, due_on, state FROM revisits ORDER BY due_on")
    assert found == [
        {"item_id": item_id, "due_on": "2026-12-24", "state": "scheduled"},
        {"item_id": item_id, "due_on": "2027-02-22", "state": "scheduled"},
    ]

    ordinary = await closed_item(office, staff, is_key=False)  # weekly, 20 days: not long
    assert await rows(office, "SELECT * FROM revisits WHERE item_id = ?", (ordinary,)) == []

    office.revisit_days = (10,)
    async with office.db.transaction() as conn:
        item = await items.get(conn, item_id)
        assert await revisits.schedule(conn, office, item, TODAY) == [date(2026, 12, 4)]
    assert len(await states(office)) == 3


async def test_start_due_only_on_the_due_day_and_exactly_once(office, staff):
    item_id = await closed_item(office, staff)
    office.clock.advance(days=29)
    assert await revisits.start_due(office) == []
    assert await status(office, item_id) == Status.CLOSED

    office.clock.advance(days=1)
    due = await revisits.start_due(office)
    assert [(d.revisit_id, d.due_on, d.item.status) for d in due] == [
        (1, date(2026, 12, 24), Status.REVISITING)
    ]
    assert [p.id for p in due[0].liaisons] == [staff.zj.id]  # the lead unit only
    assert [p.id for p in due[0].supervisors] == [staff.sup.id]
    assert await status(office, item_id) == Status.REVISITING
    assert await states(office) == ["asked", "scheduled"]
    started = await rows(office, "SELECT * FROM audit WHERE action = '开始回访'")
    assert len(started) == 1 and started[0]["person_id"] is None
    assert json.loads(started[0]["detail"]) == {"revisit": 1, "due_on": "2026-12-24"}

    assert await revisits.start_due(office) == []  # the second tick of the day
    office.clock.advance(hours=5)
    assert await revisits.start_due(office) == []
    assert len(await rows(office, "SELECT * FROM audit WHERE action = '开始回访'")) == 1


async def test_a_later_revisit_waits_for_the_open_one_then_starts(office, staff):
    item_id = await closed_item(office, staff)
    office.clock.advance(days=120)  # the bot was down: both revisits are due at once
    assert [d.revisit_id for d in await revisits.start_due(office)] == [1]
    assert await states(office) == ["asked", "scheduled"]
    await revisits.answer(office, staff.zj, 1, True, "运行良好", "无")
    await revisits.finish(office, staff.sup, 1)
    assert await status(office, item_id) == Status.CLOSED
    assert [d.revisit_id for d in await revisits.start_due(office)] == [2]
    assert await states(office) == ["done", "asked"]


async def test_revisits_of_a_reopened_item_are_dropped(office, staff):
    item_id = await closed_item(office, staff)
    async with office.db.transaction() as conn:  # reopened meanwhile, e.g. by an on-site check
        await items.set_status(conn, item_id, Status.IN_PROGRESS, office.now(), closed_at=None)
    office.clock.advance(days=30)
    assert await revisits.start_due(office) == []
    assert await states(office) == ["dropped", "scheduled"]  # the later one is not due yet
    assert await status(office, item_id) == Status.IN_PROGRESS
    office.clock.advance(days=60)
    assert await revisits.start_due(office) == []
    assert await states(office) == ["dropped", "dropped"]


async def test_only_the_lead_units_liaison_answers_and_only_once(office, staff):
    await closed_item(office, staff)
    await refused("revisit_over", revisits.may_answer(office, staff.zj, 1))  # not asked yet
    office.clock.advance(days=30)
    await revisits.start_due(office)

    await refused("revisit_lead_only", revisits.may_answer(office, staff.jt, 1))
    await refused("not_your_item", revisits.answer(office, staff.hj, 1, True, "x", ""))
    await refused("wrong_role_for", revisits.answer(office, staff.sup, 1, True, "x", ""))
    await refused("revisit_unknown", revisits.may_answer(office, staff.zj, 99))
    assert (await revisits.may_answer(office, staff.zj, 1)).title == "老旧小区改造"

    done = await revisits.answer(office, staff.zj, 1, False, "部分外墙脱落", "维修资金未到位")
    assert (done.unit_name, done.sustained, done.problems) == (
        "市住房和城乡建设局",
        False,
        "维修资金未到位",
    )
    assert [p.id for p in done.supervisors] == [staff.sup.id]
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

    again = await refused("revisit_answered", revisits.answer(office, staff.zj, 1, True, "y", ""))
    assert again.context["who"] == "住建联络员"
    assert len(await rows(office, "SELECT * FROM reports")) == 1


async def test_no_problems_typed_as_wu_is_stored_empty(office, staff):
    await closed_item(office, staff)
    office.clock.advance(days=30)
    await revisits.start_due(office)
    done = await revisits.answer(office, staff.zj, 1, True, "运行良好", "无")
    assert done.problems == ""
    assert (await rows(office, "SELECT difficulties, sustained FROM reports"))[0] == {
        "difficulties": "",
        "sustained": 1,
    }


async def test_finish_closes_again_and_a_second_press_changes_nothing(office, staff):
    item_id = await closed_item(office, staff)
    office.clock.advance(days=30)
    await revisits.start_due(office)
    await refused("revisit_not_answered", revisits.finish(office, staff.sup, 1))
    await revisits.answer(office, staff.zj, 1, True, "运行良好", "")
    await refused("wrong_role_for", revisits.finish(office, staff.zj, 1))

    done = await revisits.finish(office, staff.sup, 1)
    assert done.item.status == Status.CLOSED
    assert [p.id for p in done.liaisons] == [staff.zj.id]
    assert await states(office) == ["done", "scheduled"]  # the 90-day revisit still comes

    stale = await refused("revisit_decided", revisits.finish(office, staff.sup, 1))
    assert (stale.context["outcome"], stale.context["who"]) == ("回访完成", "王督查")
    await refused("revisit_decided", revisits.reopen(office, staff.sup, 1, "晚了"))
    await refused("revisit_decided", revisits.may_decide(office, staff.sup, 1, Action.REOPEN))
    assert await status(office, item_id) == Status.CLOSED
    assert len(await rows(office, "SELECT * FROM audit WHERE action = '回访完成'")) == 1


async def test_reopen_puts_the_item_back_in_progress_and_drops_later_revisits(office, staff):
    item_id = await closed_item(office, staff)
    office.clock.advance(days=30)
    await revisits.start_due(office)
    await revisits.answer(office, staff.zj, 1, False, "外墙脱落", "未整改")

    done = await revisits.reopen(office, staff.sup, 1, "外墙脱落未整改")
    assert done.item.status == Status.IN_PROGRESS
    assert done.item.status_reason == "外墙脱落未整改" and done.item.closed_at is None
    assert sorted(p.id for p in done.liaisons) == [staff.zj.id, staff.jt.id]  # every unit
    assert await states(office) == ["reopened", "dropped"]
    revisit = (await rows(office, "SELECT * FROM revisits WHERE id = 1"))[0]
    assert (revisit["reason"], revisit["decided_by"]) == ("外墙脱落未整改", staff.sup.id)
    audit = (await rows(office, "SELECT * FROM audit WHERE action = '重办'"))[0]
    new_deadline = office.calendar.add_workdays(office.clock.today(), revisits.REOPEN_WORKDAYS)
    assert done.item.deadline == new_deadline  # a fresh deadline, so it is not red at once
    assert json.loads(audit["detail"]) == {
        "revisit": 1,
        "reason": "外墙脱落未整改",
        "dropped": 1,
        "note": f"重办时限 {new_deadline.isoformat()}",
    }

    await refused("revisit_decided", revisits.finish(office, staff.sup, 1))
    office.clock.advance(days=60)
    assert await revisits.start_due(office) == []
    assert await status(office, item_id) == Status.IN_PROGRESS

"""申请延期 and 暂停 / 恢复 / 撤销 against a real SQLite database, without Telegram.

The office: 住建局 leads, 交通局 co-operates, a supervisor and a leader. Today is Tuesday
2026-11-24; the item's deadline is 2026-12-15.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FakeClock
from domain import extensions, letters, lifecycle, unit_import
from domain.errors import Refusal
from domain.items import Action, Status
from domain.models import Category, Draft, LiaisonKind, Period, Person, Role, Source
from domain.office import Office
from domain.workdays import WorkdayCalendar
from storage import items, people
from storage.db import Database
from tests.letters import letter_fixed

TZ = ZoneInfo("Asia/Shanghai")
DEADLINE = date(2026, 12, 15)
UNITS = "名称,简称,类型,上级单位\n市住房和城乡建设局,住建局,部门,\n市交通运输局,交通局,部门,\n"


@dataclass
class Staff:
    sup: Person
    leader: Person
    zj: Person  # lead unit's liaison
    jt: Person  # co-unit's liaison
    zj_unit: int
    jt_unit: int


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


async def _person(office: Office, tg: int, role: Role, name: str, unit_id=None) -> Person:
    async with office.db.transaction() as conn:
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
    async with office.db.read() as conn:
        zj_unit = await conn.scalar("SELECT id FROM units WHERE short_name = '住建局'")
        jt_unit = await conn.scalar("SELECT id FROM units WHERE short_name = '交通局'")
    return Staff(
        sup=await _person(office, 101, Role.SUPERVISOR, "王督查"),
        leader=await _person(office, 201, Role.LEADER, "赵主任"),
        zj=await _person(office, 301, Role.LIAISON, "住建联络员", zj_unit),
        jt=await _person(office, 302, Role.LIAISON, "交通联络员", jt_unit),
        zj_unit=zj_unit,
        jt_unit=jt_unit,
    )


async def new_item(office: Office, staff: Staff, *, approve=True, sign=True) -> int:
    """An item led by 住建局 with 交通局: drafted, approved and signed by the lead unit."""
    draft = Draft(
        title="老旧小区改造",
        instruction="年底前完成改造。",
        instructing_leader="王书记",
        source=Source.INSTRUCTION,
        category=Category.ORDER,
        lead_unit_id=staff.zj_unit,
        co_unit_ids=(staff.jt_unit,),
        deadline=DEADLINE,
        period=Period.WEEKLY,
        is_key=False,
    )
    item_id = (await letters.open_item(office, staff.sup, draft)).item.id
    if approve:
        await letters.approve(office, staff.leader, item_id, then=letter_fixed)
    if approve and sign:
        await letters.sign(office, staff.zj, item_id)
    return item_id


async def item(office: Office, item_id: int):
    async with office.db.read() as conn:
        return await items.get(conn, item_id)


async def audit_rows(office: Office, action: str) -> list[dict]:
    async with office.db.read() as conn:
        rows = await conn.all("SELECT * FROM audit WHERE action = ? ORDER BY id", (action,))
    return [{**dict(r), "detail": json.loads(r["detail"])} for r in rows]


async def refused(key: str, call) -> Refusal:
    with pytest.raises(Refusal) as caught:
        await call
    assert caught.value.key == key, caught.value
    return caught.value


# -- 申请延期 ------------------------------------------------------------------------------------


async def test_extension_granted_moves_the_deadline_and_keeps_its_history(office, staff):
    item_id = await new_item(office, staff)
    assert [i.id for i in await extensions.extendable(office, staff.zj)] == [item_id]
    asked = await extensions.request_extension(
        office, staff.zj, item_id, date(2027, 1, 15), "  需等待省厅批复  "
    )
    assert asked.item.status == Status.EXTENSION_REQUESTED
    assert (asked.old_deadline, asked.new_deadline) == (DEADLINE, date(2027, 1, 15))
    assert asked.reason == "需等待省厅批复"
    assert [p.id for p in asked.supervisors] == [staff.sup.id]
    assert await extensions.extendable(office, staff.zj) == []

    done = await extensions.grant_extension(office, staff.sup, asked.extension_id)
    assert done.granted and done.item.status == Status.IN_PROGRESS
    assert done.item.deadline == date(2027, 1, 15)
    assert [p.id for p in done.liaisons] == [staff.zj.id]

    (requested,) = await audit_rows(office, "申请延期")
    assert requested["detail"]["old_deadline"] == "2026-12-15"
    assert requested["detail"]["new_deadline"] == "2027-01-15"
    assert requested["detail"]["reason"] == "需等待省厅批复"
    (granted,) = await audit_rows(office, "同意延期")
    assert granted["person_id"] == staff.sup.id
    assert (granted["detail"]["old_deadline"], granted["detail"]["new_deadline"]) == (
        "2026-12-15",
        "2027-01-15",
    )
    async with office.db.read() as conn:
        row = await conn.one("SELECT * FROM extensions")
    assert (row["decision"], row["decided_by"]) == ("granted", staff.sup.id)

    # a second, later extension is possible once the first is decided
    again = await extensions.request_extension(office, staff.zj, item_id, date(2027, 2, 1), "再延")
    assert again.old_deadline == date(2027, 1, 15)


async def test_extension_refused_keeps_the_deadline(office, staff):
    item_id = await new_item(office, staff)
    asked = await extensions.request_extension(office, staff.zj, item_id, date(2027, 1, 15), "忙")
    await extensions.check_decision(office, staff.sup, asked.extension_id)
    await refused(
        "empty_text", extensions.refuse_extension(office, staff.sup, asked.extension_id, " ")
    )
    done = await extensions.refuse_extension(office, staff.sup, asked.extension_id, "理由不充分")
    assert not done.granted and done.reason == "理由不充分"
    assert done.item.status == Status.IN_PROGRESS and done.item.deadline == DEADLINE
    (row,) = await audit_rows(office, "不同意延期")
    assert row["detail"]["reason"] == "理由不充分"
    assert await office_scalar(office, "SELECT refusal_reason FROM extensions") == "理由不充分"


async def office_scalar(office: Office, sql: str):
    async with office.db.read() as conn:
        return await conn.scalar(sql)


async def test_extension_only_until_the_deadline_day(office, staff):
    item_id = await new_item(office, staff)
    office.clock.set(datetime(2026, 12, 15, 23, 0, tzinfo=TZ))  # the deadline day itself
    await extensions.check_request(office, staff.zj, item_id)
    office.clock.set(datetime(2026, 12, 16, 9, 0, tzinfo=TZ))
    too_late = await refused(
        "extension_too_late",
        extensions.request_extension(office, staff.zj, item_id, date(2027, 1, 15), "晚了"),
    )
    assert too_late.context == {"deadline": "2026-12-15"}
    assert (await item(office, item_id)).status == Status.IN_PROGRESS
    assert await office_scalar(office, "SELECT count(*) FROM extensions") == 0


async def test_new_deadline_must_be_later(office, staff):
    item_id = await new_item(office, staff)
    for day in (DEADLINE, date(2026, 12, 1)):
        await refused(
            "extension_not_later",
            extensions.request_extension(office, staff.zj, item_id, day, "理由"),
        )
    assert (await item(office, item_id)).status == Status.IN_PROGRESS


async def test_one_open_request_at_a_time(office, staff):
    item_id = await new_item(office, staff)
    await extensions.request_extension(office, staff.zj, item_id, date(2027, 1, 15), "一")
    pending = await refused(
        "extension_pending",
        extensions.request_extension(office, staff.zj, item_id, date(2027, 2, 1), "二"),
    )
    assert pending.context["new_deadline"] == "2027-01-15"
    assert await office_scalar(office, "SELECT count(*) FROM extensions") == 1


async def test_who_may_request(office, staff):
    unsigned = await new_item(office, staff, sign=False)
    await refused("extension_sign_first", extensions.check_request(office, staff.zj, unsigned))
    item_id = await new_item(office, staff)
    await letters.sign(office, staff.jt, item_id)
    await refused("extension_lead_only", extensions.check_request(office, staff.jt, item_id))
    await refused("wrong_role_for", extensions.check_request(office, staff.sup, item_id))
    await refused("item_unknown", extensions.check_request(office, staff.zj, 999))
    assert await extensions.extendable(office, staff.jt) == []


async def test_decided_request_cannot_be_decided_again(office, staff):
    item_id = await new_item(office, staff)
    asked = await extensions.request_extension(office, staff.zj, item_id, date(2027, 1, 15), "一")
    await extensions.grant_extension(office, staff.sup, asked.extension_id)
    decided = await refused(
        "extension_decided", extensions.grant_extension(office, staff.sup, asked.extension_id)
    )
    assert decided.context["granted"] is True and decided.context["who"] == "王督查"
    await refused(
        "extension_decided",
        extensions.refuse_extension(office, staff.sup, asked.extension_id, "不行"),
    )
    await refused("extension_unknown", extensions.grant_extension(office, staff.sup, 42))
    assert (await item(office, item_id)).deadline == date(2027, 1, 15)
    assert len(await audit_rows(office, "同意延期")) == 1
    assert await audit_rows(office, "不同意延期") == []


async def test_only_a_supervisor_decides(office, staff):
    item_id = await new_item(office, staff)
    asked = await extensions.request_extension(office, staff.zj, item_id, date(2027, 1, 15), "一")
    for person in (staff.zj, staff.leader):
        await refused(
            "wrong_role_for", extensions.grant_extension(office, person, asked.extension_id)
        )
    assert (await item(office, item_id)).status == Status.EXTENSION_REQUESTED


# -- 暂停 / 恢复 / 撤销 --------------------------------------------------------------------------


@pytest.mark.parametrize("sign", [False, True], ids=["待签收", "办理中"])
async def test_suspend_and_resume_return_to_where_the_item_was(office, staff, sign):
    item_id = await new_item(office, staff, sign=sign)
    before = (await item(office, item_id)).status
    assert before == (Status.IN_PROGRESS if sign else Status.AWAITING_SIGN)
    done = await lifecycle.suspend(office, staff.sup, item_id, "机构调整")
    assert done.item.status == Status.SUSPENDED and done.previous == before
    assert (done.item.suspended_from, done.item.status_reason) == (before, "机构调整")
    assert {p.id for p in done.liaisons} == {staff.zj.id, staff.jt.id}
    await refused("not_allowed_now", lifecycle.suspend(office, staff.sup, item_id, "再停"))
    await refused("not_allowed_now", letters.sign(office, staff.jt, item_id))

    back = await lifecycle.resume(office, staff.sup, item_id)
    assert back.item.status == before
    assert (back.item.suspended_from, back.item.status_reason) == (None, None)
    assert {p.id for p in back.liaisons} == {staff.zj.id, staff.jt.id}
    await refused("not_allowed_now", lifecycle.resume(office, staff.sup, item_id))
    (row,) = await audit_rows(office, "暂停")
    assert row["detail"] == {"status_from": before, "reason": "机构调整"}
    (row,) = await audit_rows(office, "恢复")
    assert row["detail"] == {"status": before}


async def test_suspended_while_an_extension_is_open(office, staff):
    item_id = await new_item(office, staff)
    asked = await extensions.request_extension(office, staff.zj, item_id, date(2027, 1, 15), "一")
    await lifecycle.suspend(office, staff.sup, item_id, "暂缓")
    await refused(
        "not_allowed_now", extensions.grant_extension(office, staff.sup, asked.extension_id)
    )
    assert (
        await lifecycle.resume(office, staff.sup, item_id)
    ).item.status == Status.EXTENSION_REQUESTED
    done = await extensions.grant_extension(office, staff.sup, asked.extension_id)
    assert done.item.deadline == date(2027, 1, 15)


async def test_only_supervisors_suspend_resume_and_cancel(office, staff):
    item_id = await new_item(office, staff)
    for person in (staff.zj, staff.leader):
        await refused("wrong_role_for", lifecycle.suspend(office, person, item_id, "理由"))
        await refused("wrong_role_for", lifecycle.cancel_item(office, person, item_id, "理由"))
        await refused("wrong_role_for", lifecycle.resume(office, person, item_id))
    await refused("empty_text", lifecycle.suspend(office, staff.sup, item_id, ""))
    assert (await item(office, item_id)).status == Status.IN_PROGRESS


async def test_cancel_with_reason_and_never_twice(office, staff):
    item_id = await new_item(office, staff)
    await lifecycle.suspend(office, staff.sup, item_id, "暂缓")
    done = await lifecycle.cancel_item(office, staff.sup, item_id, "上级决定不再实施")
    assert done.item.status == Status.CANCELLED and done.previous == Status.SUSPENDED
    assert done.item.status_reason == "上级决定不再实施" and done.item.suspended_from is None
    assert {p.id for p in done.liaisons} == {staff.zj.id, staff.jt.id}
    await refused("not_allowed_now", lifecycle.cancel_item(office, staff.sup, item_id, "再撤"))
    await refused("not_allowed_now", lifecycle.may(office, staff.sup, item_id, Action.CANCEL))
    (row,) = await audit_rows(office, "撤销")
    assert row["detail"] == {"status_from": Status.SUSPENDED, "reason": "上级决定不再实施"}


async def test_closed_item_cannot_be_cancelled(office, staff):
    item_id = await new_item(office, staff)
    async with office.db.transaction() as conn:
        await items.set_status(conn, item_id, Status.CLOSED, office.now())
    refusal = await refused(
        "not_allowed_now", lifecycle.cancel_item(office, staff.sup, item_id, "撤")
    )
    assert refusal.context == {"status": Status.CLOSED, "action": "撤销"}
    assert (await item(office, item_id)).status == Status.CLOSED


async def test_cancelling_a_draft_tells_no_unit(office, staff):
    item_id = await new_item(office, staff, approve=False)
    done = await lifecycle.cancel_item(office, staff.sup, item_id, "立项有误")
    assert done.item.status == Status.CANCELLED and done.liaisons == []

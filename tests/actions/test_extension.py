"""申请延期 without Telegram: the lead unit asks for a later deadline until the deadline day,
one request at a time; a supervisor grants it (the deadline moves, its history kept) or refuses
it with a reason, once. Today is Tuesday 2026-11-24; the item's deadline is 2026-12-15."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from domain import extensions, letters
from domain.items import Status
from domain.office import Office
from tests.actions.conftest import audit_rows, item, refused_with

TZ = ZoneInfo("Asia/Shanghai")
DEADLINE = date(2026, 12, 15)  # the deadline of sent_item()


async def test_extension_granted_moves_the_deadline_and_keeps_its_history(office, staff, sent_item):
    item_id = await sent_item()
    assert [i.id for i in await extensions.extendable(office, staff.housing)] == [item_id]
    asked = await extensions.request_extension(
        office, staff.housing, item_id, date(2027, 1, 15), "  需等待省厅批复  "
    )
    assert asked.item.status == Status.EXTENSION_REQUESTED
    assert (asked.old_deadline, asked.new_deadline) == (DEADLINE, date(2027, 1, 15))
    assert asked.reason == "需等待省厅批复"
    assert [p.id for p in asked.supervisors] == [staff.supervisor.id]
    assert await extensions.extendable(office, staff.housing) == []

    done = await extensions.grant_extension(office, staff.supervisor, asked.extension_id)
    assert done.granted and done.item.status == Status.IN_PROGRESS
    assert done.item.deadline == date(2027, 1, 15)
    assert [p.id for p in done.liaisons] == [staff.housing.id]

    (requested,) = await audit_rows(office, "申请延期")
    assert requested["detail"]["old_deadline"] == "2026-12-15"
    assert requested["detail"]["new_deadline"] == "2027-01-15"
    assert requested["detail"]["reason"] == "需等待省厅批复"
    (granted,) = await audit_rows(office, "同意延期")
    assert granted["person_id"] == staff.supervisor.id
    assert (granted["detail"]["old_deadline"], granted["detail"]["new_deadline"]) == (
        "2026-12-15",
        "2027-01-15",
    )
    async with office.db.read() as conn:
        row = await conn.one("SELECT * FROM extensions")
    assert (row["decision"], row["decided_by"]) == ("granted", staff.supervisor.id)

    # a second, later extension is possible once the first is decided
    again = await extensions.request_extension(
        office, staff.housing, item_id, date(2027, 2, 1), "再延"
    )
    assert again.old_deadline == date(2027, 1, 15)


async def test_extension_refused_keeps_the_deadline(office, staff, sent_item):
    item_id = await sent_item()
    asked = await extensions.request_extension(
        office, staff.housing, item_id, date(2027, 1, 15), "忙"
    )
    await extensions.check_decision(office, staff.supervisor, asked.extension_id)
    await refused_with(
        "empty_text", extensions.refuse_extension(office, staff.supervisor, asked.extension_id, " ")
    )
    done = await extensions.refuse_extension(
        office, staff.supervisor, asked.extension_id, "理由不充分"
    )
    assert not done.granted and done.reason == "理由不充分"
    assert done.item.status == Status.IN_PROGRESS and done.item.deadline == DEADLINE
    (row,) = await audit_rows(office, "不同意延期")
    assert row["detail"]["reason"] == "理由不充分"
    assert await office_scalar(office, "SELECT refusal_reason FROM extensions") == "理由不充分"


async def office_scalar(office: Office, sql: str):
    async with office.db.read() as conn:
        return await conn.scalar(sql)


async def test_extension_only_until_the_deadline_day(office, staff, sent_item):
    item_id = await sent_item()
    office.clock.set(datetime(2026, 12, 15, 23, 0, tzinfo=TZ))  # the deadline day itself
    await extensions.check_request(office, staff.housing, item_id)
    office.clock.set(datetime(2026, 12, 16, 9, 0, tzinfo=TZ))
    too_late = await refused_with(
        "extension_too_late",
        extensions.request_extension(office, staff.housing, item_id, date(2027, 1, 15), "晚了"),
    )
    assert too_late.context == {"deadline": "2026-12-15"}
    assert (await item(office, item_id)).status == Status.IN_PROGRESS
    assert await office_scalar(office, "SELECT count(*) FROM extensions") == 0


async def test_new_deadline_must_be_later(office, staff, sent_item):
    item_id = await sent_item()
    for day in (DEADLINE, date(2026, 12, 1)):
        await refused_with(
            "extension_not_later",
            extensions.request_extension(office, staff.housing, item_id, day, "理由"),
        )
    assert (await item(office, item_id)).status == Status.IN_PROGRESS


async def test_one_open_request_at_a_time(office, staff, sent_item):
    item_id = await sent_item()
    await extensions.request_extension(office, staff.housing, item_id, date(2027, 1, 15), "一")
    pending = await refused_with(
        "extension_pending",
        extensions.request_extension(office, staff.housing, item_id, date(2027, 2, 1), "二"),
    )
    assert pending.context["new_deadline"] == "2027-01-15"
    assert await office_scalar(office, "SELECT count(*) FROM extensions") == 1


async def test_who_may_request(office, staff, sent_item):
    unsigned = await sent_item(sign=False)
    await refused_with(
        "extension_sign_first", extensions.check_request(office, staff.housing, unsigned)
    )
    item_id = await sent_item()
    await letters.sign(office, staff.transport, item_id)
    await refused_with(
        "extension_lead_only", extensions.check_request(office, staff.transport, item_id)
    )
    await refused_with(
        "wrong_role_for", extensions.check_request(office, staff.supervisor, item_id)
    )
    await refused_with("item_unknown", extensions.check_request(office, staff.housing, 999))
    assert await extensions.extendable(office, staff.transport) == []


async def test_decided_request_cannot_be_decided_again(office, staff, sent_item):
    item_id = await sent_item()
    asked = await extensions.request_extension(
        office, staff.housing, item_id, date(2027, 1, 15), "一"
    )
    await extensions.grant_extension(office, staff.supervisor, asked.extension_id)
    decided = await refused_with(
        "extension_decided",
        extensions.grant_extension(office, staff.supervisor, asked.extension_id),
    )
    assert decided.context["granted"] is True and decided.context["who"] == "督查员甲"
    await refused_with(
        "extension_decided",
        extensions.refuse_extension(office, staff.supervisor, asked.extension_id, "不行"),
    )
    await refused_with(
        "extension_unknown", extensions.grant_extension(office, staff.supervisor, 42)
    )
    assert (await item(office, item_id)).deadline == date(2027, 1, 15)
    assert len(await audit_rows(office, "同意延期")) == 1
    assert await audit_rows(office, "不同意延期") == []


async def test_only_a_supervisor_decides(office, staff, sent_item):
    item_id = await sent_item()
    asked = await extensions.request_extension(
        office, staff.housing, item_id, date(2027, 1, 15), "一"
    )
    for person in (staff.housing, staff.leader):
        await refused_with(
            "wrong_role_for", extensions.grant_extension(office, person, asked.extension_id)
        )
    assert (await item(office, item_id)).status == Status.EXTENSION_REQUESTED

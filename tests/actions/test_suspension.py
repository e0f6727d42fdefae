"""暂停 / 恢复 / 撤销 without Telegram: only a supervisor suspends, resumes and cancels; an item
resumes where it was suspended, a cancelled one is final and a closed one cannot be cancelled."""

from __future__ import annotations

from datetime import date

import pytest

from domain import extensions, letters, lifecycle
from domain.items import Action, Status
from storage import items
from tests.actions.conftest import audit_rows, item, refused_with


@pytest.mark.parametrize("sign", [False, True], ids=["待签收", "办理中"])
async def test_suspend_and_resume_return_to_where_the_item_was(office, staff, sent_item, sign):
    item_id = await sent_item(sign=sign)
    before = (await item(office, item_id)).status
    assert before == (Status.IN_PROGRESS if sign else Status.AWAITING_SIGN)
    done = await lifecycle.suspend(office, staff.supervisor, item_id, "机构调整")
    assert done.item.status == Status.SUSPENDED and done.previous == before
    assert (done.item.suspended_from, done.item.status_reason) == (before, "机构调整")
    assert {p.id for p in done.liaisons} == {staff.housing.id, staff.transport.id}
    await refused_with(
        "not_allowed_now", lifecycle.suspend(office, staff.supervisor, item_id, "再停")
    )
    await refused_with("not_allowed_now", letters.sign(office, staff.transport, item_id))

    back = await lifecycle.resume(office, staff.supervisor, item_id)
    assert back.item.status == before
    assert (back.item.suspended_from, back.item.status_reason) == (None, None)
    assert {p.id for p in back.liaisons} == {staff.housing.id, staff.transport.id}
    await refused_with("not_allowed_now", lifecycle.resume(office, staff.supervisor, item_id))
    (row,) = await audit_rows(office, "暂停")
    assert row["detail"] == {"status_from": before, "reason": "机构调整"}
    (row,) = await audit_rows(office, "恢复")
    assert row["detail"] == {"status": before}


async def test_suspended_while_an_extension_is_open(office, staff, sent_item):
    item_id = await sent_item()
    asked = await extensions.request_extension(
        office, staff.housing, item_id, date(2027, 1, 15), "一"
    )
    await lifecycle.suspend(office, staff.supervisor, item_id, "暂缓")
    await refused_with(
        "not_allowed_now", extensions.grant_extension(office, staff.supervisor, asked.extension_id)
    )
    assert (
        await lifecycle.resume(office, staff.supervisor, item_id)
    ).item.status == Status.EXTENSION_REQUESTED
    done = await extensions.grant_extension(office, staff.supervisor, asked.extension_id)
    assert done.item.deadline == date(2027, 1, 15)


async def test_only_supervisors_suspend_resume_and_cancel(office, staff, sent_item):
    item_id = await sent_item()
    for person in (staff.housing, staff.leader):
        await refused_with("wrong_role_for", lifecycle.suspend(office, person, item_id, "理由"))
        await refused_with("wrong_role_for", lifecycle.cancel_item(office, person, item_id, "理由"))
        await refused_with("wrong_role_for", lifecycle.resume(office, person, item_id))
    await refused_with("empty_text", lifecycle.suspend(office, staff.supervisor, item_id, ""))
    assert (await item(office, item_id)).status == Status.IN_PROGRESS


async def test_cancel_with_reason_and_never_twice(office, staff, sent_item):
    item_id = await sent_item()
    await lifecycle.suspend(office, staff.supervisor, item_id, "暂缓")
    done = await lifecycle.cancel_item(office, staff.supervisor, item_id, "上级决定不再实施")
    assert done.item.status == Status.CANCELLED and done.previous == Status.SUSPENDED
    assert done.item.status_reason == "上级决定不再实施" and done.item.suspended_from is None
    assert {p.id for p in done.liaisons} == {staff.housing.id, staff.transport.id}
    await refused_with(
        "not_allowed_now", lifecycle.cancel_item(office, staff.supervisor, item_id, "再撤")
    )
    await refused_with(
        "not_allowed_now", lifecycle.may(office, staff.supervisor, item_id, Action.CANCEL)
    )
    (row,) = await audit_rows(office, "撤销")
    assert row["detail"] == {"status_from": Status.SUSPENDED, "reason": "上级决定不再实施"}


async def test_closed_item_cannot_be_cancelled(office, staff, sent_item):
    item_id = await sent_item()
    async with office.db.transaction() as conn:
        await items.set_status(conn, item_id, Status.CLOSED, office.now())
    refusal = await refused_with(
        "not_allowed_now", lifecycle.cancel_item(office, staff.supervisor, item_id, "撤")
    )
    assert refusal.context == {"status": Status.CLOSED, "action": "撤销"}
    assert (await item(office, item_id)).status == Status.CLOSED


async def test_cancelling_a_draft_tells_no_unit(office, staff, sent_item):
    item_id = await sent_item(approve=False)
    done = await lifecycle.cancel_item(office, staff.supervisor, item_id, "立项有误")
    assert done.item.status == Status.CANCELLED and done.liaisons == []

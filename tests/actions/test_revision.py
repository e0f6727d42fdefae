"""退回修改 and 重新提交: a returned letter is revised and goes back for approval; only a
returned letter can be resubmitted, and never as a reference item."""

from __future__ import annotations

from domain import letters
from domain.items import Status
from domain.models import Category
from tests.actions.conftest import audit_actions, refused, stored_item
from tests.letters import letter_fixed


async def test_a_returned_letter_is_revised_and_goes_back_for_approval(office, staff, make_draft):
    item = (await letters.open_item(office, staff.supervisor, make_draft("初稿"))).item
    returned, creator = await letters.return_letter(office, staff.leader, item.id, "要求不具体")
    assert returned.status == Status.RETURNED_FOR_REVISION
    assert returned.return_reason == "要求不具体"
    assert creator == staff.supervisor
    # a returned letter cannot be approved as it stands
    assert (
        await refused(letters.approve(office, staff.leader, item.id, then=letter_fixed))
    ).key == "not_allowed_now"

    revised = make_draft("修改稿", co=(staff.district.unit_id,))
    again = await letters.resubmit(office, staff.supervisor, item.id, revised)
    assert again.item.status == Status.PENDING_APPROVAL
    assert again.item.return_reason is None
    assert again.item.title == "修改稿"
    assert [u.unit_name for u in again.item.co_units] == ["甲区委"]
    assert again.approvers == [staff.leader]

    approved = await letters.approve(office, staff.leader, item.id, then=letter_fixed)
    assert approved.item.serial == 1
    assert await audit_actions(office, item.id) == [
        "立项",
        "退回修改",
        "修改后重新提交",
        "审定同意",
    ]


async def test_only_a_returned_letter_can_be_resubmitted(office, staff, make_draft):
    item = (await letters.open_item(office, staff.supervisor, make_draft())).item
    refusal = await refused(letters.resubmit(office, staff.supervisor, item.id, make_draft()))
    assert refusal.key == "not_allowed_now"


async def test_a_revision_cannot_turn_the_item_into_reference(office, staff, make_draft):
    item = (await letters.open_item(office, staff.supervisor, make_draft())).item
    await letters.return_letter(office, staff.leader, item.id, "改")
    reference = make_draft(category=Category.REFERENCE)
    refusal = await refused(letters.resubmit(office, staff.supervisor, item.id, reference))
    assert refusal.key == "resubmit_reference"
    assert (await stored_item(office, item.id))["status"] == Status.RETURNED_FOR_REVISION

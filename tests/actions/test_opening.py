"""立项: a supervisor opens an item; an order or guidance waits for a leader's approval, a
reference item is only recorded, and a refused opening saves nothing."""

from __future__ import annotations

from domain import letters
from domain.items import Status
from domain.models import Category
from tests.actions.conftest import audit_actions, refused


async def test_an_order_waits_for_approval_and_the_leaders_are_asked(office, staff, make_draft):
    opened = await letters.open_item(office, staff.supervisor, make_draft())
    item = opened.item
    assert item.status == Status.PENDING_APPROVAL
    assert item.serial is None and office.serial_label(item) == f"草稿#{item.id}"
    assert [u.unit_name for u in item.units] == ["市住房和城乡建设局", "市交通运输局"]
    assert item.lead.unit_name == "市住房和城乡建设局"
    assert opened.approvers == [staff.leader]
    assert await audit_actions(office, item.id) == ["立项"]


async def test_guidance_also_needs_a_letter(office, staff, make_draft):
    opened = await letters.open_item(
        office, staff.supervisor, make_draft(category=Category.GUIDANCE)
    )
    assert opened.item.status == Status.PENDING_APPROVAL


async def test_a_reference_item_is_only_recorded(office, staff, make_draft):
    opened = await letters.open_item(
        office, staff.supervisor, make_draft(category=Category.REFERENCE)
    )
    assert opened.item.status == Status.RECORDED
    assert opened.approvers == []  # no letter, nobody to approve


async def test_only_a_supervisor_opens_items(office, staff, make_draft):
    for someone in (staff.housing, staff.leader):
        refusal = await refused(letters.open_item(office, someone, make_draft()))
        assert refusal.key == "wrong_role_for"
        assert refusal.context == {"roles": "督查员"}
    assert (await refused(letters.open_item(office, None, make_draft()))).key == "not_registered"
    async with office.db.read() as conn:
        assert await conn.scalar("SELECT count(*) FROM items") == 0


async def test_an_item_for_an_unknown_unit_is_refused_and_nothing_is_saved(
    office, staff, make_draft
):
    refusal = await refused(letters.open_item(office, staff.supervisor, make_draft(co=(999,))))
    assert refusal.key == "unknown_unit"
    async with office.db.read() as conn:
        assert await conn.scalar("SELECT count(*) FROM items") == 0
        assert await conn.scalar("SELECT count(*) FROM item_units") == 0

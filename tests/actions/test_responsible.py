"""承办责任人: each unit names its owner after signing, may correct it, and every change is
audited."""

from __future__ import annotations

from domain import letters
from tests.actions.conftest import approved_item, audit_actions, refused


async def test_the_responsible_person_is_named_only_after_signing(office, staff, make_draft):
    item = await approved_item(office, staff, make_draft)
    refusal = await refused(
        letters.set_responsible(office, staff.housing, item.id, "李局长", "副局长", "13900001111")
    )
    assert refusal.key == "sign_first"

    await letters.sign(office, staff.housing, item.id)
    updated = await letters.set_responsible(
        office, staff.housing, item.id, "李局长", "副局长", "13900001111"
    )
    lead = updated.lead
    assert (lead.responsible_name, lead.responsible_title, lead.responsible_phone) == (
        "李局长",
        "副局长",
        "13900001111",
    )
    # the co-unit has not named anyone yet
    assert updated.unit(staff.transport.unit_id).responsible_name is None


async def test_the_responsible_person_can_be_corrected_and_each_change_is_audited(
    office, staff, make_draft
):
    item = await approved_item(office, staff, make_draft)
    await letters.sign(office, staff.housing, item.id)
    await letters.set_responsible(office, staff.housing, item.id, "李局长", "副局长", "1")
    updated = await letters.set_responsible(office, staff.housing, item.id, "赵处长", "处长", "2")
    assert updated.lead.responsible_name == "赵处长"
    actions = await audit_actions(office, item.id)
    assert actions.count("报送承办责任人") == 2


async def test_another_units_liaison_cannot_name_the_responsible_person(office, staff, make_draft):
    item = await approved_item(office, staff, make_draft)
    refusal = await refused(
        letters.set_responsible(office, staff.district, item.id, "某", "某", "13900001111")
    )
    assert refusal.key == "not_your_item"

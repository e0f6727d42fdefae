"""签收: the lead unit's signature starts the work; a co-unit's does not; a unit signs once,
by any of its liaisons, and only for its own items."""

from __future__ import annotations

from domain import letters
from domain.items import Status
from domain.models import LiaisonKind
from tests.actions.conftest import approved_item, refused, stored_item


async def test_the_lead_units_signature_starts_the_work(office, staff, make_draft):
    item = await approved_item(office, staff, make_draft)
    signed = await letters.sign(office, staff.housing, item.id)
    assert signed.item.status == Status.IN_PROGRESS
    assert signed.unit.name == "市住房和城乡建设局"
    assert signed.item.lead.signed_at == "2026-11-24T10:00:00+08:00"
    assert signed.item.lead.signed_by_name == "住建联络员"
    assert signed.supervisors == [staff.supervisor]


async def test_a_co_units_signature_does_not_start_the_work(office, staff, make_draft):
    item = await approved_item(office, staff, make_draft)
    signed = await letters.sign(office, staff.transport, item.id)
    assert signed.item.status == Status.AWAITING_SIGN
    assert signed.item.unit(staff.transport.unit_id).signed_at is not None
    assert signed.item.lead.signed_at is None
    # the lead signs afterwards: now it is under way
    assert (await letters.sign(office, staff.housing, item.id)).item.status == Status.IN_PROGRESS


async def test_signing_twice_is_refused_with_when_and_who(office, staff, make_draft, clock):
    item = await approved_item(office, staff, make_draft)
    await letters.sign(office, staff.housing, item.id)
    clock.advance(hours=1)
    refusal = await refused(letters.sign(office, staff.housing, item.id))
    assert refusal.key == "already_signed"
    assert refusal.context == {"at": "2026-11-24 10:00", "who": "住建联络员"}


async def test_a_deputy_signs_for_the_unit_and_the_primary_then_need_not(
    office, staff, make_draft, enrol
):
    deputy = await enrol.liaison(staff.housing.unit_id, LiaisonKind.DEPUTY, name="备用")
    item = await approved_item(office, staff, make_draft)
    await letters.sign(office, deputy, item.id)
    refusal = await refused(letters.sign(office, staff.housing, item.id))
    assert refusal.key == "already_signed" and refusal.context["who"] == "备用"


async def test_a_liaison_of_another_unit_cannot_sign(office, staff, make_draft):
    item = await approved_item(office, staff, make_draft)
    assert (await refused(letters.sign(office, staff.district, item.id))).key == "not_your_item"
    assert (await stored_item(office, item.id))["status"] == Status.AWAITING_SIGN


async def test_a_letter_not_yet_approved_cannot_be_signed(office, staff, make_draft):
    item = (await letters.open_item(office, staff.supervisor, make_draft())).item
    assert (await refused(letters.sign(office, staff.housing, item.id))).key == "not_allowed_now"


async def test_only_liaisons_sign(office, staff, make_draft):
    item = await approved_item(office, staff, make_draft)
    refusal = await refused(letters.sign(office, staff.supervisor, item.id))
    assert refusal.key == "wrong_role_for"


async def test_an_unknown_item_is_named_as_such(office, staff):
    assert (await refused(letters.sign(office, staff.housing, 404))).key == "item_unknown"
    assert (await refused(letters.approve(office, staff.leader, 404))).key == "item_unknown"

"""审定: a leader approves the letter, which takes the year's next serial, without gaps even
when approvals race; the letter is queued for every liaison of every unit in the same
transaction, and a unit without a liaison is a gap until someone registers."""

from __future__ import annotations

import asyncio

import pytest

from domain import letters, registration
from domain.errors import Refusal
from domain.items import Status
from domain.models import LiaisonKind, Role
from storage import items, units
from tests.actions.conftest import approved_item, refused, stored_item
from tests.letters import letter_fixed


async def test_a_leader_approves_and_letters_are_numbered_in_order(office, staff, make_draft):
    labels = []
    for n in range(3):
        opened = await letters.open_item(office, staff.supervisor, make_draft(f"事项{n}"))
        approved = await letters.approve(office, staff.leader, opened.item.id, then=letter_fixed)
        assert approved.item.status == Status.AWAITING_SIGN
        assert approved.item.approved_at == "2026-11-24T10:00:00+08:00"
        assert approved.creator == staff.supervisor
        labels.append(office.serial_label(approved.item))
    assert labels == ["督办〔2026〕1号", "督办〔2026〕2号", "督办〔2026〕3号"]


async def letter_rows(office, item_id: int) -> list[tuple]:
    async with office.db.read() as conn:
        rows = await conn.all(
            "SELECT unit_id, person_id, state FROM outbox WHERE rule = 'letter' AND item_id = ?"
            " ORDER BY id",
            (item_id,),
        )
    return [tuple(r) for r in rows]


async def new_primary(office, staff, unit_id: int, tg_id: int) -> registration.Registered:
    """A primary liaison for the unit, invited and registered as through the link."""
    code, _ = await registration.create_invite(
        office, staff.supervisor, Role.LIAISON, unit_id, LiaisonKind.PRIMARY
    )
    return await registration.register(
        office,
        code,
        tg_user_id=tg_id,
        chat_id=tg_id,
        username="",
        name=f"新联络员{tg_id}",
        title="",
        phone="13800138000",
    )


async def test_the_letter_goes_to_every_liaison_of_every_unit(office, staff, make_draft, enrol):
    deputy = await enrol.liaison(staff.housing.unit_id, LiaisonKind.DEPUTY)
    item = (await letters.open_item(office, staff.supervisor, make_draft())).item
    approved = await letters.approve(office, staff.leader, item.id, then=letter_fixed)
    by_unit = {unit.name: people for unit, people in approved.recipients.by_unit}
    assert by_unit == {
        "市住房和城乡建设局": [staff.housing, deputy],
        "市交通运输局": [staff.transport],
    }
    assert approved.recipients.unreachable == []
    # queued in the approval's own transaction, one row per liaison
    assert await letter_rows(office, item.id) == [
        (staff.housing.unit_id, staff.housing.id, "pending"),
        (staff.housing.unit_id, deputy.id, "pending"),
        (staff.transport.unit_id, staff.transport.id, "pending"),
    ]


async def test_a_unit_without_a_liaison_is_a_gap_until_someone_registers(office, staff, make_draft):
    async with office.db.transaction() as conn:
        await units.upsert(conn, [("乙县委", "乙县", "下级党委政府", None)], office.now())
        county = await conn.scalar("SELECT id FROM units WHERE name = '乙县委'")
    draft = make_draft(lead=county, co=(staff.transport.unit_id,))
    item = (await letters.open_item(office, staff.supervisor, draft)).item
    approved = await letters.approve(office, staff.leader, item.id, then=letter_fixed)
    assert [u.name for u in approved.recipients.unreachable] == ["乙县委"]
    async with office.db.transaction() as conn:  # as the sender does with nobody to send to
        await conn.execute("UPDATE outbox SET state = 'held' WHERE unit_id = ?", (county,))

    joined = await new_primary(office, staff, county, 4242)
    assert [i.id for i in joined.pending_letters] == [item.id]
    # the held letter for the whole unit is released; no second copy for the newcomer
    assert joined.queued == 1
    assert await letter_rows(office, item.id) == [
        (county, None, "pending"),
        (staff.transport.unit_id, staff.transport.id, "pending"),
    ]


async def test_a_new_liaison_is_handed_the_letters_the_unit_has_not_signed(
    office, staff, make_draft
):
    item = await approved_item(office, staff, make_draft)
    async with office.db.transaction() as conn:  # delivered to the old liaison
        await conn.execute("UPDATE outbox SET state = 'sent' WHERE item_id = ?", (item.id,))
    joined = await new_primary(office, staff, staff.housing.unit_id, 4343)
    assert joined.replaced == staff.housing and joined.queued == 1
    assert (staff.housing.unit_id, joined.person.id, "pending") in await letter_rows(
        office, item.id
    )


async def test_the_letter_is_rendered_with_its_serial_when_approved(office, staff, make_draft):
    async def fix(conn, done) -> None:  # what the handler's fix_letters does, template aside
        html = f"<p>{office.serial_label(done.item)}：{done.item.title}</p>"
        await items.set_letter(conn, done.item.id, html)

    opened = await letters.open_item(office, staff.supervisor, make_draft("路灯"))
    item = (await letters.approve(office, staff.leader, opened.item.id, then=fix)).item
    assert item.letter_html == "<p>督办〔2026〕1号：路灯</p>"


async def test_serials_start_again_each_year(office, staff, make_draft, clock):
    await approved_item(office, staff, make_draft, "今年的")
    clock.advance(days=40)  # 2027-01-03
    item = await approved_item(office, staff, make_draft, "明年的")
    assert (item.year, item.serial) == (2027, 1)


async def test_approving_twice_is_refused(office, staff, make_draft):
    item = await approved_item(office, staff, make_draft)
    refusal = await refused(letters.approve(office, staff.leader, item.id, then=letter_fixed))
    assert refusal.key == "not_allowed_now"
    assert (await stored_item(office, item.id))["serial"] == 1
    async with office.db.read() as conn:
        assert await conn.scalar("SELECT last FROM serials WHERE year = 2026") == 1


async def test_a_supervisor_may_not_approve_once_a_leader_is_registered(office, staff, make_draft):
    item = (await letters.open_item(office, staff.supervisor, make_draft())).item
    refusal = await refused(letters.approve(office, staff.supervisor, item.id, then=letter_fixed))
    assert refusal.key == "leader_must_approve"
    assert (await stored_item(office, item.id))["status"] == Status.PENDING_APPROVAL


async def test_whether_a_letter_may_be_returned_is_known_before_the_reason_is_typed(
    office, staff, make_draft
):
    item = (await letters.open_item(office, staff.supervisor, make_draft())).item
    await letters.may_return(office, staff.leader, item.id)  # asked: may go on
    refusal = await refused(letters.may_return(office, staff.supervisor, item.id))
    assert refusal.key == "leader_must_approve"  # a leader is registered
    await letters.approve(office, staff.leader, item.id, then=letter_fixed)
    refusal = await refused(letters.may_return(office, staff.leader, item.id))
    assert refusal.key == "not_allowed_now"  # already approved


async def test_a_liaison_never_approves(office, staff, make_draft):
    item = (await letters.open_item(office, staff.supervisor, make_draft())).item
    assert (
        await refused(letters.approve(office, staff.housing, item.id, then=letter_fixed))
    ).key == "wrong_role_for"


async def test_without_a_leader_a_supervisor_stands_in_when_the_office_allows_it(
    office, enrol, make_draft
):
    supervisor = await enrol.supervisor()
    item = (await letters.open_item(office, supervisor, make_draft())).item
    approved = await letters.approve(office, supervisor, item.id, then=letter_fixed)
    assert approved.item.serial == 1


async def test_without_a_leader_and_without_permission_nobody_approves(office, enrol, make_draft):
    office.supervisor_may_approve = False
    supervisor = await enrol.supervisor()
    opened = await letters.open_item(office, supervisor, make_draft())
    assert opened.approvers == []
    refusal = await refused(letters.approve(office, supervisor, opened.item.id, then=letter_fixed))
    assert refusal.key == "leader_must_approve"


@pytest.mark.parametrize("count", [20, 30])
async def test_concurrent_approvals_number_letters_without_gaps_or_duplicates(
    office, staff, make_draft, count
):
    opened = [
        await letters.open_item(office, staff.supervisor, make_draft(f"事项{n}"))
        for n in range(count)
    ]
    done = await asyncio.gather(
        *(letters.approve(office, staff.leader, o.item.id, then=letter_fixed) for o in opened)
    )
    assert sorted(d.item.serial for d in done) == list(range(1, count + 1))
    async with office.db.read() as conn:
        stored = [r[0] for r in await conn.all("SELECT serial FROM items ORDER BY serial")]
        assert await conn.scalar("SELECT last FROM serials WHERE year = 2026") == count
    assert stored == list(range(1, count + 1))

    # and approving them all again, concurrently, is refused every time
    again = await asyncio.gather(
        *(letters.approve(office, staff.leader, o.item.id, then=letter_fixed) for o in opened),
        return_exceptions=True,
    )
    assert {e.key for e in again if isinstance(e, Refusal)} == {"not_allowed_now"}
    assert len(again) == count and all(isinstance(e, Refusal) for e in again)

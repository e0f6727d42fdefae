"""立项 to 签收: a supervisor opens the item, a leader approves the letter (which takes the
year's next serial), the lead unit's 签收 starts the work, and each unit names its owner.
Every change leaves an audit row, and the audit cannot be rewritten."""

from __future__ import annotations

import asyncio
import json
import sqlite3

import pytest

from domain import letters, queries, registration
from domain.errors import Refusal
from domain.items import Status
from domain.models import Category, LiaisonKind, Role
from storage import audit, items, units
from tests.letters import letter_fixed


async def refused(awaitable) -> Refusal:
    with pytest.raises(Refusal) as caught:
        await awaitable
    return caught.value


async def audit_actions(office, item_id: int) -> list[str]:
    async with office.db.read() as conn:
        return [r.action for r in await audit.timeline(conn, item_id)]


async def stored_item(office, item_id: int) -> dict:
    async with office.db.read() as conn:
        return dict(await conn.one("SELECT * FROM items WHERE id = ?", (item_id,)))


@pytest.fixture
async def staff(enrol, unit_ids):
    """A supervisor, a leader, and the primary liaisons of 住建局 (lead) and 交通局 (co)."""

    class Staff:
        pass

    s = Staff()
    s.supervisor = await enrol.supervisor(name="督查员甲")
    s.leader = await enrol.leader(name="王书记")
    s.housing = await enrol.liaison(unit_ids.housing, name="住建联络员")
    s.transport = await enrol.liaison(unit_ids.transport, name="交通联络员")
    s.district = await enrol.liaison(unit_ids.district, name="区联络员")
    return s


async def approved_item(office, staff, make_draft, title="事项"):
    opened = await letters.open_item(office, staff.supervisor, make_draft(title))
    return (await letters.approve(office, staff.leader, opened.item.id, then=letter_fixed)).item


# --- 立项 -----------------------------------------------------------------------------------


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


# --- 审定 -----------------------------------------------------------------------------------


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


async def test_concurrent_approvals_number_letters_without_gaps_or_duplicates(
    office, staff, make_draft
):
    opened = [
        await letters.open_item(office, staff.supervisor, make_draft(f"事项{n}")) for n in range(20)
    ]
    done = await asyncio.gather(
        *(letters.approve(office, staff.leader, o.item.id, then=letter_fixed) for o in opened)
    )
    assert sorted(d.item.serial for d in done) == list(range(1, 21))
    async with office.db.read() as conn:
        stored = [r[0] for r in await conn.all("SELECT serial FROM items ORDER BY serial")]
        assert await conn.scalar("SELECT last FROM serials WHERE year = 2026") == 20
    assert stored == list(range(1, 21))

    # and approving them all again, concurrently, is refused every time
    again = await asyncio.gather(
        *(letters.approve(office, staff.leader, o.item.id, then=letter_fixed) for o in opened),
        return_exceptions=True,
    )
    assert {e.key for e in again if isinstance(e, Refusal)} == {"not_allowed_now"}
    assert len(again) == 20 and all(isinstance(e, Refusal) for e in again)


# --- 退回修改 and 重新提交 --------------------------------------------------------------------


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


# --- 签收 -----------------------------------------------------------------------------------


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


# --- 承办责任人 -------------------------------------------------------------------------------


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


# --- the record -----------------------------------------------------------------------------


async def test_every_change_leaves_an_audit_row_with_who_and_which_unit(office, staff, make_draft):
    item = (await letters.open_item(office, staff.supervisor, make_draft())).item
    await letters.return_letter(office, staff.leader, item.id, "补充要求")
    await letters.resubmit(office, staff.supervisor, item.id, make_draft())
    await letters.approve(office, staff.leader, item.id, then=letter_fixed)
    await letters.sign(office, staff.transport, item.id)
    await letters.sign(office, staff.housing, item.id)
    await letters.set_responsible(office, staff.housing, item.id, "李局长", "副局长", "139")

    async with office.db.read() as conn:
        timeline = await audit.timeline(conn, item.id)
    assert [(r.action, r.who, r.unit) for r in timeline] == [
        ("立项", "督查员甲", None),
        ("退回修改", "王书记", None),
        ("修改后重新提交", "督查员甲", None),
        ("审定同意", "王书记", None),
        ("签收", "交通联络员", "市交通运输局"),
        ("签收", "住建联络员", "市住房和城乡建设局"),
        ("报送承办责任人", "住建联络员", "市住房和城乡建设局"),
    ]
    assert json.loads(timeline[1].detail) == {"reason": "补充要求"}
    assert json.loads(timeline[3].detail) == {"serial": 1}


async def test_a_refused_action_leaves_no_audit_row(office, staff, make_draft):
    item = await approved_item(office, staff, make_draft)
    before = await audit_actions(office, item.id)
    await refused(letters.approve(office, staff.leader, item.id, then=letter_fixed))
    await refused(letters.sign(office, staff.district, item.id))
    assert await audit_actions(office, item.id) == before


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit SET action = '篡改'", "DELETE FROM audit", "DELETE FROM audit WHERE id = 1"],
)
async def test_the_audit_cannot_be_rewritten(office, staff, make_draft, db_path, statement):
    await approved_item(office, staff, make_draft)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        async with office.db.transaction() as conn:
            await conn.execute(statement)
    # nor from outside the bot, with a plain sqlite3 connection
    raw = sqlite3.connect(db_path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw.execute(statement)
        assert raw.execute("SELECT count(*) FROM audit WHERE action = '篡改'").fetchone() == (0,)
    finally:
        raw.close()
    async with office.db.read() as conn:
        assert await conn.scalar("SELECT count(*) FROM audit") > 0


# --- what people see afterwards -------------------------------------------------------------


async def test_a_liaison_sees_only_their_own_units_items(office, staff, make_draft):
    item = await approved_item(office, staff, make_draft)
    found, timeline = await queries.item_record(office, staff.transport, "督办〔2026〕1号")
    assert found.id == item.id and [r.action for r in timeline] == ["立项", "审定同意"]
    refusal = await refused(queries.item_record(office, staff.district, "1"))
    assert refusal.key == "not_your_item"


async def test_my_tasks_say_what_the_unit_owes(office, staff, make_draft):
    item = await approved_item(office, staff, make_draft)
    await letters.open_item(office, staff.supervisor, make_draft("还在审定的"))  # not shown

    def owed(tasks):
        return [(t.item.id, t.waiting_for) for t in tasks]

    assert owed(await queries.my_tasks(office, staff.housing)) == [(item.id, "待签收")]
    await letters.sign(office, staff.housing, item.id)
    assert owed(await queries.my_tasks(office, staff.housing)) == [(item.id, "待报送承办责任人")]
    await letters.set_responsible(office, staff.housing, item.id, "李局长", "副局长", "139")
    assert owed(await queries.my_tasks(office, staff.housing)) == [(item.id, "按期报送进展")]
    assert owed(await queries.my_tasks(office, staff.transport)) == [(item.id, "待签收")]
    assert await queries.my_tasks(office, staff.district) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("督办〔2026〕12号", ("serial", 2026, 12)),
        ("2025-3", ("serial", 2025, 3)),
        ("12", ("serial", 2026, 12)),
        ("#5", ("id", 0, 5)),
        ("草稿#5", ("id", 0, 5)),
    ],
)
def test_item_references(text, expected):
    assert queries.parse_ref(text, 2026) == expected


@pytest.mark.parametrize("text", ["", "第十二号", "abc"])
def test_bad_item_references(text):
    with pytest.raises(Refusal) as caught:
        queries.parse_ref(text, 2026)
    assert caught.value.key == "bad_ref"


async def test_the_units_overview_shows_who_can_be_reached(office, staff, enrol):
    deputy = await enrol.liaison(staff.housing.unit_id, LiaisonKind.DEPUTY)
    overview = {s.unit.name: s for s in await queries.units_overview(office, staff.leader)}
    housing = overview["市住房和城乡建设局"]
    assert housing.primary == staff.housing and housing.deputies == [deputy]
    assert all(s.reachable for s in overview.values())
    refusal = await refused(queries.units_overview(office, staff.housing))
    assert refusal.key == "wrong_role_for"


async def test_open_items_filter_by_unit_and_category(office, staff, make_draft):
    mine = await approved_item(office, staff, make_draft)
    other = (
        await letters.open_item(
            office,
            staff.supervisor,
            make_draft("区里的", lead=staff.district.unit_id, co=(), category=Category.GUIDANCE),
        )
    ).item
    await letters.open_item(office, staff.supervisor, make_draft(category=Category.REFERENCE))
    everything = await queries.open_items(office, staff.supervisor)
    assert {i.id for i in everything} == {mine.id, other.id}  # 已登记 is not open work
    assert [i.id for i in await queries.open_items(office, staff.supervisor, "甲区")] == [other.id]
    assert [i.id for i in await queries.open_items(office, staff.supervisor, "批办性")] == [mine.id]
    refusal = await refused(queries.open_items(office, staff.supervisor, "不存在的局"))
    assert refusal.key == "unit_not_found"

"""What people see afterwards: an item's record, a unit's tasks, the units overview and the
open items, each limited to what the asker may see."""

from __future__ import annotations

from domain import letters, queries
from domain.models import Category, LiaisonKind
from tests.actions.conftest import approved_item, refused


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

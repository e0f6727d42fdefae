"""The plan on a real database: import, milestones kept with their items, keys, roll-over."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from domain.errors import Refusal
from domain.items import Status
from domain.models import Category, Period
from domain.plan import actions as plan
from domain.plan import keys as plan_keys
from domain.plan.rules import Milestone, Shape
from domain.plan.sheet import Plan, TargetRow, TaskRow
from storage import plan as store
from tests.conftest import TZ
from tests.letters import letter_fixed


def task(code="P1", *, key=False, lead=1, category=Category.ORDER, leader="赵主任") -> TaskRow:
    return TaskRow(2, code, f"任务{code}", category, leader, lead, key)


def target(
    code,
    unit,
    *,
    shape=Shape.YEARLY,
    deadline=date(2026, 12, 31),
    milestones=(),
    quantity=None,
    key=False,
    start=None,
    task_code="P1",
) -> TargetRow:
    return TargetRow(
        2,
        task_code,
        code,
        f"目标{code}",
        unit,
        quantity,
        "亿元" if quantity else "",
        shape,
        start,
        deadline,
        tuple(milestones),
        Period.MONTHLY,
        key,
    )


ROAD = (Milestone(date(2026, 12, 31), "一期"), Milestone(date(2027, 12, 31), "二期"))


def road(unit, *milestones: Milestone) -> TargetRow:
    """Target P1-2: a multi-year road in stages, ROAD and any later ones, due with its last."""
    stages = (*ROAD, *milestones)
    return target("P1-2", unit, shape=Shape.MULTI_YEAR, deadline=stages[-1].due, milestones=stages)


@pytest.fixture
async def sup(enrol):
    return await enrol.supervisor()


async def test_import_opens_one_item_per_target_in_one_transaction(office, unit_ids, sup):
    plan_ = Plan(
        (task(lead=unit_ids.housing),),
        (
            target("P1-1", unit_ids.housing, quantity=Decimal("10")),
            road(unit_ids.district),
        ),
    )
    done = await plan.import_plan(office, sup, plan_, then=letter_fixed)
    assert (done.tasks_new, done.targets_new) == (1, 2)
    assert [i.plan_code for i in done.opened] == ["P1-1", "P1-2"]
    assert [i.serial for i in done.opened] == [1, 2]  # 批办性: numbered letters
    assert done.opened[1].deadline == date(2026, 12, 31)  # first milestone
    async with office.db.read() as conn:
        found = await store.milestones(conn, done.opened[1].target_id)
        goal = await store.goal(conn, done.opened[0].target_id)
    assert [m.item_id for m in found] == [done.opened[1].id, None]
    assert goal == (Decimal("10"), "亿元")


async def test_reimport_keeps_opened_milestones_and_drops_only_unopened_ones(office, unit_ids, sup):
    first = Plan(
        (task(lead=unit_ids.housing),),
        (road(unit_ids.district, Milestone(date(2028, 12, 31), "三期")),),
    )
    done = await plan.import_plan(office, sup, first, then=letter_fixed)
    shorter = Plan(
        first.tasks,
        (road(unit_ids.district),),
    )
    again = await plan.import_plan(office, sup, shorter, then=letter_fixed)
    assert (again.targets_updated, again.targets_new) == (1, 0)
    async with office.db.read() as conn:
        found = await store.milestones(conn, done.opened[0].target_id)
    assert [(m.due.year, m.item_id) for m in found] == [(2026, done.opened[0].id), (2027, None)]


async def test_reimport_with_a_new_leader_and_key_updates_the_task_and_its_items(
    office, unit_ids, sup
):
    targets = (target("P1-1", unit_ids.housing), target("P1-2", unit_ids.district))
    done = await plan.import_plan(
        office, sup, Plan((task(lead=unit_ids.housing),), targets), then=letter_fixed
    )
    ids = [i.id for i in done.opened]
    changed = Plan((task(lead=unit_ids.housing, leader="钱副市长", key=True),), targets)
    again = await plan.import_plan(office, sup, changed, then=letter_fixed)
    assert (again.tasks_updated, again.targets_updated, again.unchanged) == (1, 0, 2)
    async with office.db.read() as conn:
        leaders = await store.leaders_by_item(conn, ids)
        keys = [r[0] for r in await conn.all("SELECT is_key FROM items ORDER BY id")]
        audit = await conn.one(
            "SELECT detail FROM audit WHERE action = '更新大事要事任务' AND item_id IS NULL"
        )
    assert leaders == {ids[0]: "钱副市长", ids[1]: "钱副市长"}
    assert keys == [1, 1]  # the task's 重点 reaches every item under it
    assert "钱副市长" in audit["detail"]
    unchanged = await plan.import_plan(office, sup, changed, then=letter_fixed)
    assert unchanged.tasks_updated == 0


async def test_only_a_supervisor_imports_and_keys(office, unit_ids, enrol, sup):
    liaison = await enrol.liaison(unit_ids.housing)
    plan_ = Plan((task(lead=unit_ids.housing),), (target("P1-1", unit_ids.housing),))
    with pytest.raises(Refusal) as caught:
        await plan.import_plan(office, liaison, plan_, then=letter_fixed)
    assert caught.value.key == "wrong_role_for"
    await plan.import_plan(office, sup, plan_, then=letter_fixed)
    with pytest.raises(Refusal):
        await plan_keys.set_key(office, liaison, "P1", True, "理由充分")


async def test_key_of_task_and_target_combine_on_the_items(office, unit_ids, sup):
    plan_ = Plan(
        (task(lead=unit_ids.housing),),
        (target("P1-1", unit_ids.housing, key=True), target("P1-2", unit_ids.transport)),
    )
    await plan.import_plan(office, sup, plan_, then=letter_fixed)

    async def keys() -> dict[str, int]:
        async with office.db.read() as conn:
            rows = await conn.all("SELECT plan_code, is_key FROM items ORDER BY plan_code")
        return {r["plan_code"]: r["is_key"] for r in rows}

    assert await keys() == {"P1-1": 1, "P1-2": 0}
    raised = await plan_keys.set_key(office, sup, "P1", True, "市委列为重点")
    assert raised.items and await keys() == {"P1-1": 1, "P1-2": 1}
    lowered = await plan_keys.set_key(office, sup, "P1", False, "年中调整")
    assert await keys() == {"P1-1": 1, "P1-2": 0}  # the target's own mark holds
    assert len(lowered.items) == 1
    await plan_keys.set_key(office, sup, "P1-1", False, "目标已基本完成")
    assert await keys() == {"P1-1": 0, "P1-2": 0}
    for code, reason, key in (("P1", "x", "key_reason_needed"), ("P9", "理由充分", "key_unknown")):
        with pytest.raises(Refusal) as caught:
            await plan_keys.set_key(office, sup, code, True, reason)
        assert caught.value.key == key


async def test_roll_over_waits_for_closure_and_for_the_year(office, unit_ids, sup, clock):
    plan_ = Plan(
        (task(lead=unit_ids.housing),),
        (road(unit_ids.district),),
    )
    done = await plan.import_plan(office, sup, plan_, then=letter_fixed)
    item_id = done.opened[0].id
    clock.set(datetime(2027, 1, 4, 10, 0, tzinfo=TZ))
    assert await plan.roll_over(office, then=letter_fixed) == []  # 2026's milestone still open
    async with office.db.transaction() as conn:
        await conn.execute("UPDATE items SET status = ? WHERE id = ?", (Status.CLOSED, item_id))
    opened = await plan.roll_over(office, then=letter_fixed)
    assert [(i.deadline, i.year, i.serial) for i in opened] == [(date(2027, 12, 31), 2027, 1)]
    assert opened[0].chase_from is None  # its year has begun: chased at once
    assert await plan.roll_over(office, then=letter_fixed) == []  # once

"""next_check: every state change makes its assignment due in the change's own transaction,
and a tick after nothing changed decides nothing (counted in assignments, not time)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot import orchestrator
from domain import letters
from domain.items import Status
from domain.policy import Need, Rules, Step
from storage import chases, extensions, items, next_check, outbox, plan, reports, revisits
from storage.outbox import Push
from tests.letters import letter_fixed

TODAY = date(2026, 11, 24)
NOW = "2026-11-24T10:00:00+08:00"
LATER = (TODAY + timedelta(days=30)).toordinal()


@pytest.fixture
async def sent(office, enrol, make_draft, unit_ids):
    """An approved, sent item (住建局 leads, 交通局 co) whose checks all lie a month ahead."""
    supervisor = await enrol.supervisor(name="督查员甲")
    leader = await enrol.leader(name="王书记")
    liaison = await enrol.liaison(unit_ids.housing, name="住建联络员")
    opened = await letters.open_item(office, supervisor, make_draft("事项"))
    item = (await letters.approve(office, leader, opened.item.id, then=letter_fixed)).item
    async with office.db.transaction() as conn:
        await conn.execute("UPDATE item_units SET next_check = ?", (LATER,))
    return item, supervisor, liaison


async def checks(office, item_id: int) -> dict[int, int]:
    async with office.db.read() as conn:
        rows = await conn.all(
            "SELECT unit_id, next_check FROM item_units WHERE item_id = ?", (item_id,)
        )
    return {r[0]: r[1] for r in rows}


async def due_units(office, item_id: int) -> set[int]:
    return {u for u, n in (await checks(office, item_id)).items() if n <= TODAY.toordinal()}


async def change(office, fn) -> None:
    async with office.db.transaction() as conn:
        await fn(conn)


async def test_nothing_is_due_until_something_changes(office, sent):
    item, _, _ = sent
    assert await due_units(office, item.id) == set()
    async with office.db.read() as conn:
        assert not await next_check.any_due(conn, TODAY)


async def test_status_change_makes_every_unit_due(office, sent, unit_ids):
    item, _, _ = sent
    await change(office, lambda c: items.set_status(c, item.id, Status.IN_PROGRESS, NOW))
    assert await due_units(office, item.id) == {unit_ids.housing, unit_ids.transport}


async def test_sign_makes_that_unit_due(office, sent, unit_ids):
    item, _, liaison = sent
    await change(office, lambda c: items.sign(c, item.id, unit_ids.housing, liaison.id, NOW))
    assert await due_units(office, item.id) == {unit_ids.housing}


async def test_responsible_makes_that_unit_due(office, sent, unit_ids):
    item, _, _ = sent
    await change(
        office,
        lambda c: items.set_responsible(c, item.id, unit_ids.transport, "张三", "科长", "1", NOW),
    )
    assert await due_units(office, item.id) == {unit_ids.transport}


async def test_report_makes_that_unit_due(office, sent, unit_ids):
    item, _, liaison = sent
    await change(
        office,
        lambda c: reports.insert(
            c,
            item_id=item.id,
            unit_id=unit_ids.housing,
            person_id=liaison.id,
            kind="progress",
            period_key="2026-W48",
            now=NOW,
        ),
    )
    assert await due_units(office, item.id) == {unit_ids.housing}


async def test_mute_makes_the_units_items_due(office, sent, unit_ids):
    item, supervisor, _ = sent
    await change(
        office, lambda c: outbox.mute(c, unit_ids.transport, "2026-12-15", supervisor.id, NOW)
    )
    assert await due_units(office, item.id) == {unit_ids.transport}


async def test_extension_decided_makes_the_item_due(office, sent, unit_ids):
    item, supervisor, liaison = sent
    async with office.db.transaction() as conn:
        ext = await extensions.insert_request(
            conn, item, liaison, new_deadline=date(2027, 1, 31), reason="理由", now=NOW
        )
        await conn.execute("UPDATE item_units SET next_check = ?", (LATER,))
    await change(
        office, lambda c: extensions.decide(c, ext, "refused", supervisor, NOW, refusal_reason="否")
    )
    assert await due_units(office, item.id) == {unit_ids.housing, unit_ids.transport}


async def test_deadline_edit_by_plan_import_makes_the_item_due(office, sent, unit_ids):
    item, _, _ = sent
    await change(office, lambda c: plan.update_item(c, item.id, {"deadline": "2027-03-31"}))
    assert await due_units(office, item.id) == {unit_ids.housing, unit_ids.transport}


async def test_key_mark_makes_the_item_due(office, sent, unit_ids):
    item, _, _ = sent
    await change(office, lambda c: items.set_key(c, item.id, True))
    assert await due_units(office, item.id) == {unit_ids.housing, unit_ids.transport}


async def test_a_dropped_digest_makes_the_steps_it_carried_due(office, sent, unit_ids):
    item, _, _ = sent
    need = Need("sign", item.id, unit_ids.transport, TODAY, "e")
    push = Push("todo:x", "todo", "push_todo", NOW)
    async with office.db.transaction() as conn:
        await outbox.add(conn, push, push.due_at)
        await chases.record(conn, [Step("remind", need, 1)], TODAY, "todo:x")
        push_id = await conn.scalar("SELECT id FROM outbox WHERE dedupe_key = 'todo:x'")
    await change(office, lambda c: outbox.settle(c, push_id, "dropped", "过期"))
    assert await due_units(office, item.id) == {unit_ids.transport}


async def test_a_change_while_the_tick_decided_is_not_lost(office, sent, unit_ids):
    """settle writes only where the value is still the one the tick read."""
    item, _, liaison = sent
    read = (await checks(office, item.id))[unit_ids.housing]
    await change(office, lambda c: items.sign(c, item.id, unit_ids.housing, liaison.id, NOW))
    await change(office, lambda c: next_check.settle(c, [(item.id, unit_ids.housing, read, LATER)]))
    assert await due_units(office, item.id) == {unit_ids.housing}


async def test_a_tick_after_nothing_changed_decides_nothing(office, sent, unit_ids):
    item, _, liaison = sent
    async with office.db.transaction() as conn:
        await conn.execute("UPDATE item_units SET next_check = 0")
    rules = Rules()
    first = await orchestrator.chase(office, rules, TODAY)
    assert first.decided == 2
    again = await orchestrator.chase(office, rules, TODAY)
    assert again == orchestrator.Outcome(0, 0)
    await change(office, lambda c: items.sign(c, item.id, unit_ids.housing, liaison.id, NOW))
    assert (await orchestrator.chase(office, rules, TODAY)).decided == 1
    assert (await orchestrator.chase(office, rules, TODAY)).decided == 0
    tomorrow = office.calendar.next_workday(TODAY)
    assert (await orchestrator.chase(office, rules, tomorrow)).decided == 2


async def test_an_item_no_longer_chased_sleeps_until_it_changes(office, sent, unit_ids):
    item, _, _ = sent
    await change(office, lambda c: items.set_status(c, item.id, Status.CLOSED, NOW))
    assert (await orchestrator.chase(office, Rules(), TODAY)).decided == 2
    assert set((await checks(office, item.id)).values()) == {next_check.NEVER}
    assert (await orchestrator.chase(office, Rules(), TODAY + timedelta(days=400))).decided == 0


async def test_a_revisit_answered_makes_the_item_due(office, sent, unit_ids):
    """An answered revisit is no longer chased: the tick must see that without a status change."""
    item, _, _ = sent
    await change(office, lambda c: revisits.insert(c, item.id, [TODAY]))
    await change(office, lambda c: revisits.move(c, 1, "asked", "scheduled", asked_at=NOW))
    await change(office, lambda c: c.execute("UPDATE item_units SET next_check = ?", (LATER,)))
    await change(office, lambda c: revisits.move(c, 1, "answered", "asked"))
    assert await due_units(office, item.id) == {unit_ids.housing, unit_ids.transport}

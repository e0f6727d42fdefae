"""The plan import writes the same rows whatever its speed: the 30-row sample imported, then
imported again, against a snapshot of what the per-target import wrote (tables dumped in id
order), and a re-import that reads in a few batched statements, never one per target."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from domain.models import UnitKind
from domain.plan import actions as plan
from storage import units
from tests.letters import letter_fixed
from tests.plan_sheet import sample_rows, set_cell, workbook

SNAPSHOT = Path(__file__).with_name("plan_import_snapshot.json")
TABLES = (
    "plan_tasks",
    "plan_targets",
    "plan_milestones",
    "items",
    "item_units",
    "serials",
    "outbox",
)


async def dump(office, audit_after: int) -> dict:
    """Every row the import touches; audit rows from `audit_after` on (registration's own
    rows carry random invitation codes)."""
    found = {}
    async with office.db.read() as conn:
        for table in TABLES:
            rows = await conn.all(f"SELECT * FROM {table} ORDER BY rowid")
            found[table] = [list(r) for r in rows]
        rows = await conn.all("SELECT * FROM audit WHERE id > ? ORDER BY id", (audit_after,))
        found["audit"] = [list(r) for r in rows]
    return found


def summary(done: plan.Imported) -> dict:
    return {
        "counts": [
            done.tasks_new,
            done.tasks_updated,
            done.targets_new,
            done.targets_updated,
            done.unchanged,
        ],
        "opened": [[i.id, i.plan_code, i.serial, bool(i.letter_html)] for i in done.opened],
        "waiting_units": done.waiting_units,
        "late": done.late,
        "passed": done.passed,
    }


@pytest.fixture
async def ready(office, unit_ids, enrol):
    """The sample's four units (甲区 and 环境局 with nobody to receive), a supervisor and a
    liaison of 住建局; the audit id the import starts after."""
    async with office.db.transaction() as conn:
        await units.upsert(
            conn, [("市生态环境局", "环境局", UnitKind.DEPARTMENT.value, None)], office.now()
        )
    sup = await enrol.supervisor()
    await enrol.liaison(unit_ids.housing)
    async with office.db.read() as conn:
        start = await conn.scalar("SELECT max(id) FROM audit")
    return sup, start


async def imported_twice(office, sup, start) -> dict:
    sheet = workbook(sample_rows())
    first = await plan.load_sheet(office, sup, sheet, then=letter_fixed)
    after_first = await dump(office, start)
    again = await plan.load_sheet(office, sup, sheet, then=letter_fixed)
    return {
        "first": summary(first),
        "again": summary(again),
        "rows": after_first,
        "rows_again": await dump(office, start),
    }


async def test_import_and_reimport_write_the_rows_they_always_wrote(office, ready):
    found = json.loads(json.dumps(await imported_twice(office, *ready), ensure_ascii=False))
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert found["first"] == expected["first"]
    assert found["again"] == expected["again"]
    for table, rows in expected["rows"].items():
        assert found["rows"][table] == rows, table
    assert found["rows_again"] == found["rows"]  # nothing changes on a re-import
    assert len(found["rows"]["items"]) == 30


async def test_reimport_reads_in_batches_not_per_target(office, ready):
    sup, _ = ready
    sheet = workbook(sample_rows())
    await plan.load_sheet(office, sup, sheet, then=letter_fixed)
    statements: list[str] = []
    await office.db.raw.set_trace_callback(statements.append)
    try:
        again = await plan.load_sheet(office, sup, sheet, then=letter_fixed)
    finally:
        await office.db.raw.set_trace_callback(None)
    assert again.unchanged == 30
    # nine today (the units for the sheet, BEGIN, tasks, targets, milestones, items, keys,
    # liaisons, COMMIT); one per target would be thirty more
    assert len(statements) <= 12, statements


async def test_reimport_with_only_a_milestone_renamed_updates_that_target(office, ready):
    sup, _ = ready
    rows = sample_rows()
    await plan.load_sheet(office, sup, workbook(rows), then=letter_fixed)
    set_cell(rows, "T04-01", "节点", "2026-12-31 主体完工；2027-12-31 建成通车")
    again = await plan.load_sheet(office, sup, workbook(rows), then=letter_fixed)
    assert (again.targets_updated, again.unchanged) == (1, 29)
    async with office.db.read() as conn:
        told = await conn.all("SELECT context FROM outbox WHERE rule = 'plan_changed'")
        titles = await conn.all("SELECT title FROM plan_milestones WHERE title LIKE '主体%'")
    assert len(told) == 1 and "主体完工" in told[0]["context"]
    assert [r["title"] for r in titles] == ["主体完工"]

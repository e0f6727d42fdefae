"""The record: every change leaves an audit row with who and which unit, a refused action
leaves none, and the audit cannot be rewritten, from the bot or from outside it."""

from __future__ import annotations

import json
import sqlite3

import pytest

from domain import letters
from storage import audit
from tests.actions.conftest import approved_item, audit_actions, refused
from tests.letters import letter_fixed


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

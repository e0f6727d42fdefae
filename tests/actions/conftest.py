"""The staff of the office in tests/conftest.py, and the few steps most action tests begin with.

Helpers here are plain functions (import them from this module); `staff` is the one fixture.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from domain import letters
from domain.errors import Refusal
from domain.models import Draft, Item, Person
from domain.office import Office
from storage import audit, items
from tests.conftest import Enrol, Units
from tests.letters import letter_fixed


@dataclass(frozen=True)
class Staff:
    supervisor: Person  # 督查员甲
    leader: Person  # 王书记
    housing: Person  # 住建联络员, primary liaison of 住建局 (the default lead unit)
    transport: Person  # 交通联络员, primary liaison of 交通局 (the default co-unit)
    district: Person  # 区联络员, primary liaison of 甲区委 (on no item by default)


@pytest.fixture
async def staff(enrol: Enrol, unit_ids: Units) -> Staff:
    return Staff(
        supervisor=await enrol.supervisor(name="督查员甲"),
        leader=await enrol.leader(name="王书记"),
        housing=await enrol.liaison(unit_ids.housing, name="住建联络员"),
        transport=await enrol.liaison(unit_ids.transport, name="交通联络员"),
        district=await enrol.liaison(unit_ids.district, name="区联络员"),
    )


async def approved_item(
    office: Office, staff: Staff, make_draft: Callable[..., Draft], title: str = "事项", **draft
) -> Item:
    """An item opened by the supervisor and approved by the leader, its letter fixed."""
    opened = await letters.open_item(office, staff.supervisor, make_draft(title, **draft))
    return (await letters.approve(office, staff.leader, opened.item.id, then=letter_fixed)).item


async def refused(awaitable: Awaitable[Any]) -> Refusal:
    with pytest.raises(Refusal) as caught:
        await awaitable
    return caught.value


async def refused_with(key: str, awaitable: Awaitable[Any]) -> Refusal:
    """The refusal, checked to be the one named."""
    refusal = await refused(awaitable)
    assert refusal.key == key, refusal
    return refusal


async def audit_actions(office: Office, item_id: int) -> list[str]:
    async with office.db.read() as conn:
        return [r.action for r in await audit.timeline(conn, item_id)]


async def stored_item(office: Office, item_id: int) -> dict:
    async with office.db.read() as conn:
        return dict(await conn.one("SELECT * FROM items WHERE id = ?", (item_id,)))


@pytest.fixture
def sent_item(office: Office, staff: Staff, make_draft: Callable[..., Draft]):
    """A factory: an item led by 住建局 with 交通局, due 2026-12-15 unless told, opened by the
    supervisor, approved by the leader (unless approve=False) and signed by the lead unit
    (unless sign=False). It returns the item's id."""

    async def make(*, approve: bool = True, sign: bool = True, **draft: Any) -> int:
        draft = {"title": "老旧小区改造", "deadline": date(2026, 12, 15), **draft}
        item_id = (await letters.open_item(office, staff.supervisor, make_draft(**draft))).item.id
        if approve:
            await letters.approve(office, staff.leader, item_id, then=letter_fixed)
        if approve and sign:
            await letters.sign(office, staff.housing, item_id)
        return item_id

    return make


async def item(office: Office, item_id: int) -> Item:
    async with office.db.read() as conn:
        return await items.get(conn, item_id)


async def audit_rows(office: Office, action: str) -> list[dict]:
    """The audit rows of one action, oldest first, their detail read from JSON."""
    async with office.db.read() as conn:
        rows = await conn.all("SELECT * FROM audit WHERE action = ? ORDER BY id", (action,))
    return [{**dict(r), "detail": json.loads(r["detail"])} for r in rows]

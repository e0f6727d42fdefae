"""Read-only views: who is registered, which items are open, one item's record, my tasks."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable
from dataclasses import dataclass

from domain import lights as item_lights
from domain import traffic
from domain.errors import Refusal
from domain.items import IN_WORK, OPEN_STATUSES, PAUSED, Status
from domain.ledger import LedgerLine
from domain.models import Category, Event, Item, ItemUnit, LiaisonKind, Person, Role, Unit
from domain.office import Office, require
from domain.traffic import Light
from storage import audit, items, ledger_rows, people, plan, units

MANY_LIGHTS = 1000  # assignments whose lights are decided off the event loop
_REF_FULL = re.compile(r"(\d{4})\D+(\d{1,5})")
_REF_DRAFT = re.compile(r"^(?:草稿)?#(\d{1,9})$")


@dataclass(frozen=True)
class UnitStatus:
    unit: Unit
    primary: Person | None
    deputies: list[Person]

    @property
    def reachable(self) -> bool:
        return any(not p.unreachable for p in [self.primary, *self.deputies] if p)


@dataclass(frozen=True)
class Task:
    item: Item
    mine: ItemUnit
    waiting_for: str


def parse_ref(text: str, year: int) -> tuple[str, int, int]:
    """'督办〔2026〕12号', '2026-12', '12' (this year) or '#5' (a draft) → a lookup key."""
    raw = text.strip()
    if match := _REF_DRAFT.match(raw):
        return ("id", 0, int(match.group(1)))
    if match := _REF_FULL.search(raw):
        return ("serial", int(match.group(1)), int(match.group(2)))
    if raw.isdigit() and len(raw) <= 5:
        return ("serial", year, int(raw))
    raise Refusal("bad_ref", value=raw[:30])


async def get_item(office: Office, item_id: int | None) -> Item:
    """An item by its id (from a button or a form); a Refusal if there is none."""
    async with office.db.read() as conn:
        item = await items.get(conn, item_id) if item_id is not None else None
    if item is None:
        raise Refusal("item_unknown")
    return item


async def unit_list(office: Office, text: str = "") -> list[Unit]:
    """All units, or those whose name or short name contains `text` (exact match first)."""
    async with office.db.read() as conn:
        return await units.search(conn, text) if text else await units.all_units(conn)


async def unit_names(office: Office) -> dict[int, str]:
    return {u.id: u.name for u in await unit_list(office)}


async def unit_and_liaisons(office: Office, unit_id: int) -> tuple[Unit, list[Person]]:
    async with office.db.read() as conn:
        unit = await units.get(conn, unit_id)
        if unit is None:
            raise Refusal("unknown_unit")
        return unit, await people.liaisons(conn, unit_id)


async def find_item(office: Office, ref: str) -> Item:
    """By serial (督办〔2026〕3号, 3), draft number, or a 大事要事 target's 编号 (T01-02)."""
    code = (ref or "").strip().removeprefix("任务书")
    async with office.db.read() as conn:
        item_id = await plan.item_for_code(conn, code) if code else None
        if item_id is not None:
            return await items.known(conn, item_id)
    kind, year, number = parse_ref(ref, office.clock.today().year)
    async with office.db.read() as conn:
        if kind == "id":
            item = await items.get(conn, number)
        else:
            item = await items.by_serial(conn, year, number)
    if item is None:
        raise Refusal("item_unknown")
    return item


async def units_overview(office: Office, person: Person | None) -> list[UnitStatus]:
    require(person, Role.SUPERVISOR, Role.LEADER)
    async with office.db.read() as conn:
        all_units = await units.all_units(conn)
        liaisons = await people.all_liaisons(conn)
    by_unit: dict[int, list[Person]] = {}
    for p in liaisons:
        if p.unit_id is not None:  # every liaison has one
            by_unit.setdefault(p.unit_id, []).append(p)
    result = []
    for unit in all_units:
        mine = by_unit.get(unit.id, [])
        primary = next((p for p in mine if p.liaison_kind is LiaisonKind.PRIMARY), None)
        result.append(UnitStatus(unit, primary, [p for p in mine if p is not primary]))
    return result


async def lights(office: Office, item_ids: Iterable[int] | None = None) -> dict[int, Light | None]:
    """红黄绿 of these items (every sent item when None): see domain.traffic.light."""
    async with office.db.read() as conn:
        found, paced = await item_lights.facts(conn, item_ids)
    today, cal = office.clock.today(), office.calendar
    if len(found) < MANY_LIGHTS:
        return traffic.item_lights(found, today, cal, paced)
    # a ledger's worth (10,000 take most of a second): decided in a worker thread, with the
    # database free meanwhile, so nobody else's reply waits for it
    return await asyncio.to_thread(traffic.item_lights, found, today, cal, paced)


async def open_items(office: Office, person: Person | None, query: str = "") -> list[Item]:
    """Open items, filtered by words in `query`: 重点, a category, or a unit's name."""
    require(person, Role.SUPERVISOR, Role.LEADER)
    key_only, category, unit_id = False, None, None
    async with office.db.read() as conn:
        for word in query.split():
            if word in ("重点", "重点事项"):
                key_only = True
            elif word in {c.value for c in Category}:
                category = word
            else:
                found = await units.search(conn, word)
                if not found:
                    raise Refusal("unit_not_found", text=word[:30])
                unit_id = found[0].id
        return await items.search(
            conn, statuses=OPEN_STATUSES, unit_id=unit_id, key_only=key_only, category=category
        )


async def item_record(office: Office, person: Person | None, ref: str) -> tuple[Item, list[Event]]:
    """One item with its timeline; a liaison sees only items of their own unit."""
    viewer = require(person)
    return await _record(office, viewer, await find_item(office, ref))


async def item_record_by_id(
    office: Office, person: Person | None, item_id: int
) -> tuple[Item, list[Event]]:
    """The same, for an item picked from a list (the pick is checked like a typed 编号)."""
    viewer = require(person)
    return await _record(office, viewer, await get_item(office, item_id))


async def _record(office: Office, viewer: Person, item: Item) -> tuple[Item, list[Event]]:
    if viewer.role is Role.LIAISON and all(u.unit_id != viewer.unit_id for u in item.units):
        raise Refusal("not_your_item")
    async with office.db.read() as conn:
        return item, await audit.timeline(conn, item.id)


def waiting_for(item: Item, mine: ItemUnit) -> str:
    """What the unit owes on this item right now, in the office's words."""
    if not mine.signed_at:
        return Status.AWAITING_SIGN.label
    if not mine.responsible_name:
        return "待报送承办责任人"
    if item.status in PAUSED:
        return "已暂停"
    return "按期报送进展"


async def my_tasks(office: Office, person: Person | None) -> list[Task]:
    liaison = require(person, Role.LIAISON)
    async with office.db.read() as conn:
        found = await items.search(
            conn,
            statuses=IN_WORK,
            unit_id=liaison.unit_id,
        )
    tasks = []
    for item in found:
        mine = next(u for u in item.units if u.unit_id == liaison.unit_id)
        tasks.append(Task(item, mine, waiting_for(item, mine)))
    return tasks


async def awaiting_responsible(office: Office, person: Person | None) -> list[Task]:
    """The liaison's signed items that still lack a 承办责任人."""
    return [
        t
        for t in await my_tasks(office, person)
        if t.mine.signed_at and not t.mine.responsible_name
    ]


async def ledger(
    office: Office, person: Person | None = None, *, system: bool = False
) -> list[LedgerLine]:
    """The 台账 rows (one per item and unit); supervisors and leaders, or the CLI."""
    if not system:
        require(person, Role.SUPERVISOR, Role.LEADER)
    async with office.db.read() as conn:
        return await ledger_rows.rows(conn)

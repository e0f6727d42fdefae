"""The 台账 page's query: filters read from the URL (only allowed values), lights from the
domain, counts per light, one sort, 100 a page.

Light and days overdue are decided by the domain (domain.traffic.item_lights, the running
statuses of domain.items), never stored; so the SQL narrows and orders what it can, and the
light filter and those two sorts are applied to the matching ids in Python. Deciding every
light of 10,000 items takes about a second, so `Lights` keeps them until the day changes or a
write that can change a light moves the database's ledger stamp.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from domain import lights as domain_lights
from domain.items import Status
from domain.models import Category, Person, Role
from domain.office import Office
from domain.reminders import days_overdue
from domain.traffic import Light, item_lights
from storage import ledger_state
from storage import web as store
from storage.web import LedgerFilter, UnitName

PAGE_SIZE = 100
CHUNK = 1000  # items read per section of the database lock when deciding every light
MAX_SEARCH = 50
NO_LIGHT = "无"  # not judged: a draft, withdrawn, or its time not begun
LIGHTS = (Light.RED.value, Light.YELLOW.value, Light.GREEN.value, NO_LIGHT)
_LIGHT_NAMES: dict[Light | None, str] = {None: NO_LIGHT} | {light: light.value for light in Light}
COLUMNS = (
    ("serial", "编号"),
    ("title", "标题"),
    ("lead", "牵头单位"),
    ("deadline", "办理时限"),
    ("status", "状态"),
    ("light", "红黄绿"),
    ("report", "最新报送"),
    ("overdue", "逾期天数"),
)
_SERIAL = re.compile(r"(?:(\d{4})\D+)?(\d{1,5})\D*$")


class Notice(NamedTuple):
    """A filter value set aside, worded by templates/ledger.j2."""

    kind: str  # not_allowed | own_unit_only
    label: str = ""  # the filter's name
    value: str = ""  # what was asked


@dataclass
class Query:
    filter: LedgerFilter
    sort: str = "serial"  # a column of COLUMNS (light and overdue are sorted here, not in SQL)
    light: str | None = None
    page: int = 1
    kept: dict[str, str] = field(default_factory=dict)  # the accepted parameters, for links
    notices: list[Notice] = field(default_factory=list)


@dataclass(frozen=True)
class Line:
    id: int
    serial: str
    title: str
    lead_unit: str
    co_units: str
    deadline: str
    status: str
    light: str
    last_report: str
    overdue: int
    is_key: bool


@dataclass(frozen=True)
class Ledger:
    lines: list[Line]
    total: int
    counts: dict[str, int]
    page: int
    pages: int


def _text(raw: Mapping[str, str], name: str) -> str:
    return (raw.get(name) or "").strip()


class _Reader:
    """Reads one parameter at a time; a value not allowed is dropped with a notice."""

    def __init__(self, raw: Mapping[str, str]) -> None:
        self.raw = raw
        self.kept: dict[str, str] = {}
        self.notices: list[Notice] = []

    def pick(self, name: str, label: str, allowed) -> str | None:
        """The parameter if `allowed` holds it (a collection, or a test of the value)."""
        value = _text(self.raw, name)
        if not value:
            return None
        if not (allowed(value) if callable(allowed) else value in allowed):
            self.notices.append(Notice("not_allowed", label, value[:30]))
            return None
        self.kept[name] = value
        return value


def parse(raw: Mapping[str, str], viewer: Person, all_units: list[UnitName], leaders: list[str]):
    """The page's query from the URL; a liaison's is bound to their own unit's sent items."""
    r = _Reader(raw)
    unit = r.pick("unit", "单位", {str(u.id) for u in all_units})
    if viewer.role is Role.LIAISON:
        if unit is not None and int(unit) != viewer.unit_id:
            r.notices.append(Notice("own_unit_only"))
            r.kept.pop("unit")
        unit = str(viewer.unit_id)
    text = _text(raw, "q")[:MAX_SEARCH]
    if text:
        r.kept["q"] = text
    found = _SERIAL.search(text)
    serial = (int(found[1]) if found[1] else None, int(found[2])) if found else None
    sort = r.pick("sort", "排序", {c for c, _ in COLUMNS}) or "serial"
    descending = r.pick("dir", "排序方向", {"asc", "desc"}) == "desc"
    page = r.pick("page", "页码", lambda v: v.isdigit() and 0 < int(v) < 10_000)
    f = LedgerFilter(
        unit_id=int(unit) if unit else None,
        category=r.pick("category", "类别", {c.value for c in Category}),
        key_only=r.pick("key", "重点", {"1"}) == "1",
        status=r.pick("status", "状态", {s.value for s in Status}),
        leader=r.pick("leader", "分管领导", set(leaders)),
        text=text,
        serial=serial,
        sent_only=viewer.role is Role.LIAISON,
        sort=sort if sort in store.SORTS else "serial",
        descending=descending,
    )
    light = r.pick("light", "红黄绿", set(LIGHTS))
    return Query(f, sort, light, int(page or 1), r.kept, r.notices)


async def choices(office: Office) -> tuple[list[UnitName], list[str]]:
    """The units and 分管领导 a filter may name."""
    async with office.db.read() as conn:
        return await store.unit_names(conn), await store.leaders(conn)


class Lights:
    """Every sent item's light (domain.traffic, as every view decides it), kept while the day
    and the ledger stamp stay the same.

    Deciding anew reads a thousand items per section of the database lock and decides in a
    thread, as the tick does, so a bot reply waits for one section, not for all 10,000 items.
    A write between sections moves the stamp, so the next page decides again: never stale.
    """

    def __init__(self) -> None:
        self._key: tuple[date, int] | None = None
        self._lights: dict[int, Light | None] = {}
        self._lock = asyncio.Lock()  # two readers at once decide them once

    async def get(self, office: Office) -> dict[int, Light | None]:
        async with self._lock:
            today = office.clock.today()
            async with office.db.read() as conn:
                key = (today, await store.ledger_stamp(conn))
                if key == self._key:
                    return self._lights
                ids = await store.sent_item_ids(conn)
                paces = await domain_lights.paces(conn)
            found = []
            for start in range(0, len(ids), CHUNK):
                async with office.db.read() as conn:
                    found += await ledger_state.assignments(
                        conn, domain_lights.EVERY_STATUS, _no_label, ids[start : start + CHUNK]
                    )
            cal = office.calendar
            self._lights = await asyncio.to_thread(item_lights, found, today, cal, paces)
            self._key = key
            return self._lights


def _no_label(*_) -> str:
    return ""  # the lights do not need the items' names


async def _ordered(office: Office, q: Query) -> list[int]:
    """The matching ids in the asked order; only the overdue sort reads more than the ids."""
    async with office.db.read() as conn:
        if q.sort != "overdue":
            return await store.ledger_ids(conn, q.filter)
        keys = await store.ledger_keys(conn, q.filter)
    today = office.clock.today()
    keys.sort(
        key=lambda k: days_overdue(k.deadline, k.chase_from, k.status, today),
        reverse=q.filter.descending,
    )
    return [k.id for k in keys]


async def ledger(office: Office, q: Query, lights: Lights) -> Ledger:
    """One page of the 台账 for the query, with the counts per light of everything matching."""
    ids = await _ordered(office, q)
    lit = await lights.get(office)
    shown = {i: _LIGHT_NAMES[lit.get(i)] for i in ids}
    counts = Counter(shown.values())
    if q.light is not None:
        ids = [i for i in ids if shown[i] == q.light]
    if q.sort == "light":
        ids.sort(key=lambda i: LIGHTS.index(shown[i]), reverse=q.filter.descending)
    pages = max(1, -(-len(ids) // PAGE_SIZE))
    page = min(q.page, pages)
    chunk = ids[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    async with office.db.read() as conn:
        details = await store.ledger_page(conn, chunk)
    today = office.clock.today()
    lines = [_line(office, details[i], shown[i], today) for i in chunk]
    return Ledger(lines, len(ids), {k: counts.get(k, 0) for k in LIGHTS}, page, pages)


def _line(office: Office, row: store.LedgerRow, light: str, today: date) -> Line:
    chase_from = date.fromisoformat(row.chase_from) if row.chase_from else None
    overdue = days_overdue(date.fromisoformat(row.deadline), chase_from, row.status, today)
    return Line(
        id=row.id,
        serial=office.label(row.year, row.serial, row.id, row.plan_code),
        title=row.title,
        lead_unit=row.lead_unit or "",
        co_units=row.co_units or "",
        deadline=row.deadline,
        status=row.status.label,
        light=light,
        last_report=(row.last_report or "")[:10],
        overdue=overdue,
        is_key=row.is_key,
    )

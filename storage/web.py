"""The web ledger's tables and reads: login links, sessions, and the filtered, sorted ledger.

Secrets are stored only as hashes (the caller hashes). The ledger is read in two steps so a
page of 100 stays cheap on 10,000 items: the ids of every matching item in order (indexed
filters, one sort column), then the columns shown, for the page's ids only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.items import Status
from storage.db import Conn, Row, found, value

LINK_OK, LINK_SPENT, LINK_EXPIRED, LINK_UNKNOWN = "ok", "spent", "expired", "unknown"
_STATUS = {s.value: s for s in Status}  # a lookup: calling Status(code) costs µs, ×10,000
_LAST_REPORT = (
    "(SELECT max(r.submitted_at) FROM reports r WHERE r.item_id = i.id AND r.kind = 'progress')"
)
_LEAD = (
    "(SELECT u.name FROM item_units l JOIN units u ON u.id = l.unit_id"
    " WHERE l.item_id = i.id AND l.role = 'lead')"
)
# Sort keys by name, each a fixed SQL expression: a name from a URL never reaches the SQL.
SORTS = {
    "serial": ("i.serial IS NULL", "i.year", "i.serial", "i.plan_code"),  # drafts last
    "title": ("i.title",),
    "lead": (_LEAD,),
    "deadline": ("i.deadline",),
    "status": ("i.status",),
    "report": (_LAST_REPORT,),
}


@dataclass(frozen=True, slots=True)
class WebSession:
    person_id: int
    csrf: str


@dataclass(frozen=True, slots=True)
class LedgerKey:
    """What the 台账 sorts by beyond SQL: the days overdue."""

    id: int
    deadline: date
    chase_from: date | None
    status: Status


@dataclass(frozen=True, slots=True)
class UnitName:
    """A unit as the 台账's filter offers it."""

    id: int
    name: str


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """One line of a 台账 page."""

    id: int
    year: int | None
    serial: int | None
    plan_code: str | None
    title: str
    category: str
    is_key: bool
    deadline: str
    status: Status
    instructing_leader: str
    sent_at: str | None
    lead_unit: str | None
    last_report: str | None
    co_units: str | None
    chase_from: str | None


@dataclass(frozen=True, slots=True)
class FileRef:
    """A report's attachment, with the item and unit whose report it belongs to."""

    id: int
    report_id: int
    kind: str
    file_name: str | None
    size: int | None
    item_id: int | None = None
    unit_id: int | None = None
    local_path: str | None = None


@dataclass(frozen=True, slots=True)
class ReviewRecord:
    """One 审核 with its five checks (JSON) and who decided."""

    id: int
    report_id: int
    checks: str
    decision: str
    reason: str
    decided_at: str
    reviewer: str | None


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


@dataclass(frozen=True)
class LedgerFilter:
    """What the 台账 page asks for; every value already checked against what exists."""

    unit_id: int | None = None  # items this unit leads or co-handles
    category: str | None = None
    key_only: bool = False
    status: str | None = None
    leader: str | None = None
    text: str = ""  # words of a title or a 任务书 code
    serial: tuple[int | None, int] | None = None  # (year or None, number)
    sent_only: bool = False  # a liaison sees only what was sent to the units
    sort: str = "serial"
    descending: bool = False


async def add_link(conn: Conn, token_hash: str, person_id: int, now: int, expires: int) -> None:
    """Keep the new link; links a day past their expiry are dropped (they say nothing more)."""
    await conn.execute("DELETE FROM web_links WHERE expires_ts <= ?", (now - 86400,))
    await conn.execute(
        "INSERT INTO web_links (token_hash, person_id, created_ts, expires_ts) VALUES (?,?,?,?)",
        (token_hash, person_id, now, expires),
    )


async def spend_link(conn: Conn, token_hash: str, now: int) -> tuple[str, int | None]:
    """Spend the link once: (LINK_OK, person id), or why not with no person."""
    row = await conn.one("SELECT * FROM web_links WHERE token_hash = ?", (token_hash,))
    if row is None:
        return LINK_UNKNOWN, None
    if row["spent_ts"] is not None:
        return LINK_SPENT, None
    if row["expires_ts"] <= now:
        return LINK_EXPIRED, None
    changed = await conn.execute(
        "UPDATE web_links SET spent_ts = ? WHERE id = ? AND spent_ts IS NULL", (now, row["id"])
    )
    return (LINK_OK, row["person_id"]) if changed else (LINK_SPENT, None)


async def add_session(
    conn: Conn, id_hash: str, person_id: int, csrf: str, now: int, expires: int
) -> None:
    await conn.execute("DELETE FROM web_sessions WHERE expires_ts <= ?", (now,))
    await conn.execute(
        "INSERT INTO web_sessions (id_hash, person_id, csrf, created_ts, expires_ts)"
        " VALUES (?, ?, ?, ?, ?)",
        (id_hash, person_id, csrf, now, expires),
    )


async def session(conn: Conn, id_hash: str, now: int) -> WebSession | None:
    row = await conn.one(
        "SELECT person_id, csrf FROM web_sessions WHERE id_hash = ? AND expires_ts > ?",
        (id_hash, now),
    )
    return None if row is None else value(WebSession, row)


async def drop_session(conn: Conn, id_hash: str) -> None:
    await conn.execute("DELETE FROM web_sessions WHERE id_hash = ?", (id_hash,))


def _where(f: LedgerFilter) -> tuple[str, list[object]]:
    clauses = ["1 = 1"]
    params: list[object] = []
    if f.unit_id is not None:
        clauses.append("i.id IN (SELECT item_id FROM item_units WHERE unit_id = ?)")
        params.append(f.unit_id)
    for column, wanted in (("category", f.category), ("status", f.status)):
        if wanted is not None:
            clauses.append(f"i.{column} = ?")
            params.append(wanted)
    if f.leader is not None:
        clauses.append("i.instructing_leader = ?")
        params.append(f.leader)
    if f.key_only:
        clauses.append("i.is_key = 1")
    if f.sent_only:
        clauses.append("i.sent_at IS NOT NULL")
    if f.text or f.serial:
        found, more = _search(f)
        clauses.append(found)
        params += more
    return " AND ".join(clauses), params


def _search(f: LedgerFilter) -> tuple[str, list[object]]:
    like = "%" + f.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    parts = ["i.title LIKE ? ESCAPE '\\'", "i.plan_code LIKE ? ESCAPE '\\'"]
    params: list[object] = [like, like]
    if f.serial is not None:
        year, number = f.serial
        parts.append("(i.serial = ? AND (? IS NULL OR i.year = ?))")
        params += [number, year, year]
    return "(" + " OR ".join(parts) + ")", params


def _matching(columns: str, f: LedgerFilter) -> tuple[str, list[object]]:
    """The SELECT of every matching item in the asked order (ties by id: pages never overlap)."""
    where, params = _where(f)
    direction = "DESC" if f.descending else "ASC"
    order = ", ".join(f"{part} {direction}" for part in SORTS[f.sort])
    return f"SELECT {columns} FROM items i WHERE {where} ORDER BY {order}, i.id", params


async def ledger_ids(conn: Conn, f: LedgerFilter) -> list[int]:
    """Every matching item's id, in the asked order: all a page needs to count and filter by
    light (10,000 ids cost a few ms; 10,000 values with dates and statuses, ten times that)."""
    return [r[0] for r in await conn.all(*_matching("i.id", f))]


async def ledger_keys(conn: Conn, f: LedgerFilter) -> list[LedgerKey]:
    """Every matching item with what its days overdue are counted from (that sort only)."""
    rows = await conn.all(*_matching("i.id, i.deadline, i.chase_from, i.status", f))
    return [LedgerKey(r[0], date.fromisoformat(r[1]), _day(r[2]), _STATUS[r[3]]) for r in rows]


async def unit_names(conn: Conn) -> list[UnitName]:
    """Every unit, for the filter (2,000 full Unit values cost a page 20 ms)."""
    return [UnitName(r[0], r[1]) for r in await conn.all("SELECT id, name FROM units ORDER BY id")]


async def sent_item_ids(conn: Conn) -> list[int]:
    """Every item sent to the units (the ones with a light), in id order."""
    rows = await conn.all("SELECT id FROM items WHERE sent_at IS NOT NULL ORDER BY id")
    return [r[0] for r in rows]


async def ledger_page(conn: Conn, ids: list[int]) -> dict[int, LedgerRow]:
    """The columns the 台账 shows, for these items only (one page)."""
    if not ids:
        return {}
    rows = await conn.all(
        "SELECT i.id, i.year, i.serial, i.plan_code, i.title, i.category, i.is_key,"
        " i.deadline, i.status, i.instructing_leader, i.sent_at, i.chase_from,"
        f" {_LEAD} AS lead_unit, {_LAST_REPORT} AS last_report,"
        " (SELECT group_concat(u.name, '、') FROM item_units c JOIN units u ON u.id = c.unit_id"
        "  WHERE c.item_id = i.id AND c.role = 'co') AS co_units"
        f" FROM items i WHERE i.id IN ({','.join('?' * len(ids))})",
        ids,
    )
    return {r["id"]: _ledger_row(r) for r in rows}


def _ledger_row(row: Row) -> LedgerRow:
    return value(LedgerRow, row, is_key=bool(row["is_key"]), status=Status(row["status"]))


async def leaders(conn: Conn) -> list[str]:
    """Every 分管领导 named on an item (the values the filter allows)."""
    rows = await conn.all(
        "SELECT DISTINCT instructing_leader FROM items WHERE instructing_leader != ''"
        " ORDER BY instructing_leader"
    )
    return [r[0] for r in rows]


_FILE = (
    "SELECT a.id, a.report_id, a.kind, a.file_name, a.size, a.local_path, r.item_id, r.unit_id"
    " FROM attachments a JOIN reports r ON r.id = a.report_id"
)


async def attachment(conn: Conn, attachment_id: int) -> FileRef | None:
    """An attachment with the item and unit its report belongs to."""
    row = await conn.one(f"{_FILE} WHERE a.id = ?", (attachment_id,))
    return None if row is None else value(FileRef, row)


async def item_attachments(conn: Conn, item_id: int) -> list[FileRef]:
    rows = await conn.all(f"{_FILE} WHERE r.item_id = ? ORDER BY a.id", (item_id,))
    return [value(FileRef, r) for r in rows]


async def reviews(conn: Conn, item_id: int) -> list[ReviewRecord]:
    """Every 审核 of the item with the five checks (JSON) and who decided, oldest first."""
    rows = await conn.all(
        "SELECT v.*, p.name AS reviewer FROM reviews v LEFT JOIN people p"
        " ON p.id = v.reviewer_id WHERE v.item_id = ? ORDER BY v.id",
        (item_id,),
    )
    return [value(ReviewRecord, r) for r in rows]


async def ledger_stamp(conn: Conn) -> int:
    """Moves with every write that can change a light (triggers of migration 0013)."""
    return found(await conn.integer("SELECT n FROM ledger_stamp WHERE id = 1"), "ledger_stamp")

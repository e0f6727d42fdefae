"""The web ledger's tables and reads: login links, sessions, and the filtered, sorted ledger.

Secrets are stored only as hashes (the caller hashes). The ledger is read in two steps so a
page of 100 stays cheap on 10,000 items: the ids of every matching item in order (indexed
filters, one sort column), then the columns shown, for the page's ids only.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.db import Conn, Row

LINK_OK, LINK_SPENT, LINK_EXPIRED, LINK_UNKNOWN = "ok", "spent", "expired", "unknown"
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


async def session(conn: Conn, id_hash: str, now: int) -> Row | None:
    return await conn.one(
        "SELECT * FROM web_sessions WHERE id_hash = ? AND expires_ts > ?", (id_hash, now)
    )


async def drop_session(conn: Conn, id_hash: str) -> None:
    await conn.execute("DELETE FROM web_sessions WHERE id_hash = ?", (id_hash,))


def _where(f: LedgerFilter) -> tuple[str, list]:
    clauses, params = ["1 = 1"], []
    if f.unit_id is not None:
        clauses.append("i.id IN (SELECT item_id FROM item_units WHERE unit_id = ?)")
        params.append(f.unit_id)
    for column, value in (("category", f.category), ("status", f.status)):
        if value is not None:
            clauses.append(f"i.{column} = ?")
            params.append(value)
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


def _search(f: LedgerFilter) -> tuple[str, list]:
    like = "%" + f.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    parts = ["i.title LIKE ? ESCAPE '\\'", "i.plan_code LIKE ? ESCAPE '\\'"]
    params: list = [like, like]
    if f.serial is not None:
        year, number = f.serial
        parts.append("(i.serial = ? AND (? IS NULL OR i.year = ?))")
        params += [number, year, year]
    return "(" + " OR ".join(parts) + ")", params


async def ledger_ids(conn: Conn, f: LedgerFilter) -> list[Row]:
    """Every matching item (id, deadline, chase_from, status), in the asked order (ties by
    id, so pages never overlap)."""
    where, params = _where(f)
    direction = "DESC" if f.descending else "ASC"
    order = ", ".join(f"{part} {direction}" for part in SORTS[f.sort])
    return await conn.all(
        "SELECT i.id, i.deadline, i.chase_from, i.status FROM items i"
        f" WHERE {where} ORDER BY {order}, i.id",
        params,
    )


async def sent_item_ids(conn: Conn) -> list[int]:
    """Every item sent to the units (the ones with a light), in id order."""
    rows = await conn.all("SELECT id FROM items WHERE sent_at IS NOT NULL ORDER BY id")
    return [r[0] for r in rows]


async def ledger_page(conn: Conn, ids: list[int]) -> dict[int, Row]:
    """The columns the 台账 shows, for these items only (one page)."""
    if not ids:
        return {}
    rows = await conn.all(
        "SELECT i.id, i.year, i.serial, i.plan_code, i.title, i.category, i.is_key,"
        " i.deadline, i.status, i.instructing_leader, i.sent_at,"
        f" {_LEAD} AS lead_unit, {_LAST_REPORT} AS last_report,"
        " (SELECT group_concat(u.name, '、') FROM item_units c JOIN units u ON u.id = c.unit_id"
        "  WHERE c.item_id = i.id AND c.role = 'co') AS co_units"
        f" FROM items i WHERE i.id IN ({','.join('?' * len(ids))})",
        ids,
    )
    return {r["id"]: r for r in rows}


async def leaders(conn: Conn) -> list[str]:
    """Every 分管领导 named on an item (the values the filter allows)."""
    rows = await conn.all(
        "SELECT DISTINCT instructing_leader FROM items WHERE instructing_leader != ''"
        " ORDER BY instructing_leader"
    )
    return [r[0] for r in rows]


async def attachment(conn: Conn, attachment_id: int) -> Row | None:
    """An attachment with the item and unit its report belongs to."""
    return await conn.one(
        "SELECT a.*, r.item_id, r.unit_id FROM attachments a JOIN reports r"
        " ON r.id = a.report_id WHERE a.id = ?",
        (attachment_id,),
    )


async def item_attachments(conn: Conn, item_id: int) -> list[Row]:
    return await conn.all(
        "SELECT a.id, a.report_id, a.kind, a.file_name, a.size FROM attachments a"
        " JOIN reports r ON r.id = a.report_id WHERE r.item_id = ? ORDER BY a.id",
        (item_id,),
    )


async def reviews(conn: Conn, item_id: int) -> list[Row]:
    """Every 审核 of the item with the five checks (JSON) and who decided, oldest first."""
    return await conn.all(
        "SELECT v.*, p.name AS reviewer FROM reviews v LEFT JOIN people p"
        " ON p.id = v.reviewer_id WHERE v.item_id = ? ORDER BY v.id",
        (item_id,),
    )


async def ledger_stamp(conn: Conn) -> int:
    """Moves with every write that can change a light (triggers of migration 0013)."""
    return await conn.scalar("SELECT n FROM ledger_stamp WHERE id = 1")

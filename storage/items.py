"""Items, the units they are assigned to, and serial numbers."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import date

from domain.items import Status
from domain.models import Category, Draft, Item, ItemUnit, Period, Source
from storage import next_check
from storage.db import IN_LIST, Conn, Row, found, listed, value


async def insert(conn: Conn, draft: Draft, *, status: str, created_by: int, now: str) -> int:
    item_id = await conn.insert(
        "INSERT INTO items (title, instruction, instructing_leader, source, category, deadline,"
        " period, is_key, status, created_by, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            draft.title,
            draft.instruction,
            draft.instructing_leader,
            draft.source.value,
            draft.category.value,
            draft.deadline.isoformat(),
            draft.period.value,
            int(draft.is_key),
            status,
            created_by,
            now,
            now,
        ),
    )
    await _assign_units(conn, item_id, draft)
    return item_id


async def update_draft(conn: Conn, item_id: int, draft: Draft, now: str) -> None:
    await conn.execute(
        "UPDATE items SET title = ?, instruction = ?, instructing_leader = ?, source = ?,"
        " category = ?, deadline = ?, period = ?, is_key = ?, updated_at = ? WHERE id = ?",
        (
            draft.title,
            draft.instruction,
            draft.instructing_leader,
            draft.source.value,
            draft.category.value,
            draft.deadline.isoformat(),
            draft.period.value,
            int(draft.is_key),
            now,
            item_id,
        ),
    )
    await conn.execute("DELETE FROM item_units WHERE item_id = ?", (item_id,))
    await _assign_units(conn, item_id, draft)


async def _assign_units(conn: Conn, item_id: int, draft: Draft) -> None:
    rows = [(item_id, draft.lead_unit_id, "lead")]
    rows += [(item_id, u, "co") for u in draft.co_unit_ids if u != draft.lead_unit_id]
    await conn.executemany("INSERT INTO item_units (item_id, unit_id, role) VALUES (?, ?, ?)", rows)


async def set_status(conn: Conn, item_id: int, status: str, now: str, **columns: object) -> None:
    """Change the status (and named columns) in one statement."""
    allowed = {
        "letter_html",
        "return_reason",
        "approved_by",
        "approved_at",
        "sent_at",
        "closed_at",
        "suspended_from",
        "status_reason",
        "deadline",
    }
    if not set(columns) <= allowed:
        raise ValueError(f"unknown columns {set(columns) - allowed}")
    sets = "".join(f", {name} = ?" for name in columns)
    await conn.execute(
        f"UPDATE items SET status = ?, updated_at = ?{sets} WHERE id = ?",
        (status, now, *columns.values(), item_id),
    )
    await next_check.touch(conn, item_id)


async def count_return(conn: Conn, item_id: int) -> None:
    await conn.execute("UPDATE items SET returns = returns + 1 WHERE id = ?", (item_id,))


async def set_letter(conn: Conn, item_id: int, letter_html: str) -> None:
    await set_letters(conn, [(item_id, letter_html)])


async def set_letters(conn: Conn, letters: list[tuple[int, str]]) -> None:
    """Each item's fixed letter, (item id, html), in one statement (a plan's many)."""
    await conn.executemany(
        "UPDATE items SET letter_html = ? WHERE id = ?", [(html, i) for i, html in letters]
    )


async def assign_serial(conn: Conn, item_id: int, year: int) -> int:
    """Take the year's next serial; called inside the approving write transaction."""
    serial = await take_serials(conn, year, 1)
    await conn.execute(
        "UPDATE items SET year = ?, serial = ? WHERE id = ?", (year, serial, item_id)
    )
    return serial


async def take_serials(conn: Conn, year: int, count: int) -> int:
    """Take the year's next `count` serials in one statement; returns the first of them."""
    if not conn.writable:
        raise RuntimeError("write outside a transaction")
    last = await conn.integer(
        "INSERT INTO serials (year, last) VALUES (?, ?)"
        " ON CONFLICT(year) DO UPDATE SET last = last + excluded.last RETURNING last",
        (year, count),
    )
    return found(last, f"serials of {year}") - count + 1


async def get(conn: Conn, item_id: int) -> Item | None:
    found = await get_many(conn, [item_id])
    return found[0] if found else None


# Up to this many items by id are read at once on the loop's thread (`Conn.indexed`).
FEW = 20


async def get_many(conn: Conn, item_ids: list[int]) -> list[Item]:
    """The items, in the order asked (unknown ids left out): two statements for any number;
    a few at once, more in one trip to the database thread."""
    if not item_ids:
        return []

    def read(raw: sqlite3.Connection) -> tuple[list[Row], list[Row]]:
        ids = (listed(item_ids),)
        return _all(raw, f"SELECT * FROM items WHERE id {IN_LIST}", ids), _all(raw, UNITS, ids)

    rows, unit_rows = conn.indexed(read) if len(item_ids) <= FEW else await conn.run(read)
    units = _units(unit_rows)
    by_id = {r["id"]: r for r in rows}
    return [_item(by_id[i], units) for i in item_ids if i in by_id]


async def letters(conn: Conn, item_ids: list[int]) -> dict[int, str | None]:
    """Each item's fixed letter (None while it has none), by id, in one statement."""
    rows = await conn.all(
        f"SELECT id, letter_html FROM items WHERE id {IN_LIST}", (listed(item_ids),)
    )
    return {r["id"]: r["letter_html"] for r in rows}


async def known(conn: Conn, item_id: int) -> Item:
    """An item that must exist: just written in this transaction, or named by a foreign key."""
    return found(await get(conn, item_id), f"item {item_id}")


async def by_serial(conn: Conn, year: int, serial: int) -> Item | None:
    item_id = await conn.integer(
        "SELECT id FROM items WHERE year = ? AND serial = ?", (year, serial)
    )
    return None if item_id is None else await get(conn, item_id)


async def search(
    conn: Conn,
    *,
    statuses: Iterable[str],
    unit_id: int | None = None,
    key_only: bool = False,
    category: str | None = None,
    limit: int = 200,
) -> list[Item]:
    """Items in the given statuses, optionally filtered; key items first, then by deadline.
    One unit's items are found through its index, at once (`Conn.indexed`); the others in a
    trip to the database thread."""
    statuses = list(statuses)
    sql = f"SELECT * FROM items WHERE status IN ({','.join('?' * len(statuses))})"
    params: list[object] = list(statuses)
    if unit_id is not None:
        sql += " AND id IN (SELECT item_id FROM item_units WHERE unit_id = ?)"
        params.append(unit_id)
    if key_only:
        sql += " AND is_key = 1"
    if category:
        sql += " AND category = ?"
        params.append(category)
    sql += " ORDER BY is_key DESC, deadline, id LIMIT ?"
    params.append(limit)

    def read(raw: sqlite3.Connection) -> tuple[list[Row], list[Row]]:
        rows = _all(raw, sql, params)
        return rows, _all(raw, UNITS, (listed(r["id"] for r in rows),))

    rows, unit_rows = conn.indexed(read) if unit_id is not None else await conn.run(read)
    units = _units(unit_rows)
    return [_item(r, units) for r in rows]


async def sign(conn: Conn, item_id: int, unit_id: int, person_id: int, now: str) -> bool:
    """Record 签收 for a unit; False if it was already signed."""
    changed = await conn.execute(
        "UPDATE item_units SET signed_at = ?, signed_by = ?"
        " WHERE item_id = ? AND unit_id = ? AND signed_at IS NULL",
        (now, person_id, item_id, unit_id),
    )
    await next_check.touch(conn, item_id, unit_id)
    return changed == 1


async def set_responsible(
    conn: Conn, item_id: int, unit_id: int, name: str, title: str, phone: str, now: str
) -> None:
    await conn.execute(
        "UPDATE item_units SET responsible_name = ?, responsible_title = ?,"
        " responsible_phone = ?, responsible_at = ? WHERE item_id = ? AND unit_id = ?",
        (name, title, phone, now, item_id, unit_id),
    )
    await next_check.touch(conn, item_id, unit_id)


# Each item's units, lead first: read in the same trip as the items.
UNITS = (
    "SELECT iu.*, u.name AS unit_name, p.name AS signer FROM item_units iu"
    " JOIN units u ON u.id = iu.unit_id LEFT JOIN people p ON p.id = iu.signed_by"
    f" WHERE iu.item_id {IN_LIST} ORDER BY iu.role = 'lead' DESC, u.id"
)


def _all(raw: sqlite3.Connection, sql: str, params: Sequence[object]) -> list[Row]:
    return raw.execute(sql, tuple(params)).fetchall()


def _units(rows: list[Row]) -> dict[int, list[ItemUnit]]:
    found: dict[int, list[ItemUnit]] = {}
    for r in rows:
        found.setdefault(r["item_id"], []).append(
            ItemUnit(
                unit_id=r["unit_id"],
                unit_name=r["unit_name"],
                role=r["role"],
                signed_at=r["signed_at"],
                signed_by_name=r["signer"],
                responsible_name=r["responsible_name"],
                responsible_title=r["responsible_title"],
                responsible_phone=r["responsible_phone"],
            )
        )
    return found


def _item(row: Row, units: dict[int, list[ItemUnit]]) -> Item:
    chase_from = row["chase_from"]
    return value(
        Item,
        row,
        source=Source(row["source"]),
        category=Category(row["category"]),
        deadline=date.fromisoformat(row["deadline"]),
        period=Period(row["period"]),
        is_key=bool(row["is_key"]),
        status=Status(row["status"]),
        suspended_from=Status(row["suspended_from"]) if row["suspended_from"] else None,
        chase_from=date.fromisoformat(chase_from) if chase_from else None,
        units=tuple(units.get(row["id"], ())),
    )


async def set_key(conn: Conn, item_id: int, on: bool) -> None:
    """An ordinary item raised to 重点 or lowered (plan items follow their task or target)."""
    await conn.execute("UPDATE items SET is_key = ? WHERE id = ?", (int(on), item_id))
    await next_check.touch(conn, item_id)

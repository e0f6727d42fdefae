"""Units (部门 / 下级党委政府): the addressees of every item."""

from __future__ import annotations

from collections.abc import Iterable

from domain.models import Unit
from storage.db import Conn, Row, found, value


def _unit(row: Row) -> Unit:
    return value(Unit, row)


async def upsert(
    conn: Conn, rows: Iterable[tuple[str, str, str, str | None]], now: str
) -> tuple[int, int]:
    """Insert or update (name, short, kind, parent name) rows; returns (created, updated)."""
    created = updated = 0
    for name, short, kind, parent in rows:
        parent_id = None
        if parent:
            parent_id = await conn.integer("SELECT id FROM units WHERE name = ?", (parent,))
        existing = await conn.one("SELECT * FROM units WHERE name = ?", (name,))
        if existing is None:
            await conn.execute(
                "INSERT INTO units (name, short_name, kind, parent_id, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (name, short, kind, parent_id, now, now),
            )
            created += 1
        elif (existing["short_name"], existing["kind"], existing["parent_id"]) != (
            short,
            kind,
            parent_id,
        ):
            await conn.execute(
                "UPDATE units SET short_name = ?, kind = ?, parent_id = ?, updated_at = ?"
                " WHERE id = ?",
                (short, kind, parent_id, now, existing["id"]),
            )
            updated += 1
    return created, updated


async def names(conn: Conn) -> set[str]:
    return {r[0] for r in await conn.all("SELECT name FROM units")}


async def get(conn: Conn, unit_id: int) -> Unit | None:
    row = await conn.one("SELECT * FROM units WHERE id = ?", (unit_id,))
    return None if row is None else _unit(row)


async def known(conn: Conn, unit_id: int) -> Unit:
    """A unit that must exist: named by a foreign key (an item's, a liaison's)."""
    return found(await get(conn, unit_id), f"unit {unit_id}")


async def all_units(conn: Conn) -> list[Unit]:
    return [_unit(r) for r in await conn.all("SELECT * FROM units ORDER BY id")]


async def search(conn: Conn, text: str) -> list[Unit]:
    """Units whose name or short name contains the text; an exact match comes first."""
    like = f"%{text.replace('%', '').replace('_', '')}%"
    rows = await conn.all(
        "SELECT * FROM units WHERE name LIKE ? OR short_name LIKE ?"
        " ORDER BY (name = ? OR short_name = ?) DESC, id",
        (like, like, text, text),
    )
    return [_unit(r) for r in rows]

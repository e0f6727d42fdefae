"""Extension requests (延期): each request and its decision, kept as the deadline's history."""

from __future__ import annotations

from datetime import date

from domain.errors import Refusal
from domain.models import Extension, Item, Person
from storage import next_check
from storage.db import Conn, Row, found, value


async def insert_request(
    conn: Conn, item: Item, liaison: Person, *, new_deadline: date, reason: str, now: str
) -> int:
    return await conn.insert(
        "INSERT INTO extensions (item_id, unit_id, person_id, old_deadline, new_deadline,"
        " reason, requested_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            item.id,
            liaison.unit_id,
            liaison.id,
            item.deadline.isoformat(),
            new_deadline.isoformat(),
            reason,
            now,
        ),
    )


def _extension(row: Row | None) -> Extension | None:
    return None if row is None else value(Extension, row)


async def get(conn: Conn, extension_id: int) -> Extension | None:
    return _extension(await conn.one("SELECT * FROM extensions WHERE id = ?", (extension_id,)))


async def open_request(conn: Conn, item_id: int) -> Extension | None:
    row = await conn.one(
        "SELECT * FROM extensions WHERE item_id = ? AND decision IS NULL ORDER BY id DESC LIMIT 1",
        (item_id,),
    )
    return _extension(row)


async def decide(
    conn: Conn,
    extension_id: int,
    decision: str,
    supervisor: Person,
    now: str,
    *,
    refusal_reason: str | None,
) -> None:
    changed = await conn.execute(
        "UPDATE extensions SET decision = ?, decided_by = ?, decided_at = ?, refusal_reason = ?"
        " WHERE id = ? AND decision IS NULL",
        (decision, supervisor.id, now, refusal_reason, extension_id),
    )
    if changed != 1:  # cannot happen inside the write lock; if it does, undo everything
        raise Refusal("stale_button")
    item_id = await conn.integer("SELECT item_id FROM extensions WHERE id = ?", (extension_id,))
    await next_check.touch(conn, found(item_id, f"extension {extension_id}"))

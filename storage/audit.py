"""The append-only audit trail: every state change, who made it and when."""

from __future__ import annotations

import json
from typing import Any

from domain.models import Event
from storage.db import Conn, value


async def record(
    conn: Conn,
    *,
    at: str,
    person_id: int | None,
    action: str,
    item_id: int | None = None,
    unit_id: int | None = None,
    **detail: Any,
) -> None:
    await conn.execute(
        "INSERT INTO audit (at, person_id, action, item_id, unit_id, detail)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (at, person_id, action, item_id, unit_id, json.dumps(detail, ensure_ascii=False)),
    )


async def timeline(conn: Conn, item_id: int) -> list[Event]:
    """The item's history, oldest first, with names of who acted and on which unit."""
    rows = await conn.all(
        "SELECT a.at, a.action, a.detail, p.name AS who, u.name AS unit FROM audit a"
        " LEFT JOIN people p ON p.id = a.person_id LEFT JOIN units u ON u.id = a.unit_id"
        " WHERE a.item_id = ? ORDER BY a.id",
        (item_id,),
    )
    return [value(Event, r) for r in rows]

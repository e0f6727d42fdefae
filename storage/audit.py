"""The append-only audit trail: every state change, who made it and when."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from domain.models import Event
from storage.db import Conn, value

_INSERT = (
    "INSERT INTO audit (at, person_id, action, item_id, unit_id, detail) VALUES (?, ?, ?, ?, ?, ?)"
)


AuditRow = tuple[str, int | None, str, int | None, int | None, str]


def entry(
    *,
    at: str,
    person_id: int | None,
    action: str,
    item_id: int | None = None,
    unit_id: int | None = None,
    **detail: Any,
) -> AuditRow:
    """One audit row, to record now or with others (`record_many`)."""
    return (at, person_id, action, item_id, unit_id, json.dumps(detail, ensure_ascii=False))


async def record(conn: Conn, **row: Any) -> None:
    """Record one row: the keywords of `entry`."""
    await conn.execute(_INSERT, entry(**row))


async def record_many(conn: Conn, rows: Iterable[AuditRow]) -> None:
    """Record many `entry` rows in one statement, in order."""
    await conn.executemany(_INSERT, rows)


async def timeline(conn: Conn, item_id: int) -> list[Event]:
    """The item's history, oldest first, with names of who acted and on which unit."""
    rows = await conn.all(
        "SELECT a.at, a.action, a.detail, p.name AS who, u.name AS unit FROM audit a"
        " LEFT JOIN people p ON p.id = a.person_id LEFT JOIN units u ON u.id = a.unit_id"
        " WHERE a.item_id = ? ORDER BY a.id",
        (item_id,),
    )
    return [value(Event, r) for r in rows]

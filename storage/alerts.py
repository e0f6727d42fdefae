"""Alerts kept for the leader channel (报忧): what happened, on which item and unit, when."""

from __future__ import annotations

import json
from typing import Any

from domain.channel import Alert
from storage.db import Conn, value


async def add(
    conn: Conn,
    kind: str,
    *,
    now: str,
    item_id: int | None = None,
    unit_id: int | None = None,
    dedupe_key: str | None = None,
    **detail: Any,
) -> bool:
    """Keep an alert for the leader channel; with a dedupe_key, at most once. True if new."""
    changed = await conn.execute(
        "INSERT OR IGNORE INTO alerts (kind, item_id, unit_id, detail, created_at, dedupe_key)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (kind, item_id, unit_id, json.dumps(detail, ensure_ascii=False), now, dedupe_key),
    )
    return changed == 1


async def pending(conn: Conn) -> list[Alert]:
    """Alerts not yet posted, with the item and unit they are about."""
    rows = await conn.all(
        "SELECT a.*, i.title, i.year, i.serial, i.plan_code, i.deadline, i.is_key, i.closed_at,"
        " u.name AS unit_name FROM alerts a LEFT JOIN items i ON i.id = a.item_id"
        " LEFT JOIN units u ON u.id = a.unit_id WHERE a.posted_at IS NULL ORDER BY a.id"
    )
    return [value(Alert, r) for r in rows]


async def mark_posted(conn: Conn, ids: list[int], now: str) -> None:
    await conn.executemany("UPDATE alerts SET posted_at = ? WHERE id = ?", [(now, i) for i in ids])

"""Alerts kept for the leader channel (报忧): what happened, on which item and unit, when."""

from __future__ import annotations

import json
from typing import Any

from storage.db import Conn, Row


async def add(
    conn: Conn,
    kind: str,
    *,
    now: str,
    item_id: int | None = None,
    unit_id: int | None = None,
    **detail: Any,
) -> int:
    return await conn.execute(
        "INSERT INTO alerts (kind, item_id, unit_id, detail, created_at) VALUES (?, ?, ?, ?, ?)",
        (kind, item_id, unit_id, json.dumps(detail, ensure_ascii=False), now),
    )


async def pending(conn: Conn) -> list[Row]:
    return await conn.all("SELECT * FROM alerts WHERE posted_at IS NULL ORDER BY id")

"""The reads behind `duban status` that no other module needs: the queue's oldest pending
push and the schema version. Kept apart so the status touches no other module's SQL."""

from __future__ import annotations

from storage.db import Conn


async def oldest_pending(conn: Conn) -> int | None:
    """When the longest-waiting pending push was due (UTC epoch seconds), if any."""
    return await conn.integer("SELECT min(due_ts) FROM outbox WHERE state = 'pending'")


async def schema_version(conn: Conn) -> int:
    return await conn.integer("PRAGMA user_version") or 0

"""Small facts the bot learns and keeps (its username, warnings already given)."""

from __future__ import annotations

from storage.db import Conn


async def get(conn: Conn, key: str) -> str | None:
    return await conn.text("SELECT value FROM meta WHERE key = ?", (key,))


async def put(conn: Conn, key: str, value: str) -> None:
    await conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?)"
        " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )

"""The ids of updates the bot has finished, so a redelivered one is recognised.

Telegram forgets an update only when the bot confirms it by asking for a higher offset; a bot
killed before that gets the same update again on restart. Only the newest ids are kept: a
redelivery comes right after a crash, never thousands of updates later: a trigger (migration
0014) keeps the newest 10,000 to 11,000, so recording one is a single statement.
"""

from __future__ import annotations

from collections.abc import Sequence

from storage.db import Conn, Database, listed

RECORD = "INSERT OR IGNORE INTO seen_updates (update_id) SELECT value FROM json_each(?)"


async def seen(conn: Conn, update_id: int) -> bool:
    return conn.point("SELECT 1 FROM seen_updates WHERE update_id = ?", (update_id,)) is not None


async def newest(conn: Conn) -> int:
    """The highest update id recorded (0: none): a higher one cannot have been handled before."""
    return await conn.integer("SELECT coalesce(max(update_id), 0) FROM seen_updates") or 0


def recorded(update_ids: Sequence[int]) -> tuple[str, tuple[str]]:
    """The statement that remembers finished updates, for a batch of an update's writes."""
    return RECORD, (listed(update_ids),)


async def record_alone(db: Database, update_ids: Sequence[int]) -> None:
    """Remember finished updates that changed nothing else: one statement, its own commit."""
    await db.statement(*recorded(update_ids))

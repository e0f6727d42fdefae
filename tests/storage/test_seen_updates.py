"""Seen update ids: a redelivered update is recognised, and only the newest ids are kept."""

from __future__ import annotations

from pathlib import Path

from storage import seen_updates
from storage.db import Database


async def test_pruning_keeps_the_newest_arrivals_not_the_highest_ids(db_path: Path) -> None:
    async with Database(db_path) as db:
        # Telegram may restart update ids at random after a quiet week: 5 and 6 come last
        for update_id in (100, 101, 5, 6):
            async with db.transaction() as conn:
                await seen_updates.record(conn, update_id, keep=3)
        async with db.read() as conn:
            kept = [u for u in (100, 101, 5, 6) if await seen_updates.seen(conn, u)]
    assert kept == [101, 5, 6]


async def test_an_update_recorded_twice_is_one_row(db_path: Path) -> None:
    async with Database(db_path) as db:
        for _ in range(2):
            async with db.transaction() as conn:
                await seen_updates.record(conn, 7)
        async with db.read() as conn:
            assert await conn.scalar("SELECT count(*) FROM seen_updates") == 1
            assert not await seen_updates.seen(conn, 8)

"""Seen update ids: a redelivered update is recognised, and only the newest ids are kept."""

from __future__ import annotations

from pathlib import Path

from storage import seen_updates
from storage.db import Database


async def test_pruning_keeps_the_newest_arrivals_not_the_highest_ids(db_path: Path) -> None:
    # Telegram may restart update ids at random after a quiet week: the low ids come last
    arrivals = [1_000_000 + n for n in range(5_000)] + list(range(1, 7_001))
    async with Database(db_path) as db:
        async with db.transaction() as conn:
            await conn.execute(*seen_updates.recorded(arrivals))
        async with db.read() as conn:
            kept = await conn.scalar("SELECT count(*) FROM seen_updates")
            assert 10_000 <= kept <= 11_000
            assert await seen_updates.seen(conn, 7_000)  # the newest arrival
            assert await seen_updates.seen(conn, 1)  # the newest arrivals, though lowest ids
            assert not await seen_updates.seen(conn, 1_000_000)  # the oldest, though higher


async def test_a_finished_update_alone_is_recorded_in_one_statement(db_path: Path) -> None:
    async with Database(db_path) as db:
        await seen_updates.record_alone(db, [42])
        async with db.read() as conn:
            assert await seen_updates.seen(conn, 42)
            assert await seen_updates.newest(conn) == 42


async def test_an_update_recorded_twice_is_one_row(db_path: Path) -> None:
    async with Database(db_path) as db:
        await seen_updates.record_alone(db, [7])
        await db.batch([seen_updates.recorded([7])])  # again, with a form's writes
        async with db.read() as conn:
            assert await conn.scalar("SELECT count(*) FROM seen_updates") == 1
            assert not await seen_updates.seen(conn, 8)

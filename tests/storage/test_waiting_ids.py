"""Ids of updates that changed nothing wait in memory for a moment: they are written, or kept
for the next try, never dropped."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from storage import seen_updates
from storage.db import Database
from storage.persistence import SqlitePersistence


async def recorded(db: Database, update_id: int) -> bool:
    async with db.read() as conn:
        return await seen_updates.seen(conn, update_id)


async def test_flush_writes_the_waiting_ids_in_one_statement(db_path: Path) -> None:
    async with Database(db_path) as db:
        keeper = SqlitePersistence(db)
        keeper._pending = [11, 12]
        await keeper.flush()
        assert keeper._pending == []
        assert await recorded(db, 11) and await recorded(db, 12)
        await keeper.flush()  # nothing waiting: nothing to do


async def test_a_failed_write_keeps_the_ids_for_the_next(db_path: Path) -> None:
    db = await Database(db_path).open()
    keeper = SqlitePersistence(db)
    keeper._pending = [21]
    await db.close()
    with pytest.raises(RuntimeError):
        await keeper.flush()
    assert keeper._pending == [21]
    await db.open()
    try:
        await keeper.flush()
        assert await recorded(db, 21)
    finally:
        await db.close()


async def test_the_timer_says_when_its_write_failed(
    db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = await Database(db_path).open()
    keeper = SqlitePersistence(db)
    keeper._pending = [31]
    await db.close()
    with caplog.at_level(logging.WARNING, logger="storage.persistence"):
        keeper._write_pending()
        assert keeper._writing is not None
        with pytest.raises(RuntimeError):
            await keeper._writing
    assert "could not record finished updates" in caplog.text
    assert keeper._pending == [31]

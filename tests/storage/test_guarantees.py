"""Guarantees the office relies on, at the level of the database: an audit that cannot be
rewritten even from outside the bot, a failed transaction that changes nothing, and migrations
applied once. (Serials without gaps are in tests/actions/test_approval.py; a message for every
refusal in tests/bot/test_render.py.)"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import aiosqlite
import pytest

from storage.db import Database


async def test_audit_cannot_be_rewritten(enrol, db_path):
    await enrol.supervisor()
    raw = sqlite3.connect(db_path)
    for statement in ("UPDATE audit SET action = 'x'", "DELETE FROM audit"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw.execute(statement)
    assert raw.execute("SELECT count(*) FROM audit").fetchone()[0] >= 2


async def test_a_failed_action_changes_nothing(office, enrol):
    sup = await enrol.supervisor(name="人1")
    before = await office.db.raw.execute_fetchall("SELECT count(*) FROM items")
    with pytest.raises(RuntimeError):
        async with office.db.transaction() as conn:
            await conn.execute("UPDATE people SET name = '改' WHERE id = ?", (sup.id,))
            raise RuntimeError("boom")
    async with office.db.read() as conn:
        assert await conn.scalar("SELECT name FROM people WHERE id = ?", (sup.id,)) == "人1"
    assert before == await office.db.raw.execute_fetchall("SELECT count(*) FROM items")


async def test_migrations_apply_once_and_set_the_version(tmp_path):
    path = tmp_path / "m.db"
    for _ in range(2):
        async with Database(path) as db, db.read() as conn:
            version = await conn.scalar("PRAGMA user_version")
            mode = await conn.scalar("PRAGMA journal_mode")
            keys = await conn.scalar("PRAGMA foreign_keys")
    files = sorted(Path("storage/migrations").glob("*.sql"))
    assert version == int(files[-1].name[:4]) and mode == "wal" and keys == 1


async def test_a_batch_is_one_trip_and_all_or_nothing(db_path, monkeypatch):
    trips = 0
    real = aiosqlite.Connection._execute

    async def counted(conn, fn, *args, **kwargs):
        nonlocal trips
        trips += 1
        return await real(conn, fn, *args, **kwargs)

    async with Database(db_path) as db:
        monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
        insert = "INSERT INTO seen_updates (update_id) VALUES (?)"
        await db.batch([(insert, (1,)), (insert, (2,))])
        assert trips == 1
        with pytest.raises(sqlite3.IntegrityError):  # the second 3 breaks UNIQUE
            await db.batch([(insert, (3,)), (insert, (3,))])
        async with db.read() as conn:
            kept = await conn.all("SELECT update_id FROM seen_updates ORDER BY update_id")
        assert [r[0] for r in kept] == [1, 2], "the failed batch left nothing behind"
        await db.batch([(insert, (4,))])  # and the connection is not left in a transaction


async def test_a_point_read_is_answered_without_a_trip(db_path, monkeypatch):
    async def no_trip(*_args, **_kwargs):
        raise AssertionError("a point read went to the database thread")

    async with Database(db_path) as db:
        await db.batch([("INSERT INTO seen_updates (update_id) VALUES (?)", (7,))])
        monkeypatch.setattr(aiosqlite.Connection, "_execute", no_trip)
        async with db.read() as conn:
            found = conn.point("SELECT update_id FROM seen_updates WHERE update_id = ?", (7,))
            assert found is not None and found[0] == 7
            assert conn.point("SELECT 1 FROM seen_updates WHERE update_id = 8") is None
            with pytest.raises(LookupError):  # not a point: two rows
                conn.point("SELECT 1 FROM (SELECT 1 UNION ALL SELECT 2)")
        monkeypatch.undo()


async def test_the_ledger_stamp_follows_every_item_column_but_the_letter(db_path):
    """Migration 0015 lists the columns by name: a column added later must join the list,
    or a change to it would leave the web ledger's kept lights stale."""
    async with Database(db_path) as db, db.read() as conn:
        columns = {r["name"] for r in await conn.all("PRAGMA table_info(items)")}
        trigger = await conn.text(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'items_stamp_update'"
        )
    listed = trigger.split("UPDATE OF", 1)[1].split("ON items", 1)[0]
    assert {c.strip() for c in listed.split(",")} == columns - {"letter_html"}

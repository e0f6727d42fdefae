"""The database: migrations applied once and counted in user_version, WAL and foreign keys on,
and a write transaction that commits all of an action or none of it."""

from __future__ import annotations

import asyncio
import gc
import sqlite3
import threading
from pathlib import Path

import aiosqlite
import pytest

from storage import db as db_module
from storage import items
from storage.db import Database

LATEST = max(version for version, _, _ in db_module._migration_files())


async def pragma(db: Database, name: str):
    async with db.read() as conn:
        return await conn.scalar(f"PRAGMA {name}")


def test_the_migrations_are_numbered_without_gaps():
    versions = [version for version, _, _ in db_module._migration_files()]
    assert versions == list(range(1, len(versions) + 1))


async def test_a_new_database_is_migrated_to_the_latest_version(tmp_path: Path):
    async with Database(tmp_path / "new.db") as db:
        assert await pragma(db, "user_version") == LATEST
        async with db.read() as conn:
            tables = {r[0] for r in await conn.all("SELECT name FROM sqlite_master")}
    assert {"units", "people", "invites", "items", "item_units", "audit", "serials"} <= tables


async def test_reopening_does_not_apply_the_migrations_again(tmp_path: Path):
    path = tmp_path / "duban.db"
    async with Database(path) as db, db.transaction() as conn:
        await conn.execute(
            "INSERT INTO units (name, kind, created_at, updated_at) VALUES ('甲', '部门', '', '')"
        )
    for _ in range(2):
        async with Database(path) as db:
            assert await db_module.migrate(db) == LATEST  # nothing left to apply
            assert await pragma(db, "user_version") == LATEST
            async with db.read() as conn:
                assert await conn.scalar("SELECT count(*) FROM units") == 1


async def test_wal_mode_and_foreign_keys_are_on(tmp_path: Path):
    async with Database(tmp_path / "duban.db") as db:
        assert await pragma(db, "journal_mode") == "wal"
        assert await pragma(db, "foreign_keys") == 1
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
            async with db.transaction() as conn:
                await conn.execute(
                    "INSERT INTO item_units (item_id, unit_id, role) VALUES (999, 999, 'lead')"
                )


async def test_a_transaction_that_raises_rolls_back_everything(tmp_path: Path):
    async with Database(tmp_path / "duban.db") as db:
        with pytest.raises(RuntimeError, match="boom"):
            async with db.transaction() as conn:
                await conn.execute(
                    "INSERT INTO units (name, kind, created_at, updated_at)"
                    " VALUES ('甲', '部门', '', '')"
                )
                await conn.execute("INSERT INTO serials (year, last) VALUES (2026, 7)")
                await conn.execute("INSERT INTO meta (key, value) VALUES ('k', 'v')")
                raise RuntimeError("boom")
        async with db.read() as conn:
            for table in ("units", "serials", "meta"):
                assert await conn.scalar(f"SELECT count(*) FROM {table}") == 0, table
        assert not db.raw.in_transaction

        # and the connection is fine afterwards
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO meta (key, value) VALUES ('k', 'v')")
        async with db.read() as conn:
            assert await conn.scalar("SELECT value FROM meta WHERE key = 'k'") == "v"


async def test_a_failed_statement_rolls_back_the_earlier_ones(tmp_path: Path):
    async with Database(tmp_path / "duban.db") as db:
        with pytest.raises(sqlite3.IntegrityError):
            async with db.transaction() as conn:
                await conn.execute("INSERT INTO meta (key, value) VALUES ('a', '1')")
                await conn.execute("INSERT INTO meta (key, value) VALUES ('a', '2')")
        async with db.read() as conn:
            assert await conn.scalar("SELECT count(*) FROM meta") == 0


async def test_a_committed_transaction_is_seen_by_another_connection(tmp_path: Path):
    path = tmp_path / "duban.db"
    async with Database(path) as db, db.transaction() as conn:
        await conn.execute("INSERT INTO meta (key, value) VALUES ('k', 'v')")
    outside = sqlite3.connect(path)
    try:
        assert outside.execute("SELECT value FROM meta").fetchall() == [("v",)]
    finally:
        outside.close()


async def test_writing_inside_a_read_section_is_refused(tmp_path: Path):
    async with Database(tmp_path / "duban.db") as db, db.read() as conn:
        with pytest.raises(RuntimeError, match="outside a transaction"):
            await conn.execute("INSERT INTO meta (key, value) VALUES ('k', 'v')")
        with pytest.raises(RuntimeError, match="outside a transaction"):
            await conn.insert("INSERT INTO meta (key, value) VALUES ('k', 'v')")


async def test_transactions_from_concurrent_tasks_do_not_interleave(tmp_path: Path):
    async with Database(tmp_path / "duban.db") as db:
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO serials (year, last) VALUES (2026, 0)")

        async def bump():
            async with db.transaction() as conn:
                last = await conn.scalar("SELECT last FROM serials WHERE year = 2026")
                await asyncio.sleep(0)  # let every other task try to get in
                await conn.execute("UPDATE serials SET last = ? WHERE year = 2026", (last + 1,))

        await asyncio.gather(*(bump() for _ in range(25)))
        async with db.read() as conn:
            assert await conn.scalar("SELECT last FROM serials WHERE year = 2026") == 25


async def test_a_failing_migration_changes_nothing_and_keeps_the_version(
    tmp_path: Path, monkeypatch
):
    path = tmp_path / "duban.db"
    async with Database(path):
        pass
    shipped = db_module._migration_files()
    broken = (
        LATEST + 1,
        f"{LATEST + 1:04d}_broken.sql",
        "CREATE TABLE half_done (id INTEGER);\nINSERT INTO no_such_table VALUES (1);\n",
    )
    monkeypatch.setattr(db_module, "_migration_files", lambda: [*shipped, broken])
    failed = Database(path)
    with pytest.raises(sqlite3.OperationalError, match="no_such_table"):
        await failed.open()
    await failed.close()  # see test_a_database_that_fails_to_open_lets_the_process_exit

    monkeypatch.undo()
    async with Database(path) as db:
        assert await pragma(db, "user_version") == LATEST
        async with db.read() as conn:
            assert (
                await conn.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'half_done'")
                == 0
            )


async def _threads_still_alive(threads: list[threading.Thread], seconds: float) -> list:
    for _ in range(int(seconds / 0.02)):
        if not any(t.is_alive() for t in threads):
            return []
        await asyncio.sleep(0.02)
    return [t for t in threads if t.is_alive()]


async def _close_connections_of(threads: list[threading.Thread]) -> None:
    """Clean up after the bug below, so that the test run itself can still exit."""
    for obj in gc.get_objects():
        if isinstance(obj, aiosqlite.Connection) and obj._thread in threads:
            await obj.close()


async def test_a_database_that_fails_to_open_lets_the_process_exit(tmp_path: Path):
    path = tmp_path / "duban.db"
    path.write_bytes(b"this is not an SQLite database " * 200)  # a wrong DUBAN_DB, or damage
    before = set(threading.enumerate())
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        await Database(path).open()
    started = [t for t in threading.enumerate() if t not in before]
    try:
        assert await _threads_still_alive(started, 0.5) == []
    finally:
        await _close_connections_of(started)


@pytest.mark.parametrize("outer", ["read", "transaction"])
@pytest.mark.parametrize("inner", ["read", "transaction"])
async def test_a_section_inside_a_section_raises_instead_of_deadlocking(tmp_path, outer, inner):
    async with Database(tmp_path / "d.db") as db:
        async with getattr(db, outer)() as conn:
            with pytest.raises(RuntimeError, match="Pass the open connection"):
                async with getattr(db, inner)():
                    pass
            assert await conn.scalar("SELECT 1") == 1  # the outer section still works
        async with db.read() as conn:  # and the lock was given back
            assert await conn.scalar("SELECT 2") == 2


async def test_a_typed_read_of_a_column_of_another_type_says_so(tmp_path: Path):
    """`integer` and `text` check what SQLite gave: a query reading the wrong column fails
    where it runs, not when its value reaches a template."""
    async with Database(tmp_path / "duban.db") as db, db.read() as conn:
        assert await conn.integer("SELECT 7") == 7
        assert await conn.text("SELECT 'x'") == "x"
        assert await conn.integer("SELECT NULL") is None
        with pytest.raises(TypeError, match="gave str, not int"):
            await conn.integer("SELECT 'seven'")
        with pytest.raises(TypeError, match="gave int, not str"):
            await conn.text("SELECT 7")


async def test_a_row_that_must_exist_and_does_not_is_named(tmp_path: Path):
    async with Database(tmp_path / "duban.db") as db, db.read() as conn:
        with pytest.raises(LookupError, match="item 404 is missing"):
            await items.known(conn, 404)
    assert db_module.found(0, "zero") == 0  # only None is missing

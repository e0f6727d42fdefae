"""Copies of the database made with SQLite's online backup API, and the checks a restore needs.

Plain `sqlite3` on connections of their own, meant to run in a worker thread (asyncio.to_thread):
a backup reads one consistent snapshot while the bot keeps writing, which a file copy of a WAL
database cannot promise. The last backup is remembered in `meta`, so the schedule survives a
restart and `duban status` can show it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import aiosqlite

from storage import lease, meta
from storage.db import Conn, code_version
from storage.lease import Lease

LAST_AT, LAST_PATH, LAST_BYTES = "backup_last_at", "backup_last_path", "backup_last_bytes"
FAILED_AT = "backup_failed_at"


@dataclass(frozen=True, slots=True)
class Health:
    """What a restore must know about a database file before it replaces the office's one."""

    problems: tuple[str, ...]  # empty when PRAGMA integrity_check says ok
    version: int

    @property
    def too_new(self) -> bool:
        return self.version > code_version()


def copy_database(source: Path, target: Path, *, drop_lease: bool = False) -> None:
    """`source` into a new self-contained file `target` (rollback journal, no -wal beside it).

    `drop_lease` clears the running process's lease from the copy: a restored database belongs
    to no process until `duban run` takes it.
    """
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
            if drop_lease:
                with dst:
                    dst.execute("DELETE FROM lease")
        finally:
            dst.close()
    finally:
        src.close()


def health(path: Path) -> Health:
    """Integrity and schema version; raises sqlite3.DatabaseError when it is not a database."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = [r[0] for r in conn.execute("PRAGMA integrity_check(5)")]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()
    return Health(tuple(r for r in rows if r != "ok"), version)


async def record(conn: Conn, at: str, path: Path, size: int) -> None:
    await meta.put(conn, LAST_AT, at)
    await meta.put(conn, LAST_PATH, str(path))
    await meta.put(conn, LAST_BYTES, str(size))


async def record_failure(conn: Conn, at: str) -> None:
    await meta.put(conn, FAILED_AT, at)


async def last_attempt(conn: Conn) -> datetime | None:
    """The later of the last backup and the last failed one."""
    found = [await meta.get(conn, LAST_AT), await meta.get(conn, FAILED_AT)]
    return max((datetime.fromisoformat(t) for t in found if t), default=None)


async def holder(path: Path) -> Lease | None:
    """The lease recorded in the database at `path`, read without migrating or writing it.

    A file that is damaged or not ours has no readable lease, and no bot can be running on it.
    """
    if not path.is_file():
        return None
    try:
        async with aiosqlite.connect(f"file:{path}?mode=ro", uri=True) as raw:
            return await lease.current(Conn(raw, writable=False))
    except sqlite3.DatabaseError:
        return None

"""The database connection: pragmas, migrations, and the one way to read or write.

All access goes through a single aiosqlite connection guarded by an asyncio lock, the way
datasette keeps one write connection: a write transaction (`BEGIN IMMEDIATE`) either commits
everything an action decided or nothing, and no other task can observe it half-done.

Each call that waits for aiosqlite's thread is a trip, and a trip costs more CPU than a small
query (about 0.2 ms against 15 µs here). So statements that belong together go in one trip
(`Conn.run`, `Database.batch`, `Database.statement`), and reads an index bounds to a few rows
(who sent an update, an item by id, one unit's items) run on the loop's own thread
(`Conn.indexed`, `Conn.point`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import fields
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import aiosqlite

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

log = logging.getLogger(__name__)

Row = aiosqlite.Row  # stays in storage/: callers get values built by `value()`
SqlValue = int | float | str | bytes | None  # what SQLite hands back for one column
T = TypeVar("T")
V = TypeVar("V", bound="DataclassInstance")


def value(cls: type[V], row: Row, **given: object) -> V:
    """The frozen value `cls` from a row: each field from the column of the same name; a field
    whose column the query did not select keeps its default, and `given` ones are as passed
    (columns that need converting, such as a status into its enum)."""
    taken = _taken(cls, tuple(row.keys()), tuple(given))
    return cls(**{name: row[name] for name in taken}, **given)


@cache
def _taken(cls: type, columns: tuple[str, ...], given: tuple[str, ...]) -> tuple[str, ...]:
    """The columns a value takes from a row of this shape: worked out once per query shape,
    not per row (a plan's import builds thousands of items)."""
    return tuple(f.name for f in fields(cls) if f.name in columns and f.name not in given)


# A list bound as one parameter, however long: `WHERE code IN_LIST` with `listed(codes)`.
IN_LIST = "IN (SELECT value FROM json_each(?))"


def listed(values: Iterable[object]) -> str:
    return json.dumps(list(values), ensure_ascii=False)


async def in_thread(raw: aiosqlite.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
    """`work(connection)` in aiosqlite's thread, queued as its own methods queue theirs:
    aiosqlite has no public call for several statements in one trip (its `_execute` and
    `_conn`, the same in 0.20 to 0.22; pyproject pins that range)."""
    queue: Callable[..., Awaitable[T]] = raw._execute  # untyped in aiosqlite
    return await queue(work, raw._conn)


def found(value: T | None, what: str) -> T:
    """A value the caller knows is there (its row was just written, or a foreign key names it):
    None would be a bug, said here rather than as an AttributeError further on."""
    if value is None:
        raise LookupError(f"{what} is missing")
    return value


class Conn:
    """What storage functions receive: a connection inside a read or a write section."""

    def __init__(self, raw: aiosqlite.Connection, writable: bool) -> None:
        self.raw = raw
        self.writable = writable

    async def run(self, reads: Callable[[sqlite3.Connection], T]) -> T:
        """Statements that belong together (an item and its units) read in one trip: `reads`
        runs in the database thread with the plain connection. Each trip wakes the thread and
        the event loop again, and costs more CPU than a small query itself."""
        return await in_thread(self.raw, reads)

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run a statement; returns how many rows it changed (0 for an ignored insert)."""
        if not self.writable:
            raise RuntimeError("write outside a transaction")
        # one hop to the database thread: a finished statement's cursor needs no close
        return (await self.raw.execute(sql, tuple(params))).rowcount

    async def insert(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run an INSERT; returns the new row's id."""
        if not self.writable:
            raise RuntimeError("write outside a transaction")
        async with self.raw.execute(sql, tuple(params)) as cur:
            if cur.lastrowid is None:  # sqlite3 sets it after every INSERT
                raise RuntimeError(f"no row id after {sql!r}")
            return cur.lastrowid

    async def executemany(self, sql: str, rows: Iterable[Iterable[Any]]) -> int:
        """Run a statement for each row in one call; returns how many rows changed."""
        if not self.writable:
            raise RuntimeError("write outside a transaction")
        before = self.raw.total_changes
        await self.raw.executemany(sql, [tuple(r) for r in rows])
        return self.raw.total_changes - before

    def indexed(self, reads: Callable[[sqlite3.Connection], T]) -> T:
        """Reads that an index bounds to a few rows (who sent an update, an item by its id, one
        unit's items), run at once on the event loop's own thread: a trip to the database
        thread costs about 0.2 ms of CPU, ten times such a query, and most updates ask one.
        Only for those reads: anything that scans or sorts many rows belongs in `run` or
        `all`, off the loop. Safe here: inside a section the database thread is idle (every
        trip was awaited), and in WAL mode a read never waits for a writer."""
        return reads(self.raw._conn)

    def point(self, sql: str, params: Iterable[Any] = ()) -> Row | None:
        """The row a unique index finds (or the first of an index's rows `LIMIT 1`), read at
        once on the loop's thread (`indexed`)."""
        rows = self.indexed(lambda raw: raw.execute(sql, tuple(params)).fetchmany(2))
        if len(rows) > 1:
            raise LookupError(f"{sql!r} found more than one row")
        return rows[0] if rows else None

    async def one(self, sql: str, params: Iterable[Any] = ()) -> Row | None:
        found = await self.all(sql, params)
        return found[0] if found else None

    async def all(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        """One hop to the database thread (execute, fetch and close would be three)."""
        return list(await self.raw.execute_fetchall(sql, tuple(params)))

    async def scalar(self, sql: str, params: Iterable[Any] = ()) -> SqlValue:
        """The first column of the first row; None when there is no row."""
        row = await self.one(sql, params)
        return None if row is None else row[0]

    async def integer(self, sql: str, params: Iterable[Any] = ()) -> int | None:
        """`scalar` of an integer column (an id, a count, a version)."""
        return await self._typed(int, sql, params)

    async def text(self, sql: str, params: Iterable[Any] = ()) -> str | None:
        """`scalar` of a text column."""
        return await self._typed(str, sql, params)

    async def _typed(self, kind: type[T], sql: str, params: Iterable[Any]) -> T | None:
        """A column of another type than the caller expects is a mistake in the query: said at
        once, not when the value reaches a template."""
        got = await self.scalar(sql, params)
        if got is None or isinstance(got, kind):
            return got
        raise TypeError(f"{sql!r} gave {type(got).__name__}, not {kind.__name__}")


class Database:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._raw: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()
        self._holder: asyncio.Task[Any] | None = None  # the task inside a section, if any

    async def open(self) -> Database:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # a file that cannot be opened fails here, plainly: aiosqlite's thread would outlive
        # the event loop after a failed connect and print its own traceback at exit
        sqlite3.connect(self.path).close()
        # check_same_thread off: Conn.point reads on the loop's thread, inside a section
        raw = await aiosqlite.connect(self.path, isolation_level=None, check_same_thread=False)
        raw.row_factory = aiosqlite.Row
        self._raw = raw
        try:
            for pragma in (
                "PRAGMA journal_mode=WAL",
                "PRAGMA foreign_keys=ON",
                "PRAGMA synchronous=NORMAL",
                "PRAGMA busy_timeout=5000",
            ):
                await raw.execute(pragma)
            await migrate(self)
        except BaseException:  # a damaged file: close the connection's thread, or we hang
            await self.close()
            raise
        return self

    async def close(self) -> None:
        if self._raw is not None:
            await self._raw.close()
            self._raw = None

    async def __aenter__(self) -> Database:
        return await self.open()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def raw(self) -> aiosqlite.Connection:
        if self._raw is None:
            raise RuntimeError("database is not open")
        return self._raw

    async def batch(self, statements: Sequence[tuple[str, tuple[Any, ...]]]) -> None:
        """Writes known in advance (what an update changed, and its id) as one transaction,
        in one trip to the database thread: BEGIN, each statement and COMMIT there."""

        def write(raw: sqlite3.Connection) -> None:
            raw.execute("BEGIN IMMEDIATE")
            try:
                for sql, params in statements:
                    raw.execute(sql, params)
            except BaseException:
                raw.execute("ROLLBACK")
                raise
            raw.execute("COMMIT")

        async with self._section("batch()"):
            await in_thread(self.raw, write)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Conn]:
        """A write transaction: commits on success, rolls back on any exception."""
        async with self._section("transaction()"):
            await self.raw.execute("BEGIN IMMEDIATE")
            try:
                yield Conn(self.raw, writable=True)
            except BaseException:
                await self.raw.execute("ROLLBACK")
                raise
            await self.raw.execute("COMMIT")

    async def statement(self, sql: str, params: Iterable[Any] = ()) -> int:
        """One write that is its own transaction, in one hop to the database thread (outside
        BEGIN, SQLite commits a single statement by itself); returns the rows it changed. For
        a frequent write that reads nothing first, such as a finished update's id."""
        async with self._section("statement()"):
            return (await self.raw.execute(sql, tuple(params))).rowcount

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Conn]:
        """A consistent read section (never sees another task's uncommitted writes)."""
        async with self._section("read()"):
            yield Conn(self.raw, writable=False)

    @asynccontextmanager
    async def _section(self, kind: str) -> AsyncIterator[None]:
        """One section at a time. The lock is not re-entrant: a task opening a second section
        inside its own would wait for itself for ever, so it is refused at once instead."""
        task = asyncio.current_task()
        if task is not None and task is self._holder:
            raise RuntimeError(
                f"Database.{kind} opened inside another read() or transaction() of the same "
                "task: it would deadlock. Pass the open connection (conn) on instead."
            )
        async with self._lock:
            self._holder = task
            try:
                yield
            finally:
                self._holder = None


def _migration_files() -> list[tuple[int, str, str]]:
    folder = resources.files("storage") / "migrations"
    found = []
    for entry in folder.iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:4].isdigit():
            found.append((int(name[:4]), name, entry.read_text(encoding="utf-8")))
    return sorted(found)


def code_version() -> int:
    """The schema version this code migrates to: a database newer than this is not ours to use."""
    return max(version for version, _, _ in _migration_files())


async def migrate(db: Database) -> int:
    """Apply each pending migration in its own transaction with its user_version bump."""
    raw = db.raw
    async with raw.execute("PRAGMA user_version") as cur:
        row = await cur.fetchone()
    current = row[0] if row else 0
    for version, name, sql in _migration_files():
        if version <= current:
            continue
        log.info("applying migration %s", name)
        statements = sql + f"\nPRAGMA user_version = {version};"
        try:
            await raw.executescript(f"BEGIN IMMEDIATE;\n{statements}\nCOMMIT;")
        except Exception:
            if raw.in_transaction:
                await raw.execute("ROLLBACK")
            raise
        current = version
    return current

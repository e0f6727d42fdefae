"""Holds the database lease while `duban run` sends: take it or refuse, renew it, give it back.

Two processes on one database would each send every queued push. The keeper takes the lease
before anything is sent, renews it every quarter of the timeout, and if it finds the lease
taken by another process (this one was frozen longer than the timeout) it asks the bot to stop
at once, since the other process is sending now.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from datetime import datetime
from pathlib import Path
from types import TracebackType
from zoneinfo import ZoneInfo

import aiosqlite

from bot.clock import Clock
from storage import lease
from storage.db import Database
from storage.lease import Lease, Verdict

log = logging.getLogger(__name__)


class LeaseHeld(Exception):
    """Another live process holds the lease; `lease` says who."""

    def __init__(self, held: Lease) -> None:
        super().__init__(held.holder)
        self.lease = held


def describe(held: Lease, zone: ZoneInfo) -> str:
    """Who holds it and since when, for the one line a refused command prints."""
    since = datetime.fromtimestamp(held.started_at, zone).strftime("%Y-%m-%d %H:%M:%S")
    return f"进程 {held.pid}，主机 {held.host}，自 {since} 起"


class LeaseKeeper:
    """`await take()`, then `async with keeper:` renews while the bot runs and releases after.

    `stopped` is the event the run waits on: setting it when the lease is lost stops the bot.
    """

    def __init__(self, db: Database, clock: Clock, seconds: int, stopped: asyncio.Event) -> None:
        self.db, self.clock, self.seconds, self.stopped = db, clock, seconds, stopped
        now = self._now()
        self.me = Lease(secrets.token_hex(16), os.getpid(), socket.gethostname(), now, now)
        self.lost = False
        self._task: asyncio.Task | None = None

    def _now(self) -> int:
        return int(self.clock.now().timestamp())

    async def take(self) -> None:
        """Take the lease in one write transaction, or raise LeaseHeld naming the holder."""
        async with self.db.transaction() as conn:
            taking = await lease.take(conn, self.me, self.seconds)
        if taking.previous is not None and not taking.taken:  # only a holder refuses
            raise LeaseHeld(taking.previous)
        if taking.verdict is Verdict.STALE and taking.previous is not None:
            old = taking.previous
            log.warning(
                "took over a stale lease from pid %s on %s (silent for %s s)",
                old.pid,
                old.host,
                self.me.heartbeat - old.heartbeat,
            )

    async def __aenter__(self) -> LeaseKeeper:
        self._task = asyncio.create_task(self._beat(), name="duban-lease")
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if not self.lost:
            async with self.db.transaction() as conn:
                await lease.release(conn, self.me.holder)

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(self.seconds / 4)
            try:
                async with self.db.transaction() as conn:
                    held = await lease.renew(conn, self.me.holder, self._now())
            except aiosqlite.Error as exc:  # busy for a moment: the next beat tries again
                log.warning("lease renewal failed, will retry: %s", exc)
                continue
            if not held:
                log.error("the lease was taken over by another process; stopping")
                self.lost = True
                self.stopped.set()
                return


async def live_holder(path: Path, clock: Clock, seconds: int) -> Lease | None:
    """Who holds the lease on the database at `path` now, if anyone (an absent file: nobody)."""
    if not path.is_file():
        return None
    async with Database(path) as db, db.read() as conn:
        held = await lease.current(conn)
    now = int(clock.now().timestamp())
    return held if lease.judge(held, now, seconds) is Verdict.HELD else None

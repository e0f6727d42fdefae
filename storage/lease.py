"""The lease `duban run` holds on its database, so that one process sends and no push goes out
twice. Pure SQL on a Conn; the caller opens the `BEGIN IMMEDIATE` transaction, so taking the
lease (read, judge, write) cannot interleave with another process doing the same.

`judge()` is the whole decision, kept here beside the row it reads rather than in `domain/`:
it is a rule about processes sharing a file, not about the office's work, and nothing outside
storage and the shell that runs the bot needs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from storage.db import Conn


@dataclass(frozen=True, slots=True)
class Lease:
    holder: str  # a random token per process
    pid: int
    host: str
    started_at: int  # UTC epoch seconds
    heartbeat: int  # UTC epoch seconds


class Verdict(StrEnum):
    FREE = "free"
    STALE = "stale"  # the holder stopped renewing: dead or frozen, may be taken over
    HELD = "held"


@dataclass(frozen=True, slots=True)
class Taking:
    """What `take()` found: the verdict, and the lease that was there (if any)."""

    verdict: Verdict
    previous: Lease | None

    @property
    def taken(self) -> bool:
        return self.verdict is not Verdict.HELD


def judge(lease: Lease | None, now: int, timeout: int) -> Verdict:
    """Free when nobody holds it; stale when the heartbeat is older than `timeout` seconds."""
    if lease is None:
        return Verdict.FREE
    if now - lease.heartbeat > timeout:
        return Verdict.STALE
    return Verdict.HELD


async def current(conn: Conn) -> Lease | None:
    row = await conn.one("SELECT holder, pid, host, started_at, heartbeat FROM lease")
    return None if row is None else Lease(*row)


async def take(conn: Conn, me: Lease, timeout: int) -> Taking:
    """Take the lease for `me` if it is free or stale; call inside one write transaction."""
    previous = await current(conn)
    verdict = judge(previous, me.heartbeat, timeout)
    if verdict is not Verdict.HELD:
        await conn.execute(
            "INSERT OR REPLACE INTO lease (id, holder, pid, host, started_at, heartbeat)"
            " VALUES (1, ?, ?, ?, ?, ?)",
            (me.holder, me.pid, me.host, me.started_at, me.heartbeat),
        )
    return Taking(verdict, previous)


async def renew(conn: Conn, holder: str, now: int) -> bool:
    """Move the heartbeat; False when `holder` no longer holds the lease (it was taken over)."""
    return await conn.execute("UPDATE lease SET heartbeat = ? WHERE holder = ?", (now, holder)) == 1


async def release(conn: Conn, holder: str) -> bool:
    """Give the lease up at a clean stop; never removes someone else's."""
    return await conn.execute("DELETE FROM lease WHERE holder = ?", (holder,)) == 1

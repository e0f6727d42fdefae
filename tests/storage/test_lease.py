"""The run lease, with explicit epoch seconds: who may take it, renew it and give it back."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage import lease
from storage.db import Database
from storage.lease import Lease, Verdict

T0 = 1_795_000_000  # an arbitrary UTC epoch second
TIMEOUT = 60


def proc(holder: str, at: int, pid: int = 100) -> Lease:
    return Lease(holder, pid, "host-a", at, at)


@pytest.fixture
async def db(tmp_path: Path):
    async with Database(tmp_path / "duban.db") as database:
        yield database


async def take(db: Database, me: Lease) -> lease.Taking:
    async with db.transaction() as conn:
        return await lease.take(conn, me, TIMEOUT)


async def held(db: Database) -> Lease | None:
    async with db.read() as conn:
        return await lease.current(conn)


def test_judge_free_held_and_stale_at_the_boundary():
    a = proc("a", T0)
    assert lease.judge(None, T0, TIMEOUT) is Verdict.FREE
    assert lease.judge(a, T0 + TIMEOUT, TIMEOUT) is Verdict.HELD
    assert lease.judge(a, T0 + TIMEOUT + 1, TIMEOUT) is Verdict.STALE


async def test_a_free_lease_is_taken_and_a_live_one_refused(db):
    first = await take(db, proc("a", T0, pid=1))
    assert (first.verdict, first.previous, first.taken) == (Verdict.FREE, None, True)
    second = await take(db, proc("b", T0 + 30, pid=2))
    assert (second.verdict, second.taken) == (Verdict.HELD, False)
    assert second.previous == proc("a", T0, pid=1)  # who holds it, for the refusal
    assert await held(db) == proc("a", T0, pid=1)


async def test_renewal_keeps_it_held_past_the_first_timeout(db):
    await take(db, proc("a", T0))
    async with db.transaction() as conn:
        assert await lease.renew(conn, "a", T0 + 50)
    assert (await take(db, proc("b", T0 + 100))).verdict is Verdict.HELD
    current = await held(db)
    assert (current.started_at, current.heartbeat) == (T0, T0 + 50)


async def test_a_stale_lease_is_taken_over_and_the_old_holder_learns_it(db):
    await take(db, proc("a", T0, pid=1))
    takeover = await take(db, proc("b", T0 + TIMEOUT + 1, pid=2))
    assert (takeover.verdict, takeover.previous.pid) == (Verdict.STALE, 1)
    assert (await held(db)).holder == "b"
    async with db.transaction() as conn:  # a wakes up: its renewal finds the lease gone
        assert not await lease.renew(conn, "a", T0 + TIMEOUT + 5)
        assert not await lease.release(conn, "a")  # and it cannot free b's lease
    assert (await held(db)).holder == "b"


async def test_release_frees_it_for_the_next_process(db):
    await take(db, proc("a", T0))
    async with db.transaction() as conn:
        assert await lease.release(conn, "a")
    assert await held(db) is None
    assert (await take(db, proc("b", T0 + 1))).verdict is Verdict.FREE

"""One `duban run` per database: real processes racing for the lease on one file.

Each queued push goes to its own emulated chat, so "delivered exactly once" is a count of
sendMessage calls per chat at the emulator, across every process that ran.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from storage import lease, outbox
from storage.db import Database
from storage.outbox import Push
from tests.e2e.conftest import TOKEN
from tests.e2e.processes import duban, env_for
from tgemu import Emulator

pytestmark = pytest.mark.slow  # every test here runs `duban` as a process

LEASE = 3  # seconds: a killed holder is stale soon
FIRST_CHAT = 50_000


class Run:
    """`duban run` in a subprocess, its output kept in a file (a pipe could fill and block)."""

    def __init__(self, tmp_path: Path, emu: Emulator, name: str) -> None:
        self.tmp_path, self.emu, self.log = tmp_path, emu, tmp_path / f"{name}.log"
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> Run:
        env = env_for(
            self.tmp_path,
            DUBAN_TOKEN=TOKEN,
            DUBAN_API_URL=self.emu.base_url,
            DUBAN_LEASE_SECONDS=str(LEASE),
            DUBAN_TICK_SECONDS="0",
        )
        with self.log.open("wb") as out:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", cwd=self.tmp_path, env=env, stdout=out,
                stderr=asyncio.subprocess.STDOUT,
            )  # fmt: skip
        return self

    @property
    def pid(self) -> int:
        return self.proc.pid

    async def exit_code(self, timeout: float = 60) -> int:
        return await asyncio.wait_for(self.proc.wait(), timeout)

    async def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.proc.returncode is None:
            self.proc.send_signal(sig)
        return await self.exit_code()

    @property
    def output(self) -> str:
        return self.log.read_text(encoding="utf-8")


async def queue(db_path: Path, emu: Emulator, numbers: range) -> None:
    """One push per number, each to a chat of its own."""
    async with Database(db_path) as db, db.transaction() as conn:
        for n in numbers:
            emu.user(FIRST_CHAT + n, f"收件人{n}")
            emu.world.users[FIRST_CHAT + n].started = True  # as if each had written to the bot
            push = Push(
                f"lease-test:{n}",
                "test",
                "push_unreachable",
                "2026-01-01T00:00:00+08:00",
                chat_id=FIRST_CHAT + n,
                context={"unit": "单位", "person": f"第{n}条", "phone": "1"},
                automatic=False,  # goes at once: the test runs at any hour of the real clock
            )
            await outbox.add(conn, push, "2026-01-01T00:00:00+08:00")


def deliveries(emu: Emulator) -> Counter[int]:
    return Counter(
        int(c.params["chat_id"]) - FIRST_CHAT
        for c in emu.calls_of("sendMessage")
        if c.ok and int(c.params["chat_id"]) >= FIRST_CHAT
    )


def holder_row(db_path: Path) -> tuple[int, int] | None:
    """(pid, heartbeat) of the lease as the file holds it now."""
    with sqlite3.connect(db_path) as db:
        return db.execute("SELECT pid, heartbeat FROM lease").fetchone()


async def until_stale(db_path: Path) -> None:
    """Wait until the silent holder's heartbeat is older than the lease timeout."""
    _, heartbeat = holder_row(db_path)
    await asyncio.sleep(max(0.0, heartbeat + LEASE + 1.5 - time.time()))


def one_refusal_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert "Traceback" not in output and len(lines) == 1, output
    return lines[0]


async def test_two_runs_on_one_database_deliver_every_push_exactly_once(tmp_path, emu):
    db_path = tmp_path / "duban.db"
    await queue(db_path, emu, range(300))
    a, b = Run(tmp_path, emu, "a"), Run(tmp_path, emu, "b")
    await asyncio.gather(a.start(), b.start())
    done, _ = await asyncio.wait(
        [asyncio.ensure_future(r.proc.wait()) for r in (a, b)],
        timeout=60,
        return_when=asyncio.FIRST_COMPLETED,
    )
    assert len(done) == 1, "one of the two must refuse, the other keep running"
    winner, loser = (b, a) if a.proc.returncode is not None else (a, b)
    assert loser.proc.returncode == 2
    refusal = one_refusal_line(loser.output)
    assert "已有机器人在运行" in refusal and f"进程 {winner.pid}" in refusal, refusal

    await emu.wait_until(lambda: len(deliveries(emu)) == 300, 90, "the winner sends all 300")
    await winner.stop(signal.SIGKILL)  # no release: the lease stays, with its last heartbeat
    assert holder_row(db_path)[0] == winner.pid
    await queue(db_path, emu, range(300, 320))  # decided while nobody runs

    await until_stale(db_path)
    again = await Run(tmp_path, emu, "again").start()
    await emu.wait_until(lambda: len(deliveries(emu)) == 320, 60, "the new run sends the rest")
    assert await again.stop() == 0, again.output
    assert f"took over a stale lease from pid {winner.pid}" in again.output
    assert holder_row(db_path) is None  # released at the clean stop

    counts = deliveries(emu)
    assert set(counts) == set(range(320))
    assert [n for n, times in counts.items() if times > 1] == []


async def test_a_holder_whose_lease_was_taken_over_stops(tmp_path, emu):
    """A process frozen past its lease wakes to find another holding it: it stops sending and
    leaves the lease alone. The take-over is written as the other process writes it (a real
    SIGSTOP could freeze the holder inside a write, and SQLite's lock would then stop everyone,
    which no lease can help)."""
    db_path = tmp_path / "duban.db"
    await duban(tmp_path, "init")
    first = await Run(tmp_path, emu, "first").start()
    await emu.wait_until(lambda: emu.calls_of("getUpdates"), 60, "the first run polls")
    assert holder_row(db_path)[0] == first.pid
    now = int(time.time())
    with sqlite3.connect(db_path, timeout=30) as db:
        db.execute(
            "UPDATE lease SET holder = 'other', pid = 4242, host = 'office-pc',"
            " started_at = ?, heartbeat = ?",
            (now, now),
        )
    assert await first.exit_code() == 2, first.output
    assert "the lease was taken over by another process" in first.output
    assert "已被另一进程接管" in first.output.splitlines()[-1]
    assert holder_row(db_path)[0] == 4242  # it did not release the other's lease


async def test_demo_and_export_refuse_a_leased_database(tmp_path):
    folder = tmp_path / "out"
    now = int(time.time())
    async with Database(folder / "duban.db") as db, db.transaction() as conn:
        await lease.take(conn, lease.Lease("x", 4242, "office-pc", now, now), 60)
    code, out, err = await duban(tmp_path, "demo", "out")
    assert code == 2 and out == "", out
    line = one_refusal_line(err)
    assert "演示输出目录中的数据库" in line and "进程 4242，主机 office-pc" in line, line

    await duban(tmp_path, "init")
    code, _, err = await duban(tmp_path, "export", "duban.db")
    assert code == 2 and "不能导出到数据库文件本身" in one_refusal_line(err)
    assert sqlite3.connect(tmp_path / "duban.db").execute("PRAGMA user_version").fetchone()[0]

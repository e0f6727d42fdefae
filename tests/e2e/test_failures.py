"""`duban` when the surroundings fail: one clear Chinese line, no traceback, never the token."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from pathlib import Path

import pytest

from bot import failures
from bot.settings import Settings
from tests.e2e.conftest import TOKEN
from tests.e2e.processes import SECRET, duban, one_clear_line, read_only, spawn
from tgemu import Emulator


@pytest.mark.slow
async def test_rejected_token(tmp_path):
    await duban(tmp_path, "init")
    async with Emulator(token="987654321:" + "O" * 35) as other:  # knows another bot
        result = await duban(tmp_path, "run", DUBAN_TOKEN=TOKEN, DUBAN_API_URL=other.base_url)
        one_clear_line(*result, "Telegram 拒绝了机器人令牌")
        result = await duban(
            tmp_path, "supervisor", "invite", DUBAN_TOKEN=TOKEN, DUBAN_API_URL=other.base_url
        )
        one_clear_line(*result, "Telegram 拒绝了机器人令牌")


@pytest.mark.slow
async def test_unreachable_api(tmp_path):
    await duban(tmp_path, "init")
    async with Emulator() as gone:
        url = gone.base_url
    result = await duban(tmp_path, "run", DUBAN_TOKEN=TOKEN, DUBAN_API_URL=url)  # refused
    one_clear_line(*result, f"无法连接 Telegram（127.0.0.1:{gone.port}）")


@pytest.mark.slow
async def test_read_only_database(tmp_path, emu):
    await duban(tmp_path, "init")
    db = tmp_path / "duban.db"
    with read_only(db):
        result = await duban(tmp_path, "run", DUBAN_TOKEN=TOKEN, DUBAN_API_URL=emu.base_url)
        one_clear_line(*result, "只读")
    folder = tmp_path / "locked"
    folder.mkdir()
    with read_only(folder):
        result = await duban(tmp_path, "init", DUBAN_DB=str(folder / "duban.db"))
        one_clear_line(*result, "无法打开数据库")


def test_full_disk_is_one_line():
    line = failures.explain(sqlite3.OperationalError("database or disk is full"), Settings())
    assert line is not None and "磁盘已满" in line
    assert failures.explain(sqlite3.OperationalError("no such table: x"), Settings()) is None


@pytest.mark.slow
async def test_outage_while_running_is_two_lines(tmp_path, emu):
    """Refused connections, then the API back on the same port; then a 409 and a 429.

    A message from a stranger ends the long poll in flight, so each step needs no waiting.
    """
    await duban(tmp_path, "init")
    bot = await Running.start(tmp_path, emu)
    back = Emulator(bot_username="duban_test_bot")
    stranger = back.user(999, "路人")

    async def poke() -> None:
        stranger.mark()
        await stranger.send("/help")
        await stranger.expect("请联系督查室获取邀请链接", timeout=15)

    try:
        await emu.wait_until(lambda: any(c.method == "getUpdates" for c in emu.calls), 30)
        await emu.stop()  # connections are refused from now on
        await bot.wait_for("连接中断")
        await asyncio.sleep(2)  # a few retries, which must not add lines
        await back.start(port=emu.port)
        await poke()
        await bot.wait_for("已恢复")
        for code, description, said in (
            (409, "Conflict: terminated by other getUpdates request", "另一个程序正在使用同一个"),
            (429, "Too Many Requests: retry after 1", "429 请求过多"),
        ):
            back.fail_next("getUpdates", code, description, retry_after=1 if code == 429 else None)
            await poke()  # the poll after this one fails
            await bot.wait_for(said)
            await poke()
            await bot.wait_for("已恢复", after=said)
    finally:
        log = await bot.stop()
        await back.stop()
    assert bot.proc.returncode == 0, log
    lines = log.splitlines()
    assert sum("连接中断" in line for line in lines) == 1, log
    assert sum("另一个程序" in line for line in lines) == 1, log
    assert sum("已恢复" in line for line in lines) == 3, log
    assert "Traceback" not in log and TOKEN not in log and SECRET not in log


class Running:
    """`duban run` in a subprocess, its log read line by line as it is written."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.lines: list[str] = []
        self.reader = asyncio.create_task(self._read())

    @classmethod
    async def start(cls, tmp_path: Path, emu: Emulator) -> Running:
        proc = await spawn(
            tmp_path,
            "run",
            stderr=asyncio.subprocess.STDOUT,
            DUBAN_TOKEN=TOKEN,
            DUBAN_API_URL=emu.base_url,
        )
        return cls(proc)

    async def _read(self) -> None:
        assert self.proc.stdout is not None
        async for raw in self.proc.stdout:
            self.lines.append(raw.decode())

    async def wait_for(self, text: str, *, after: str | None = None, timeout: float = 30) -> None:
        """Until a line with `text` is logged (later than the last line with `after`)."""

        def seen() -> bool:
            marks = [i for i, line in enumerate(self.lines) if after and after in line]
            start = marks[-1] if marks else -1
            return any(text in line for line in self.lines[start + 1 :])

        async def poll() -> None:
            while not seen():
                await asyncio.sleep(0.05)

        try:
            await asyncio.wait_for(poll(), timeout)
        except TimeoutError:
            pytest.fail(f"no {text!r} in the log:\n{''.join(self.lines)}")

    async def stop(self) -> str:
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(self.proc.wait(), 30)
        await self.reader
        return "".join(self.lines)

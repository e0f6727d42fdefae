"""Form answers are never lost: once the bot has asked the next question and finished the
update, a crash keeps the answer, and an update Telegram delivers again is handled once."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from asyncio.subprocess import DEVNULL
from contextlib import closing
from pathlib import Path

import pytest

from domain.models import Role
from tests.e2e.conftest import TOKEN, Office
from tests.e2e.processes import duban, spawn
from tgemu import Emulator, EmuUser


def runs_the_bot(task: asyncio.Task) -> bool:
    """A task of the bot's process: running PTB's code or ours, not the emulator's."""
    code = getattr(task.get_coro(), "cr_code", None)
    where = code.co_filename if code else ""
    return ("/telegram/" in where or "/bot/" in where) and "/tgemu/" not in where


async def kill(office: Office) -> None:
    """What kill -9 leaves: the bot's tasks stop where they are, nothing is flushed and no
    fetched update is confirmed; only what was committed is in the database."""
    app = office.app
    doomed = [t for t in asyncio.all_tasks() if runs_the_bot(t)]
    for task in doomed:
        task.cancel()
    await asyncio.gather(*doomed, return_exceptions=True)
    await app.job_queue.stop(wait=False)
    await app.bot.shutdown()  # its sockets, which the OS closes for a dead process
    await office.db.close()
    office.app = office.db = None


async def begin_registration(office: Office, newcomer: EmuUser) -> None:
    """The newcomer opens the invitation and answers the first question."""
    await newcomer.send(f"/start {await office.cli_invite(Role.SUPERVISOR)}")
    await newcomer.expect("姓名")
    await newcomer.send("孙督查")
    await newcomer.expect("职务")


async def finish_registration(newcomer: EmuUser, timeout: float = 5.0) -> None:
    """The remaining answers; the summary shows the first answer kept and the second in place."""
    await newcomer.send("副主任")
    await newcomer.expect("手机", timeout)
    await newcomer.send("13900139000")
    preview = await newcomer.expect("请核对注册信息", timeout)
    assert "姓名：孙督查" in preview.text and "职务：副主任" in preview.text


async def test_an_answered_question_survives_a_crash(office: Office, emu: Emulator) -> None:
    newcomer = emu.user(401, "新人")
    await begin_registration(office, newcomer)
    await office.app.update_queue.join()  # the bot is done with the answer
    await kill(office)

    await office.start()
    await finish_registration(newcomer)


async def test_an_update_delivered_twice_is_handled_once(office: Office, emu: Emulator) -> None:
    newcomer = emu.user(401, "新人")
    await begin_registration(office, newcomer)
    before = len(newcomer.inbox)
    answer = emu.redeliver()  # "孙督查" once more, with its update_id
    await emu.wait_delivered()

    await finish_registration(newcomer)
    assert len(newcomer.inbox) - before == 2  # nothing was said to the second delivery
    assert await office.scalar("SELECT count(*) FROM seen_updates WHERE update_id = ?", (answer,))


@pytest.mark.slow
async def test_kill_9_of_duban_run_right_after_an_answer(tmp_path: Path, emu: Emulator) -> None:
    await duban(tmp_path, "init")
    # the killed process keeps its lease until it is stale: a short one, waited out below
    env = {"DUBAN_TOKEN": TOKEN, "DUBAN_API_URL": emu.base_url, "DUBAN_LEASE_SECONDS": "2"}
    _, out, _ = await duban(tmp_path, "supervisor", "invite", **env)
    code = out.split("start=", 1)[1].split()[0]
    newcomer = emu.user(401, "新人")

    bot = await run_bot(tmp_path, emu, env)
    await newcomer.send(f"/start {code}")
    await newcomer.expect("姓名", timeout=15)
    sent = asyncio.get_running_loop().time()
    await newcomer.send("孙督查")
    await newcomer.expect("职务", timeout=15)
    answer = emu.world.updates.max_returned  # ids are sequential: the answer is the newest
    await committed(tmp_path / "duban.db", answer)
    await asyncio.sleep(max(0.0, sent + 0.1 - asyncio.get_running_loop().time()))
    bot.kill()
    await bot.communicate()
    assert bot.returncode == -signal.SIGKILL

    await asyncio.sleep(2.5)  # the dead process's lease goes stale
    bot = await run_bot(tmp_path, emu, env)
    try:
        await finish_registration(newcomer, timeout=15)
    finally:
        bot.send_signal(signal.SIGTERM)
        await asyncio.wait_for(bot.communicate(), 30)


async def run_bot(tmp_path: Path, emu: Emulator, env: dict[str, str]) -> asyncio.subprocess.Process:
    """`duban run` in a subprocess, returned once it polls the (emulated) Bot API."""
    polls = len(emu.calls_of("getUpdates"))
    proc = await spawn(tmp_path, "run", stdout=DEVNULL, stderr=DEVNULL, **env)
    await emu.wait_until(lambda: len(emu.calls_of("getUpdates")) > polls, 30)
    return proc


async def committed(path: Path, update_id: int, timeout: float = 10.0) -> None:
    """Wait until the bot's own process has committed that update (as a reader sees it)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        with closing(sqlite3.connect(path)) as db:
            row = db.execute("SELECT 1 FROM seen_updates WHERE update_id = ?", (update_id,))
            if row.fetchone():
                return
        await asyncio.sleep(0.01)
    raise AssertionError(f"update {update_id} was never committed")

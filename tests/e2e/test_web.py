"""/web through the emulator: the link the bot sends logs the person into the web ledger the
same process serves; strangers are refused, and an https address adds the Mini App button."""

from __future__ import annotations

import asyncio
import signal
import socket

import aiohttp
import pytest

from domain.models import Role
from tests.e2e.conftest import Office
from tests.e2e.processes import duban, spawn


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_a_supervisors_web_link_logs_in_once(tmp_path, emu, clock):
    port = free_port()
    office = Office(tmp_path, emu, clock, web_port=port)
    await office.start()
    try:
        await office.import_units()
        sup = emu.user(101, "督查员王")
        await office.register(sup, await office.cli_invite(Role.SUPERVISOR), "王督查")
        await sup.send("/web")
        message = await sup.expect("网页台账")
        assert message.reply_markup is None  # no Mini App button over plain http
        link = next(w for w in message.text.split() if "/login/" in w)
        assert link.startswith(f"http://127.0.0.1:{port}/login/")
        jar = aiohttp.CookieJar(unsafe=True)  # the server is an IP address
        async with aiohttp.ClientSession(cookie_jar=jar) as browser:
            async with browser.get(link) as response:
                assert response.status == 200 and "登录成功" in await response.text()
            async with browser.get(f"http://127.0.0.1:{port}/ledger") as response:
                page = await response.text()
                assert response.status == 200 and "王督查（督查员）" in page
            async with browser.get(link) as response:
                assert response.status == 403  # spent
        stranger = emu.user(999, "路人")
        await stranger.send("/web")
        await stranger.expect("仅供督查室及各单位联络员使用")
    finally:
        await office.stop()
    with socket.socket() as s:  # the ledger stopped with the bot
        assert s.connect_ex(("127.0.0.1", port)) != 0


async def test_over_https_the_bot_offers_the_mini_app(tmp_path, emu, clock):
    office = Office(tmp_path, emu, clock, web_url="https://duban.example.gov.cn/")
    await office.start()
    try:
        leader = emu.user(201, "领导赵")
        await office.register(leader, await office.cli_invite(Role.LEADER), "赵主任")
        await leader.send("/web")
        message = await leader.expect("https://duban.example.gov.cn/login/")
        button = message.reply_markup["inline_keyboard"][0][0]
        assert button == {
            "text": "打开台账",
            "web_app": {"url": "https://duban.example.gov.cn/app"},
        }
    finally:
        await office.stop()


async def test_without_an_address_the_bot_says_the_ledger_is_off(office, emu):
    sup = emu.user(101, "督查员王")
    await office.register(sup, await office.cli_invite(Role.SUPERVISOR), "王督查")
    await sup.send("/web")
    await sup.expect("网页台账尚未开启")


@pytest.mark.slow
async def test_duban_web_serves_the_ledger_alone_until_stopped(tmp_path):
    assert (await duban(tmp_path, "init"))[0] == 0
    code, _, err = await duban(tmp_path, "web")
    assert code == 2 and "DUBAN_WEB_PORT" in err  # off unless a port is set
    port = free_port()
    proc = await spawn(tmp_path, "web", DUBAN_WEB_PORT=str(port))
    try:
        line = await asyncio.wait_for(proc.stdout.readline(), 60)
        assert f"网页台账已启动：http://127.0.0.1:{port}" in line.decode()
        forged = f"http://127.0.0.1:{port}/login/forged"
        async with aiohttp.ClientSession() as browser, browser.get(forged) as response:
            assert response.status == 403 and "登录链接无效" in await response.text()
    finally:
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0


@pytest.mark.slow
async def test_a_port_in_use_is_one_clear_line(tmp_path):
    assert (await duban(tmp_path, "init"))[0] == 0
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, _, err = await duban(tmp_path, "web", DUBAN_WEB_PORT=str(port))
    assert code == 2 and f"网页台账无法监听 127.0.0.1:{port}" in err
    assert "Traceback" not in err

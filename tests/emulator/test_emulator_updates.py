"""getUpdates semantics, raw wire formats and the test-facing helpers."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from telegram import Bot
from telegram.error import BadRequest, Conflict, EndPointNotFound

from tgemu import Emulator

from .support import TOKEN


@pytest.mark.asyncio
async def test_get_updates_offset_semantics(emu: Emulator, bot: Bot) -> None:
    alice = emu.user(1001, "张三")
    for text in ("一", "二", "三", "四"):
        await alice.send(text)
    first = await bot.get_updates(timeout=0)
    ids = [u.update_id for u in first]
    assert [u.message.text for u in first] == ["一", "二", "三", "四"]
    assert [u.update_id for u in await bot.get_updates()] == ids  # not confirmed yet
    assert [u.update_id for u in await bot.get_updates(limit=2)] == ids[:2]
    assert [u.update_id for u in await bot.get_updates(offset=ids[1])] == ids[1:]
    assert [u.update_id for u in await bot.get_updates(offset=0)] == ids[1:]  # 1 forgotten
    assert [u.update_id for u in await bot.get_updates(offset=-1)] == ids[3:]
    assert [u.update_id for u in await bot.get_updates()] == ids[3:]  # -1 forgot the rest
    assert await bot.get_updates(offset=ids[3] + 1) == ()
    assert emu.updates_delivered == 4 and emu.pending_updates == 0


@pytest.mark.asyncio
async def test_long_polling_returns_as_soon_as_an_update_arrives(emu: Emulator, bot: Bot) -> None:
    alice = emu.user(1001, "张三")
    loop = asyncio.get_running_loop()

    async def later() -> None:
        await asyncio.sleep(0.1)
        await alice.send("来了")

    task = asyncio.create_task(later())
    start = loop.time()
    updates = await bot.get_updates(timeout=5, read_timeout=10)
    await task
    assert [u.message.text for u in updates] == ["来了"]
    assert loop.time() - start < 1.0
    start = loop.time()
    assert await bot.get_updates(offset=updates[0].update_id + 1, timeout=0.3) == ()
    assert loop.time() - start >= 0.25


@pytest.mark.asyncio
async def test_allowed_updates_and_webhook_conflict(emu: Emulator, bot: Bot) -> None:
    await bot.get_updates(timeout=0, allowed_updates=["callback_query"])
    await emu.user(1001, "张三").send("ignored")
    assert await bot.get_updates(timeout=0) == ()
    await bot.get_updates(timeout=0, allowed_updates=[])
    await emu.user(1001).send("seen")
    assert [u.message.text for u in await bot.get_updates(timeout=0)] == ["seen"]
    await bot.set_webhook("https://example.org/hook")
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates(timeout=0)
    await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates(timeout=0) == ()


@pytest.mark.asyncio
async def test_json_get_and_form_bodies(emu: Emulator) -> None:
    await emu.user(1001, "张三").send("hi")
    base = f"{emu.base_url}{TOKEN}"
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{base}/sendMessage", json={"chat_id": 1001, "text": "true"}) as r:
            body = await r.json()
            assert r.status == 200 and body["result"]["text"] == "true"
        async with http.get(f"{base}/sendMessage", params={"chat_id": "1001", "text": "42"}) as r:
            assert (await r.json())["result"]["text"] == "42"
        async with http.post(f"{base}/sendMessage", data={"chat_id": "1001", "text": ""}) as r:
            body = await r.json()
            assert r.status == 400
            assert body == {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: message text is empty",
            }
        async with http.post(f"{base}/noSuchMethod") as r:
            assert r.status == 404
            assert (await r.json())["description"] == "Not Found: method not found"
        async with http.post(f"{emu.base_url}bad-token/getMe") as r:
            assert r.status == 404
    assert [c.params.get("text") for c in emu.calls_of("sendMessage")] == ["true", "42", ""]


@pytest.mark.asyncio
async def test_unknown_endpoint_via_ptb(emu: Emulator, bot: Bot) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("noSuchMethod")


@pytest.mark.asyncio
async def test_expect_failure_lists_what_arrived(emu: Emulator, bot: Bot) -> None:
    alice = emu.user(1001, "张三")
    await alice.send("hi")
    await bot.send_message(1001, "第一条")
    with pytest.raises(BadRequest):
        await bot.send_message(1001, "<b>坏", parse_mode="HTML")
    with pytest.raises(AssertionError) as err:
        await alice.expect("不存在", timeout=0.2)
    report = str(err.value)
    assert "第一条" in report and "can't parse entities" in report
    alice.mark()
    with pytest.raises(AssertionError):
        await alice.expect("第一条", timeout=0.05)  # before the mark


@pytest.mark.asyncio
async def test_settle_waits_for_quiet(emu: Emulator, bot: Bot) -> None:
    await emu.user(1001, "张三").send("hi")
    await bot.get_updates(timeout=0)
    loop = asyncio.get_running_loop()

    async def chatter() -> None:
        for i in range(3):
            await bot.send_message(1001, f"m{i}")
            await asyncio.sleep(0.1)

    task = asyncio.create_task(chatter())
    await asyncio.sleep(0.02)
    start = loop.time()
    await emu.settle(quiet=0.15, timeout=3)
    await task
    assert loop.time() - start >= 0.3
    assert len(emu.user(1001).inbox) == 3

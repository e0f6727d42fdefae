"""Telegram's rules as PTB experiences them: the exceptions a real bot would get."""

from __future__ import annotations

import asyncio
import datetime as dtm

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputMediaPhoto
from telegram.error import BadRequest, Forbidden, RetryAfter, TimedOut

from tgemu import Emulator

from .support import PNG, TOKEN


def seconds(value: int | dtm.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


@pytest.mark.asyncio
async def test_html_parse_errors_and_plain_text(emu: Emulator, bot: Bot) -> None:
    alice = emu.user(1001, "张三")
    await alice.send("hi")
    for bad, fragment in (
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("<b>未闭合", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'expected "</i>", found "</b>"'),
        ("<br>", 'Unsupported start tag "br"'),
    ):
        with pytest.raises(BadRequest, match="Can't parse entities") as err:
            await bot.send_message(1001, bad, parse_mode="HTML")
        assert fragment.lower() in str(err.value).lower()
    msg = await bot.send_message(
        1001, '<b>粗</b> &lt;tag&gt; <a href="https://e.x/?a=1&amp;b=2">链接</a>', parse_mode="HTML"
    )
    assert msg.text == "粗 <tag> 链接"
    assert msg.entities[1].url == "https://e.x/?a=1&b=2"
    assert msg.text_html.startswith("<b>粗</b>")
    assert alice.last.text == "粗 <tag> 链接"
    assert emu.stats["400"] == 4


@pytest.mark.asyncio
async def test_length_limits(emu: Emulator, bot: Bot) -> None:
    emu.user(1001, "张三")
    await emu.user(1001).send("hi")
    await bot.send_message(1001, "字" * 4096)
    await bot.send_message(1001, "<b>" + "字" * 4096 + "</b>", parse_mode="HTML")  # tags are free
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(1001, "字" * 4097)
    await bot.send_message(1001, "😀" * 2048)
    with pytest.raises(BadRequest, match="Message is too long"):  # UTF-16: an emoji is two
        await bot.send_message(1001, "😀" * 2048 + "字")
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(1001, "  \n ")
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_document(1001, b"x", filename="a.txt", caption="c" * 1025)
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_document(1001, b"x", filename="a.txt", caption="😀" * 513)


@pytest.mark.asyncio
async def test_callback_data_limit_and_button_shape(emu: Emulator, bot: Bot) -> None:
    await emu.user(1001, "张三").send("hi")
    ok = InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data="x" * 64)]])
    await bot.send_message(1001, "ok", reply_markup=ok)
    for data in ("x" * 65, "签" * 22):  # 66 UTF-8 bytes
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("no", callback_data=data)]])
        with pytest.raises(BadRequest, match="Button_data_invalid"):
            await bot.send_message(1001, "no", reply_markup=markup)
    bare = {"inline_keyboard": [[{"text": "no action"}]]}
    with pytest.raises(BadRequest, match=r"(?i)text buttons are unallowed"):
        await bot.do_api_request(
            "sendMessage", {"chat_id": 1001, "text": "t", "reply_markup": bare}
        )


@pytest.mark.asyncio
async def test_chat_not_found_blocked_and_left(emu: Emulator, bot: Bot) -> None:
    stranger = emu.user(2002, "李四")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(stranger.id, "hello")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(-999, "hello")
    await stranger.send("/start")
    await bot.send_message(stranger.id, "hello")
    stranger.block()
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(stranger.id, "hello")
    stranger.unblock()
    await bot.send_message(stranger.id, "again")
    group = emu.group(-100123, "领导通报群")
    await bot.send_message(group.id, "通报")
    assert await bot.leave_chat(group.id)
    with pytest.raises(Forbidden, match="bot is not a member of the supergroup chat"):
        await bot.send_message(group.id, "通报")
    assert emu.stats["403"] == 2
    updates = await bot.get_updates(timeout=0)
    kinds = [u.my_chat_member.new_chat_member.status for u in updates if u.my_chat_member]
    assert kinds == ["kicked", "member", "administrator", "left"]


@pytest.mark.asyncio
async def test_edit_rules_and_delete(emu: Emulator, bot: Bot) -> None:
    alice = emu.user(1001, "张三")
    await alice.send("hi")
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("签收", callback_data="s")]])
    msg = await bot.send_message(1001, "原文", reply_markup=markup)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("原文", 1001, msg.message_id, reply_markup=markup)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", 1001, 9999)
    await bot.edit_message_reply_markup(1001, msg.message_id, reply_markup=None)
    assert alice.last.buttons == [] and alice.last.edits == []
    await bot.edit_message_text("新文", 1001, msg.message_id)
    assert alice.last.text == "新文" and alice.last.edits == ["原文"]
    assert await bot.delete_message(1001, msg.message_id)
    assert alice.last.deleted
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(1001, msg.message_id)


@pytest.mark.asyncio
async def test_rate_limits_raise_retry_after() -> None:
    async with (
        Emulator(rate_limits=True, per_chat_burst=3) as emu,
        Bot(TOKEN, base_url=emu.base_url) as bot,
    ):
        await emu.user(1001, "张三").send("hi")
        for i in range(3):
            await bot.send_message(1001, f"burst {i}")
        with pytest.raises(RetryAfter) as err:
            await bot.send_message(1001, "one too many")
        assert seconds(err.value.retry_after) >= 1
        await bot.send_chat_action(1001, "typing")  # not a send: not limited
        group = emu.group(-100200, "群")
        for i in range(20):
            await bot.send_message(group.id, f"g{i}")
        with pytest.raises(RetryAfter) as err:
            await bot.send_message(group.id, "g20")
        assert 50 <= seconds(err.value.retry_after) <= 60
        assert emu.stats["429"] == 2


@pytest.mark.asyncio
async def test_fail_next_and_hang_next(emu: Emulator, bot: Bot) -> None:
    alice = emu.user(1001, "张三")
    await alice.send("hi")
    emu.fail_next("sendMessage", 400, "Bad Request: chat not found", chat_id=1001)
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(1001, "x")
    emu.fail_next("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7, times=2)
    for _ in range(2):
        with pytest.raises(RetryAfter):
            await bot.send_message(1001, "x")
    await bot.send_message(1001, "通过")
    emu.hang_next("sendMessage", 0.5)
    with pytest.raises(TimedOut):
        await bot.send_message(1001, "超时但已送达", read_timeout=0.1)
    delivered = await alice.expect("超时但已送达", timeout=3)
    assert delivered.message_id == alice.last.message_id
    assert [c.ok for c in emu.calls_of("sendMessage")] == [False, False, False, True, True]


@pytest.mark.asyncio
async def test_documents_photos_and_media_group(emu: Emulator, bot: Bot) -> None:
    alice = emu.user(1001, "张三")
    await alice.send("hi")
    doc_msg = await bot.send_document(
        1001, b"%PDF-1.4 report", filename="报告.pdf", caption="<b>附件</b>", parse_mode="HTML"
    )
    assert doc_msg.document.file_name == "报告.pdf" and doc_msg.caption == "附件"
    assert alice.last.document_bytes == b"%PDF-1.4 report"
    file = await bot.get_file(doc_msg.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"%PDF-1.4 report"
    again = await bot.send_document(1001, doc_msg.document.file_id)  # re-send by file_id
    assert again.document.file_unique_id == doc_msg.document.file_unique_id
    with pytest.raises(BadRequest, match="Image_process_failed"):
        await bot.send_photo(1001, b"not an image")
    with pytest.raises(BadRequest, match="Wrong file identifier"):
        await bot.send_document(1001, "no-such-file-id")
    album = await bot.send_media_group(
        1001, [InputMediaPhoto(PNG, caption="一"), InputMediaPhoto(PNG)]
    )
    assert len(album) == 2 and album[0].media_group_id == album[1].media_group_id
    assert [m.photo_bytes for m in alice.inbox[-2:]] == [PNG, PNG]


@pytest.mark.asyncio
async def test_tokens_methods_and_latency() -> None:
    async with Emulator(token=TOKEN, latency=0.05) as emu:
        async with Bot(TOKEN, base_url=emu.base_url) as bot:
            loop = asyncio.get_running_loop()
            start = loop.time()
            me = await bot.get_me()
            assert me.username == "duban_test_bot" and me.id == 123456
            assert loop.time() - start >= 0.05
            await bot.set_my_commands([("start", "开始"), ("new", "新建督办事项")])
            assert [c.command for c in await bot.get_my_commands()] == ["start", "new"]
            with pytest.raises(BadRequest, match="Bot_command_invalid"):
                await bot.set_my_commands([("Start", "bad")])
        from telegram.error import InvalidToken

        with pytest.raises(InvalidToken):
            async with Bot("999:" + "B" * 35, base_url=emu.base_url):
                pass


@pytest.mark.asyncio
async def test_global_limit_of_thirty_per_second() -> None:
    async with (
        Emulator(rate_limits=True) as emu,
        Bot(TOKEN, base_url=emu.base_url) as bot,
    ):
        users = [emu.user(5000 + i, f"u{i}") for i in range(31)]
        for user in users:
            await user.send("hi")
        for user in users[:30]:
            await bot.send_message(user.id, "通知")
        with pytest.raises(RetryAfter) as err:
            await bot.send_message(users[30].id, "通知")
        assert seconds(err.value.retry_after) == 1

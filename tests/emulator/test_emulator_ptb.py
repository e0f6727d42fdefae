"""Round trips through the real PTB Application, long polling the emulator over HTTP."""

from __future__ import annotations

import hashlib

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import (
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tgemu import Emulator

from .support import PNG, build_app, running

Ctx = ContextTypes.DEFAULT_TYPE
SIGN = InlineKeyboardMarkup(
    [
        [InlineKeyboardButton("签收", callback_data="v1:sign:1")],
        [InlineKeyboardButton("退回", callback_data="v1:back:1")],
    ]
)


@pytest.mark.asyncio
async def test_echo_round_trip(emu: Emulator) -> None:
    app = build_app(emu)

    async def echo(update: Update, context: Ctx) -> None:
        await update.message.reply_text(f"你说：{update.message.text}")

    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    async with running(app):
        alice = emu.user(1001, "张三", username="zhangsan")
        assert not alice.started
        await alice.send("你好")
        reply = await alice.expect("你说：你好")
        assert alice.started
        assert reply.chat_id == 1001 and alice.last is reply
        assert reply.raw["from"]["username"] == "duban_test_bot"
        # Strings are sent raw by PTB, not JSON-encoded: "123" must stay text.
        await alice.send("123")
        assert (await alice.expect("你说：123")).text == "你说：123"
        await alice.settle(quiet=0.1)
    assert [m.text for m in alice.inbox] == ["你说：你好", "你说：123"]
    assert emu.stats["sent_messages"] == 2
    assert emu.updates_delivered == 2 and emu.pending_updates == 0


@pytest.mark.asyncio
async def test_start_with_payload_and_bot_mention(emu: Emulator) -> None:
    app = build_app(emu)
    seen: list[list[str]] = []

    async def start(update: Update, context: Ctx) -> None:
        seen.append(list(context.args or []))
        await update.message.reply_text(f"欢迎 {' '.join(context.args or [])}".strip())

    app.add_handler(CommandHandler("start", start))
    async with running(app):
        alice = emu.user(1001, "张三")
        await alice.send("/start abc")
        await alice.expect("欢迎 abc")
        await alice.send("/start@duban_test_bot")
        await alice.expect(lambda m: m.text == "欢迎")
        await alice.send("/start@other_bot x")  # addressed to another bot: ignored
        await alice.settle(quiet=0.15)
    assert seen == [["abc"], []]


@pytest.mark.asyncio
async def test_press_button_answer_and_edit(emu: Emulator) -> None:
    app = build_app(emu)
    answers: list[BadRequest] = []

    async def start(update: Update, context: Ctx) -> None:
        await update.message.reply_html("<b>督办函</b> 请签收", reply_markup=SIGN)

    async def pressed(update: Update, context: Ctx) -> None:
        query = update.callback_query
        await query.answer("已签收", show_alert=True)
        try:
            await query.answer("again")
        except BadRequest as exc:
            answers.append(exc)
        await query.edit_message_text(f"已签收（{query.data}）")

    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    async with running(app):
        alice = emu.user(1001, "张三")
        await alice.send("/start")
        letter = await alice.expect("督办函")
        assert letter.text == "督办函 请签收" and letter.html == "<b>督办函</b> 请签收"
        assert letter.button_texts == ["签收", "退回"]
        assert letter.buttons[0][0].callback_data == "v1:sign:1"
        result = await alice.press("签收")
        await result.answered(timeout=5)
        assert result.answer == "已签收" and result.show_alert
        edited = await alice.expect("已签收（v1:sign:1）")
        assert edited is letter and letter.edits == ["督办函 请签收"]
        assert letter.buttons == []  # editMessageText without reply_markup drops the keyboard
        with pytest.raises(LookupError):
            await alice.press("签收")
        forged = await alice.press_data("v1:sign:999", message=letter)
        await forged.answered()
        await alice.expect("v1:sign:999")
    assert "query is too old" in str(answers[0]).lower()


@pytest.mark.asyncio
async def test_user_uploads_document_and_bot_downloads_it(emu: Emulator) -> None:
    app = build_app(emu)

    async def on_document(update: Update, context: Ctx) -> None:
        doc = update.message.document
        data = await (await doc.get_file()).download_as_bytearray()
        digest = hashlib.sha256(bytes(data)).hexdigest()[:12]
        await update.message.reply_text(f"{doc.file_name} {doc.mime_type} {len(data)} {digest}")
        await update.message.reply_document(bytes(data)[::-1], filename="reversed.bin")

    async def on_photo(update: Update, context: Ctx) -> None:
        photo = update.message.photo[-1]
        data = await (await photo.get_file()).download_as_bytearray()
        await update.message.reply_photo(
            bytes(data), caption=f"<i>{photo.width}x{photo.height}</i>", parse_mode="HTML"
        )

    app.add_handler(MessageHandler(filters.Document.ALL, on_document))
    app.add_handler(MessageHandler(filters.PHOTO, on_photo))
    payload = "督办材料".encode() * 100
    async with running(app):
        alice = emu.user(1001, "张三")
        await alice.send_document(payload, filename="材料.pdf", mime_type="application/pdf")
        digest = hashlib.sha256(payload).hexdigest()[:12]
        await alice.expect(f"材料.pdf application/pdf {len(payload)} {digest}")
        sent = await alice.expect(lambda m: m.document is not None)
        assert sent.document_bytes == payload[::-1]
        assert sent.document["file_name"] == "reversed.bin"
        await alice.send_photo(PNG, caption="现场照片")
        photo = await alice.expect(lambda m: m.photo is not None)
        assert photo.photo_bytes == PNG and photo.caption == "1x1"


@pytest.mark.asyncio
async def test_group_membership_updates_and_posts(emu: Emulator) -> None:
    app = build_app(emu)
    statuses: list[str] = []

    async def member(update: Update, context: Ctx) -> None:
        statuses.append(update.my_chat_member.new_chat_member.status)

    async def report(update: Update, context: Ctx) -> None:
        await update.effective_chat.send_message(f"收到：{update.message.text}")

    app.add_handler(ChatMemberHandler(member, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(MessageHandler(filters.TEXT & filters.ChatType.GROUPS, report))
    group = emu.group(-100123, "领导通报群", type="supergroup", bot_is_admin=True)
    async with running(app):
        alice = emu.user(1001, "张三")
        await group.post("汇报进展", from_user=alice)
        assert (await group.expect("收到：汇报进展")).chat_id == -100123
        await emu.wait_until(lambda: statuses == ["administrator"])
        alice.block()  # private chat was never started: no update
        await app.bot.leave_chat(group.id)
        await emu.wait_until(lambda: statuses == ["administrator", "left"])
        assert group.bot_status == "left"

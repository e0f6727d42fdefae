"""Chats, members, reply keyboards, replies and copies."""

from __future__ import annotations

import pytest
from telegram import Bot, ReplyKeyboardMarkup, ReplyKeyboardRemove, ReplyParameters
from telegram.error import BadRequest

from tgemu import Emulator


@pytest.mark.asyncio
async def test_chat_info_members_and_admins(emu: Emulator, bot: Bot) -> None:
    boss = emu.user(7, "群主")
    alice = emu.user(1001, "张三", username="zhangsan")
    group = emu.group(-100123, "领导通报群", owner=boss, username="duban_group")
    group.add_member(alice)
    chat = await bot.get_chat("@duban_group")
    assert chat.id == -100123 and chat.title == "领导通报群" and chat.type == "supergroup"
    assert (await bot.get_chat_member(group.id, alice.id)).status == "member"
    outsider = emu.user(2002, "李四")
    assert (await bot.get_chat_member(group.id, outsider.id)).status == "left"
    admins = await bot.get_chat_administrators(group.id)
    assert {a.user.id for a in admins} == {7, emu.bot_user["id"]}
    assert await bot.get_chat_member_count(group.id) == 3
    with pytest.raises(BadRequest, match="User not found"):
        await bot.get_chat_member(group.id, 424242)
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.get_chat(alice.id)  # she never wrote to the bot


@pytest.mark.asyncio
async def test_reply_keyboard_press_sends_text(emu: Emulator, bot: Bot) -> None:
    alice = emu.user(1001, "张三")
    await alice.send("/start")
    keyboard = ReplyKeyboardMarkup([["是", "否"]], one_time_keyboard=True)
    await bot.send_message(alice.id, "重点事项？", reply_markup=keyboard)
    assert alice.last.button_texts == ["是", "否"]
    await alice.press("是")
    updates = await bot.get_updates(timeout=0)
    assert updates[-1].message.text == "是"
    await bot.send_message(alice.id, "好的", reply_markup=ReplyKeyboardRemove())
    with pytest.raises(LookupError):
        await alice.press("否")  # the keyboard is gone from her screen


@pytest.mark.asyncio
async def test_replies_and_copies(emu: Emulator, bot: Bot) -> None:
    alice = emu.user(1001, "张三")
    sent = await alice.send("原始消息")
    first = await bot.send_message(
        alice.id, "回复你", reply_parameters=ReplyParameters(sent["message_id"])
    )
    assert first.reply_to_message.text == "原始消息"
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await bot.send_message(alice.id, "x", reply_to_message_id=9999)
    await bot.send_message(
        alice.id, "y", reply_parameters=ReplyParameters(9999, allow_sending_without_reply=True)
    )
    group = emu.group(-100200, "群")
    copied = await bot.copy_message(group.id, alice.id, sent["message_id"])
    assert group.last.message_id == copied.message_id and group.last.text == "原始消息"


@pytest.mark.asyncio
async def test_privacy_mode_in_groups_where_bot_is_not_admin(emu: Emulator, bot: Bot) -> None:
    alice = emu.user(1001, "张三")
    group = emu.group(-100300, "普通群", bot_is_admin=False)
    await group.post("闲聊", from_user=alice)
    await group.post("/report", from_user=alice)
    await group.post("@duban_test_bot 看一下", from_user=alice)
    texts = [u.message.text for u in await bot.get_updates(timeout=0) if u.message]
    assert texts == ["/report", "@duban_test_bot 看一下"]

"""The door: strangers get one polite refusal, foreign groups are left, nothing else passes.

Runs before every other handler (group -1). A stranger may only use `/start <code>` and then
answer the registration form that code opened.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, TypeHandler

from domain.errors import Refusal
from handlers.common import Context, person_of, refuse, services

log = logging.getLogger(__name__)
REGISTRATION_KEY = "registration"


async def gate(update: Update, context: Context) -> None:
    chat = update.effective_chat
    if chat is not None and chat.type != ChatType.PRIVATE:
        await _foreign_chat(update, context)
        raise ApplicationHandlerStop
    if update.effective_user is None:
        raise ApplicationHandlerStop
    if await person_of(update, context) is not None:
        return
    if _is_start_with_code(update) or REGISTRATION_KEY in (context.user_data or {}):
        return
    await refuse(update, context, Refusal("not_registered"))
    raise ApplicationHandlerStop


def _is_start_with_code(update: Update) -> bool:
    message = update.message
    if message is None or not message.text:
        return False
    parts = message.text.split()
    return len(parts) == 2 and parts[0].split("@")[0] == "/start"


async def _foreign_chat(update: Update, context: Context) -> None:
    """The leader chat is for the bot's posts; any other group or channel is left at once."""
    chat = update.effective_chat
    if chat.id == services(context).settings.leader_chat:
        return
    member = update.my_chat_member
    if member is not None and member.new_chat_member.status in ("left", "kicked"):
        return
    log.info("leaving foreign chat %s", chat.id)
    try:
        await context.bot.leave_chat(chat.id)
    except TelegramError as exc:
        log.info("could not leave chat %s: %s", chat.id, exc)


def build() -> TypeHandler:
    return TypeHandler(Update, gate)

"""The door: strangers get one polite refusal, foreign groups are left, nothing else passes.

Runs before every other handler (group -1). A stranger may only use `/start <code>` and then
answer the registration form that code opened. An update already handled before a crash, and
delivered again, goes no further. The way out (`build_exit`, the last group) commits what the
update changed, with its id: see storage/persistence.py.
"""

from __future__ import annotations

import logging

from telegram import Chat, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, TypeHandler

from domain.errors import Refusal
from handlers.common import Context, person_of, refuse
from handlers.feature import Feature
from storage.persistence import SqlitePersistence

log = logging.getLogger(__name__)
REGISTRATION_KEY = "registration"


async def gate(update: Update, context: Context) -> None:
    persistence = _persistence(context)
    if persistence is not None and await persistence.seen(update.update_id):
        log.info("update %s was delivered again; it was handled before", update.update_id)
        raise ApplicationHandlerStop
    chat = update.effective_chat
    if chat is not None and chat.type != ChatType.PRIVATE:
        await _foreign_chat(update, context, chat)
        raise ApplicationHandlerStop
    if update.effective_user is None or update.my_chat_member is not None:
        raise ApplicationHandlerStop  # someone blocked or unblocked the bot: nothing to answer
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


async def _foreign_chat(update: Update, context: Context, chat: Chat) -> None:
    """The leader chat is for the bot's posts; any other group or channel is left at once."""
    if chat.id == context.services.settings.leader_chat:
        return
    member = update.my_chat_member
    if member is not None and member.new_chat_member.status in ("left", "kicked"):
        return
    log.info("leaving foreign chat %s", chat.id)
    try:
        await context.bot.leave_chat(chat.id)
    except TelegramError as exc:
        log.info("could not leave chat %s: %s", chat.id, exc)


async def write_through(update: Update, context: Context) -> None:
    persistence = _persistence(context)
    if persistence is not None:
        await persistence.write_through(context.application, update, context.form_moved)


def _persistence(context: Context) -> SqlitePersistence | None:
    persistence = context.application.persistence
    return persistence if isinstance(persistence, SqlitePersistence) else None


def build() -> Feature:
    """For the first handler group (-1), before every other handler."""
    return Feature((TypeHandler(Update, gate),))


def build_exit() -> Feature:
    """For the last handler group: updates the gate stopped changed nothing to keep."""
    return Feature((TypeHandler(Update, write_through),))

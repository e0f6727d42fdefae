"""What every handler shares: the typed context, the current person, replying and refusing."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Sequence
from functools import wraps
from typing import Any

from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
    User,
)
from telegram.error import BadRequest
from telegram.ext import Application, ConversationHandler

from bot.services import Context
from bot.text_parts import split_html
from domain.errors import Refusal
from domain.models import Person
from domain.office import require
from handlers.callbacks import Callback
from handlers.callbacks import parse as parse_callback

log = logging.getLogger(__name__)
Buttons = Sequence[Sequence[tuple[str, str]]]


class MissingPart(RuntimeError):
    """The update lacks what its handler's filter promised (a button press without its query,
    a text answer without its text): a wiring mistake in some `build()`, never the user's
    doing, so it fails loudly to the error handler instead of being skipped."""


def _missing(update: Update, what: str) -> MissingPart:
    return MissingPart(f"update {update.update_id} has no {what}; check its handler's filter")


def callback_of(update: Update) -> CallbackQuery:
    """The pressed button, for a handler behind a CallbackQueryHandler."""
    if update.callback_query is None:
        raise _missing(update, "callback query")
    return update.callback_query


def pressed(update: Update) -> Callback | None:
    """What the pressed button says, or None for a stale or forged one."""
    return parse_callback(callback_of(update).data)


def message_of(update: Update) -> Message:
    """The message, for a CommandHandler or a MessageHandler: the bot asks Telegram for new
    messages only (bot/app.py, ALLOWED_UPDATES), never for edits."""
    if update.message is None:
        raise _missing(update, "new message")
    return update.message


def text_of(update: Update) -> str:
    """The text typed, for a MessageHandler behind filters.TEXT."""
    text = message_of(update).text
    if text is None:
        raise _missing(update, "text")
    return text


def chat_id_of(update: Update) -> int:
    """The chat to answer in: every message, and every press on the bot's own message, has one."""
    if update.effective_chat is None:
        raise _missing(update, "chat")
    return update.effective_chat.id


def sender_of(update: Update) -> User:
    """Who sent the update; the gate stops every update without a sender."""
    if update.effective_user is None:
        raise _missing(update, "sender")
    return update.effective_user


def user_data_of(context: Context) -> dict[str, Any]:
    """The sender's persisted forms, by key. PTB has none for an update without a sender,
    and the gate stops those; the values are the forms' own JSON-able dicts."""
    if context.user_data is None:
        raise MissingPart("no user_data: the update has no sender")
    return context.user_data


async def person_of(update: Update, context: Context) -> Person | None:
    """Who sent the update (None: a stranger), looked up in the database once per update.

    PTB hands every handler group of one update the same context, so the gate's lookup is
    the one the handlers read; the next update gets a fresh context and a fresh lookup.
    """
    if not context.person_known:
        user = update.effective_user
        context.person = None if user is None else await context.services.office.person(user.id)
        context.person_known = True
    return context.person


async def registered(update: Update, context: Context) -> Person:
    """The person acting, for a handler that needs one itself (to name them in a notice).
    Refused as every domain action refuses someone unregistered or inactive; which roles may
    act stays the domain's to decide."""
    return require(await person_of(update, context))


def in_rows(buttons: Sequence[tuple[str, str]], per_row: int) -> list[list[tuple[str, str]]]:
    """Lay buttons out `per_row` to a row: short labels sit side by side on a phone."""
    return [list(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]


def keyboard(rows: Buttons | None) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in rows]
    )


async def say(
    update: Update,
    context: Context,
    template: str,
    /,
    buttons: Buttons | None = None,
    **ctx: Any,
) -> Message | None:
    """Reply in the chat of the update with a rendered template."""
    chat = update.effective_chat
    if chat is None:
        return None
    return await send(context, chat.id, template, buttons, **ctx)


async def send(
    context: Context,
    chat_id: int,
    template: str,
    /,
    buttons: Buttons | None = None,
    **ctx: Any,
) -> Message:
    """Send a rendered template to any chat, not only the one the update came from."""
    text = context.services.render(template, **ctx)
    return await send_html(context.bot, chat_id, text, keyboard(buttons))


async def send_html(
    bot: Bot, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None
) -> Message:
    """Send HTML in as many messages as Telegram needs (it refuses one over 4096 characters).

    The buttons go on the last part, under the end of the text; that message is returned.
    """
    return await _send_parts(bot, chat_id, split_html(text) or [text], markup)


async def _send_parts(
    bot: Bot, chat_id: int, parts: list[str], markup: InlineKeyboardMarkup | None
) -> Message:
    for part in parts[:-1]:
        await bot.send_message(chat_id, part)
    return await bot.send_message(chat_id, parts[-1], reply_markup=markup)


async def redraw(
    update: Update, context: Context, template: str, /, buttons: Buttons | None = None, **ctx: Any
) -> None:
    """Replace the pressed message in place (a toggle or a page turn), not a new message."""
    await edit_in_place(update, context.services.render(template, **ctx), buttons)


async def edit_in_place(update: Update, text: str, buttons: Buttons | None) -> None:
    """Edit the pressed message; a text too long for one message continues in new ones.

    The pressed message then takes the first part and the rest follow with the buttons, so
    the person reads the whole text, top to bottom, and the buttons stay under its end.
    """
    first, *rest = split_html(text) or [text]
    markup = keyboard(buttons)
    query = callback_of(update)
    try:
        await query.edit_message_text(first, reply_markup=None if rest else markup)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise
    if rest and update.effective_chat is not None:
        await _send_parts(query.get_bot(), update.effective_chat.id, rest, markup)


async def refuse(update: Update, context: Context, refusal: Refusal) -> None:
    """Tell the user why not: as a popup for a button press (plain text: Telegram does not
    parse a popup), as an HTML message otherwise."""
    render = context.services.render
    query = update.callback_query
    if query is not None:
        try:
            await query.answer(render.refusal(refusal, plain=True)[:200], show_alert=True)
        except BadRequest:
            log.debug("callback query too old to answer")
        return
    if update.effective_chat is not None:
        await send_html(context.bot, update.effective_chat.id, render.refusal(refusal))


Handler = Callable[[Update, Context], Coroutine[Any, Any, Any]]  # what PTB calls back


def answers_refusals(func: Handler) -> Handler:
    """Turn a domain Refusal into the user's message; the conversation stays where it was."""

    @wraps(func)
    async def wrapper(update: Update, context: Context) -> Any:
        try:
            return await func(update, context)
        except Refusal as refusal:
            await refuse(update, context, refusal)
            return None

    return wrapper


async def toast(update: Update, context: Context, what: str) -> None:
    """Answer the pressed button with its short notice (toast.j2, plain: not parsed)."""
    await callback_of(update).answer(context.services.render.plain("toast", what=what))


async def turn_page(update: Update, rows: Buttons) -> None:
    """Answer the press and put the new page's buttons on the pressed message, in place."""
    query = callback_of(update)
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=keyboard(rows))


async def clear_buttons(update: Update) -> None:
    """Take the buttons off the pressed message so it cannot be pressed twice."""
    query = update.callback_query
    if query is None or query.message is None:
        return
    try:
        await query.edit_message_reply_markup(reply_markup=None)
    except BadRequest:
        log.debug("buttons already gone")


END = ConversationHandler.END


class Form(ConversationHandler[Context]):
    """A persistent conversation that says when it handled an update: the update's state
    change is then committed with it (handlers.gate.write_through), and an update no form
    handled commits only its id."""

    async def handle_update(
        self,
        update: Update,
        application: Application[Any, Context, Any, Any, Any, Any],
        check_result: Any,
        context: Context,
    ) -> object:
        context.form_moved = True
        return await super().handle_update(update, application, check_result, context)


def button_id(update: Update) -> int:
    """The id a pressed button is about (`v1:<prefix>:<id>`); a Refusal if it has none."""
    data = pressed(update)
    number = data.int_arg() if data else None
    if number is None:
        raise Refusal("stale_button")
    return number


def cancel_form(key: str) -> Handler:
    """A /cancel fallback that drops the form kept under user_data[key] and ends it."""

    async def cancel(update: Update, context: Context) -> int:
        user_data_of(context).pop(key, None)
        await say(update, context, "cancelled")
        return END

    return cancel


async def press_buttons(update: Update, context: Context) -> None:
    """Typed text where the form waits for a button: say so, and stay on the question."""
    await refuse(update, context, Refusal("choose_button"))

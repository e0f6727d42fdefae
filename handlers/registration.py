"""/start <code>: the invitation form — 姓名 → 职务 → 手机 → 确认.

```
/start code ─► NAME ─► TITLE ─► PHONE ─► CONFIRM ─(确认)─► registered
                 ▲                          │
                 └────────(重新填写)─────────┘
```
The answers live in user_data['registration'] (persisted), so a restart keeps the form.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from domain import inputs, registration
from domain.errors import Refusal
from handlers import callbacks as cb
from handlers.basics import set_menu
from handlers.common import (
    END,
    Context,
    Form,
    answers_refusals,
    callback_of,
    cancel_form,
    chat_id_of,
    clear_buttons,
    person_of,
    press_buttons,
    say,
    sender_of,
    text_of,
    user_data_of,
)
from handlers.feature import Feature
from handlers.gate import REGISTRATION_KEY
from handlers.notify import queue
from storage.db import Conn

NAME, TITLE, PHONE, CONFIRM = "reg_name", "reg_title", "reg_phone", "reg_confirm"


def _form(context: Context) -> dict:
    return user_data_of(context).setdefault(REGISTRATION_KEY, {})


@answers_refusals
async def start(update: Update, context: Context) -> str | int:
    """Check the code; on success save it and ask for the name."""
    person = await person_of(update, context)
    if not context.args:
        if person is not None:
            await say(update, context, "welcome", person=person, role_label=person.role.label)
        return END
    if person is not None:
        raise Refusal("already_registered", role=person.role.label)
    invitation = await registration.check_invite(context.services.office, context.args[0])
    user_data_of(context)[REGISTRATION_KEY] = {"code": context.args[0], "label": invitation.label}
    await say(update, context, "reg_ask_name", label=invitation.label)
    return NAME


@answers_refusals
async def got_name(update: Update, context: Context) -> str:
    """Save 姓名, ask 职务."""
    _form(context)["name"] = inputs.text(text_of(update), "name", "姓名")
    await say(update, context, "reg_ask_title")
    return TITLE


@answers_refusals
async def got_title(update: Update, context: Context) -> str:
    """Save 职务, ask 手机."""
    _form(context)["title"] = inputs.text(text_of(update), "title_of_person", "职务")
    await say(update, context, "reg_ask_phone")
    return PHONE


@answers_refusals
async def got_phone(update: Update, context: Context) -> str:
    """Save 手机 (validated), show everything for confirmation."""
    form = _form(context)
    form["phone"] = inputs.phone(text_of(update))
    buttons = [[("确认", cb.make(cb.FORM, "ok")), ("重新填写", cb.make(cb.FORM, "redo"))]]
    await say(update, context, "reg_confirm", buttons=buttons, **form_view(form))
    return CONFIRM


def form_view(form: dict) -> dict:
    return {k: form.get(k, "") for k in ("label", "name", "title", "phone")}


@answers_refusals
async def confirmed(update: Update, context: Context) -> str | int:
    """Register; tell the supervisors (and a replaced liaison); hand over waiting letters."""
    query = callback_of(update)
    await query.answer()
    await clear_buttons(update)
    form = _form(context)
    if query.data == cb.make(cb.FORM, "redo"):
        await say(update, context, "reg_ask_name", label=form.get("label", ""))
        return NAME
    user = sender_of(update)
    svc = context.services

    async def tell_others(conn: Conn, done: registration.Registered) -> None:
        """The supervisors hear of the newcomer; a replaced liaison, of the handover."""
        label = done.invitation.label
        await queue(
            conn,
            svc,
            done.supervisors,
            "reg_notify",
            label=label,
            person=done.person,
            replaced=done.replaced,
        )
        if done.replaced is not None:
            await queue(
                conn, svc, [done.replaced], "liaison_replaced", label=label, person=done.person
            )

    try:
        done = await registration.register(
            svc.office,
            form.get("code", ""),
            tg_user_id=user.id,
            chat_id=chat_id_of(update),
            username=user.username or "",
            name=form["name"],
            title=form["title"],
            phone=form["phone"],
            then=tell_others,
        )
    except Refusal:
        user_data_of(context).pop(REGISTRATION_KEY, None)
        raise
    user_data_of(context).pop(REGISTRATION_KEY, None)
    label = done.invitation.label
    await say(update, context, "reg_done", label=label, role=done.person.role.value)
    await set_menu(context, done.person)
    svc.wake_sender()
    if done.pending_letters:
        await say(update, context, "handover_letter_note")
    return END


cancel = cancel_form(REGISTRATION_KEY)


def build() -> Feature:
    text = filters.TEXT & ~filters.COMMAND
    form = Form(
        entry_points=[CommandHandler("start", start)],
        states={
            NAME: [MessageHandler(text, got_name)],
            TITLE: [MessageHandler(text, got_title)],
            PHONE: [MessageHandler(text, got_phone)],
            CONFIRM: [
                CallbackQueryHandler(confirmed, pattern=cb.pattern(cb.FORM)),
                MessageHandler(text, press_buttons),
            ],
        },
        fallbacks=[CommandHandler("cancel", cancel)],
        name="registration",
        persistent=True,
        allow_reentry=True,
    )
    return Feature((form,))

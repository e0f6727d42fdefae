"""/extend (申请延期): the lead unit asks for a later deadline; a supervisor decides on a card.

```
/extend ─► (PICK if several) ─► DATE ─► REASON ─► CONFIRM [提交/取消] ─► card to supervisors
card [同意延期] ─► grant ─► unit told
card [不同意延期] ─► REASON (handlers/reasons) ─► refuse ─► unit told
```
The item is checked when it is picked and again when the date is typed, so a liaison never
writes a reason for a request that cannot be filed; the domain checks everything once more
when the request is submitted.
"""

from __future__ import annotations

from datetime import date, timedelta

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.services import Services
from domain import extensions, inputs
from domain.errors import Refusal
from domain.extensions import Decided, Requested
from domain.items import Action
from domain.models import Item
from domain.office import Then
from handlers import callbacks as cb
from handlers.common import (
    END,
    Context,
    Form,
    answers_refusals,
    button_id,
    callback_of,
    cancel_form,
    clear_buttons,
    person_of,
    press_buttons,
    refuse,
    say,
    text_of,
    user_data_of,
)
from handlers.feature import Feature, ReasonPrompt
from handlers.notify import queue
from storage.db import Conn

KEY = "extension"
PICK, DATE, REASON, CONFIRM = "ext_pick", "ext_date", "ext_reason", "ext_confirm"


def _form(context: Context) -> dict:
    return user_data_of(context).setdefault(KEY, {})


@answers_refusals
async def start(update: Update, context: Context) -> str | int:
    """/extend: straight to the date for one item, a picker for several."""
    office = context.services.office
    person = await person_of(update, context)
    found = await extensions.extendable(office, person)
    if not found:
        raise Refusal("nothing_to_extend")
    if len(found) == 1:
        item = await extensions.check_request(office, person, found[0].id)
        return await _ask_date(update, context, item)
    rows = [[(f"{office.serial_label(i)} {i.title}"[:40], cb.make(cb.EXTEND, i.id))] for i in found]
    await say(update, context, "ext_pick", buttons=rows)
    return PICK


@answers_refusals
async def picked(update: Update, context: Context) -> str:
    """A picker button: refused at once (as a popup) if this item cannot be extended now."""
    office = context.services.office
    item = await extensions.check_request(
        office, await person_of(update, context), button_id(update)
    )
    await callback_of(update).answer()
    await clear_buttons(update)
    return await _ask_date(update, context, item)


async def _ask_date(update: Update, context: Context, item: Item) -> str:
    user_data_of(context)[KEY] = {"item": item.id}
    await say(
        update,
        context,
        "ext_ask",
        step="date",
        item=item,
        serial=context.services.office.serial_label(item),
        example=item.deadline + timedelta(days=30),
        new_deadline=None,
    )
    return DATE


async def _item_or_end(update: Update, context: Context) -> Item | None:
    """The form's item, checked again; None (form dropped, user told why) if it is too late."""
    person = await person_of(update, context)
    try:
        return await extensions.check_request(
            context.services.office, person, _form(context).get("item", -1)
        )
    except Refusal as refusal:
        user_data_of(context).pop(KEY, None)
        await refuse(update, context, refusal)
        return None


@answers_refusals
async def got_date(update: Update, context: Context) -> str | int:
    """Saves the new deadline (a bad or too early one is asked again); asks the reason."""
    item = await _item_or_end(update, context)
    if item is None:
        return END
    office = context.services.office
    new = inputs.deadline(text_of(update), office.clock.today(), office.calendar)
    extensions.check_new_deadline(item, new)
    _form(context)["new_deadline"] = new.isoformat()
    await say(
        update,
        context,
        "ext_ask",
        step="reason",
        item=item,
        serial=office.serial_label(item),
        example=None,
        new_deadline=new,
    )
    return REASON


@answers_refusals
async def got_reason(update: Update, context: Context) -> str | int:
    """Saves the reason; shows the request with 提交 / 取消."""
    reason = inputs.text(text_of(update), "reason", "延期理由")
    item = await _item_or_end(update, context)
    if item is None:
        return END
    form = _form(context)
    form["reason"] = reason
    await say(
        update,
        context,
        "ext_preview",
        buttons=[[("提交", cb.make(cb.FORM, "ok")), ("取消", cb.make(cb.FORM, "cancel"))]],
        item=item,
        serial=context.services.office.serial_label(item),
        new_deadline=date.fromisoformat(form["new_deadline"]),
        reason=reason,
    )
    return CONFIRM


async def submit(update: Update, context: Context) -> int:
    """提交 files the request and sends the card; a refusal now ends the form with the reason."""
    query = callback_of(update)
    if query.data != cb.make(cb.FORM, "ok"):
        await query.answer()
        await clear_buttons(update)
        return await cancel(update, context)
    svc = context.services
    office = svc.office
    person = await person_of(update, context)
    form = _form(context)

    async def tell_supervisors(conn: Conn, done: Requested) -> None:
        decide = [
            (Action.GRANT_EXTENSION.value, cb.make(cb.GRANT_EXTENSION, done.extension_id)),
            (Action.REFUSE_EXTENSION.value, cb.make(cb.REFUSE_EXTENSION, done.extension_id)),
        ]
        serial = office.serial_label(done.item)
        await queue(
            conn,
            svc,
            done.supervisors,
            "ext_card",
            [decide],
            done.item.id,
            request=done,
            serial=serial,
            person=person,
        )

    try:
        done = await extensions.request_extension(
            office,
            person,
            form["item"],
            date.fromisoformat(form["new_deadline"]),
            form["reason"],
            then=tell_supervisors,
        )
    except Refusal as refusal:  # the item moved on while the form was open
        user_data_of(context).pop(KEY, None)
        await clear_buttons(update)
        await refuse(update, context, refusal)
        return END
    user_data_of(context).pop(KEY, None)
    await query.answer()
    await clear_buttons(update)
    svc.wake_sender()
    serial = office.serial_label(done.item)
    await say(update, context, "ext_requested", request=done, serial=serial)
    return END


cancel = cancel_form(KEY)


def _tell_unit(svc: Services) -> Then:
    """The decision to the unit's liaisons, in the decision's own transaction."""

    async def tell_unit(conn: Conn, done: Decided) -> None:
        serial = svc.office.serial_label(done.item)
        await queue(
            conn,
            svc,
            done.liaisons,
            "ext_decided_unit",
            item_id=done.item.id,
            decision=done,
            serial=serial,
        )

    return tell_unit


async def _tell_decision(update: Update, context: Context, done: Decided) -> None:
    svc = context.services
    svc.wake_sender()
    serial = svc.office.serial_label(done.item)
    await say(update, context, "ext_decided", decision=done, serial=serial, told=len(done.liaisons))


@answers_refusals
async def grant(update: Update, context: Context) -> None:
    """同意延期: a stale or repeated press is refused by the domain and changes nothing."""
    person = await person_of(update, context)
    svc = context.services
    done = await extensions.grant_extension(
        svc.office, person, button_id(update), then=_tell_unit(svc)
    )
    await callback_of(update).answer()
    await clear_buttons(update)
    await _tell_decision(update, context, done)


async def check_refuse(update: Update, context: Context, extension_id: int) -> None:
    """不同意延期 is refused before the reason is typed if the request is no longer open."""
    person = await person_of(update, context)
    await extensions.check_decision(context.services.office, person, extension_id)


async def refuse_with_reason(
    update: Update, context: Context, extension_id: int, reason: str
) -> None:
    person = await person_of(update, context)
    svc = context.services
    done = await extensions.refuse_extension(
        svc.office, person, extension_id, reason, then=_tell_unit(svc)
    )
    await _tell_decision(update, context, done)


PROMPTS = (
    ReasonPrompt(
        cb.REFUSE_EXTENSION, Action.REFUSE_EXTENSION.value, check_refuse, refuse_with_reason
    ),
)


def build() -> Feature:
    text = filters.TEXT & ~filters.COMMAND
    pick = CallbackQueryHandler(picked, pattern=cb.pattern(cb.EXTEND))
    form = Form(
        entry_points=[CommandHandler("extend", start), pick],
        states={
            PICK: [pick, MessageHandler(text, press_buttons)],
            DATE: [MessageHandler(text, got_date)],
            REASON: [MessageHandler(text, got_reason)],
            CONFIRM: [
                CallbackQueryHandler(submit, pattern=cb.pattern(cb.FORM)),
                MessageHandler(text, press_buttons),
            ],
        },
        fallbacks=[CommandHandler("cancel", cancel)],
        name=KEY,
        persistent=True,
        allow_reentry=True,
    )
    return Feature(
        (
            form,
            CallbackQueryHandler(grant, pattern=cb.pattern(cb.GRANT_EXTENSION)),
        ),
        PROMPTS,
    )

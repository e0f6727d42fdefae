"""签收 and the 承办责任人 form that follows it.

```
[签收] ─► signed ─► [现在填写] ─┐
/responsible ─► (PICK if several) ─┴─► NAME ─► TITLE ─► PHONE ─► saved
```
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from domain import inputs, letters, queries
from domain.errors import Refusal
from domain.models import Item, Role
from domain.office import require
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
    say,
    text_of,
    toast,
    user_data_of,
)
from handlers.feature import Feature
from handlers.notify import queue
from storage.db import Conn

PICK, NAME, TITLE, PHONE = "resp_pick", "resp_name", "resp_title", "resp_phone"
KEY = "responsible"


@answers_refusals
async def sign(update: Update, context: Context) -> None:
    svc = context.services
    person = await person_of(update, context)

    async def tell_drafter(conn: Conn, done: letters.Signed) -> None:
        waiting = [u.unit_name for u in done.item.units if not u.signed_at]
        drafter = [p for p in done.supervisors if p.id == done.item.created_by]
        await queue(
            conn,
            svc,
            drafter,
            "sign_notice",
            item_id=done.item.id,
            item=done.item,
            unit=done.unit,
            serial=svc.office.serial_label(done.item),
            person=person,
            waiting=waiting,
        )

    done = await letters.sign(svc.office, person, button_id(update), then=tell_drafter)
    svc.wake_sender()
    await toast(update, context, "signed")
    await clear_buttons(update)
    serial = svc.office.serial_label(done.item)
    await say(
        update,
        context,
        "sign_done",
        item=done.item,
        unit=done.unit,
        serial=serial,
        buttons=[[("现在填写承办责任人", cb.make(cb.RESPONSIBLE, done.item.id))]],
    )


@answers_refusals
async def start(update: Update, context: Context) -> str | int:
    """/responsible: straight to the form for one item, a picker for several."""
    person = require(await person_of(update, context), Role.LIAISON)
    tasks = await queries.awaiting_responsible(context.services.office, person)
    if not tasks:
        raise Refusal("nothing_to_do")
    if len(tasks) == 1:
        return await _ask_name(update, context, tasks[0].item)
    svc = context.services
    rows = [
        [
            (
                f"{svc.office.serial_label(t.item)} {t.item.title}"[:40],
                cb.make(cb.RESPONSIBLE, t.item.id),
            )
        ]
        for t in tasks
    ]
    await say(update, context, "resp_pick", buttons=rows)
    return PICK


@answers_refusals
async def picked(update: Update, context: Context) -> str | int:
    """A 现在填写 / picker button: the item must be the presser's unit's and signed."""
    person = require(await person_of(update, context), Role.LIAISON)
    item = await queries.get_item(context.services.office, button_id(update))
    mine = next((u for u in item.units if u.unit_id == person.unit_id), None)
    if mine is None:
        raise Refusal("not_your_item")
    if not mine.signed_at:
        raise Refusal("sign_first")
    await callback_of(update).answer()
    await clear_buttons(update)
    return await _ask_name(update, context, item)


async def _ask_name(update: Update, context: Context, item: Item) -> str:
    user_data_of(context)[KEY] = {"item": item.id}
    await say(
        update,
        context,
        "resp_ask_name",
        item=item,
        serial=context.services.office.serial_label(item),
    )
    return NAME


@answers_refusals
async def got_name(update: Update, context: Context) -> str:
    user_data_of(context).setdefault(KEY, {})["name"] = inputs.text(text_of(update), "name", "姓名")
    await say(update, context, "resp_ask_title")
    return TITLE


@answers_refusals
async def got_title(update: Update, context: Context) -> str:
    user_data_of(context).setdefault(KEY, {})["title"] = inputs.text(
        text_of(update), "title_of_person", "职务"
    )
    await say(update, context, "resp_ask_phone")
    return PHONE


@answers_refusals
async def got_phone(update: Update, context: Context) -> int:
    form = user_data_of(context).setdefault(KEY, {})
    phone = inputs.phone(text_of(update))
    svc = context.services
    person = await person_of(update, context)
    item = await letters.set_responsible(
        svc.office, person, form.get("item", -1), form.get("name", ""), form.get("title", ""), phone
    )
    user_data_of(context).pop(KEY, None)
    await say(
        update,
        context,
        "resp_done",
        item=item,
        serial=svc.office.serial_label(item),
        name=form["name"],
        title=form["title"],
        phone=phone,
    )
    return END


cancel = cancel_form(KEY)


def build() -> Feature:
    text = filters.TEXT & ~filters.COMMAND
    pick = CallbackQueryHandler(picked, pattern=cb.pattern(cb.RESPONSIBLE))
    form = Form(
        entry_points=[CommandHandler("responsible", start), pick],
        states={
            PICK: [pick, MessageHandler(text, press_buttons)],
            NAME: [MessageHandler(text, got_name)],
            TITLE: [MessageHandler(text, got_title)],
            PHONE: [MessageHandler(text, got_phone)],
        },
        fallbacks=[CommandHandler("cancel", cancel)],
        name=KEY,
        persistent=True,
        allow_reentry=True,
    )
    return Feature(
        (
            form,
            CallbackQueryHandler(sign, pattern=cb.pattern(cb.SIGN)),
        )
    )

"""/complete (申请办结): the lead unit's completion report, and its resubmission after a return.

```
/complete or [重新报送办结报告] ─► (PICK) ─► TEXT ─► FILES ─► CONFIRM ─► review cards to supervisors
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

from domain import inputs, progress, queries
from domain.errors import Refusal
from domain.items import Action, completion_action
from domain.models import Item
from handlers import attachments, review
from handlers import callbacks as cb
from handlers.common import (
    END,
    Context,
    Form,
    answers_refusals,
    callback_of,
    cancel_form,
    clear_buttons,
    message_of,
    person_of,
    press_buttons,
    pressed,
    say,
    text_of,
    user_data_of,
)
from handlers.feature import Feature

KEY = "completion"
PICK, TEXT, FILES, CONFIRM = "cp_pick", "cp_text", "cp_files", "cp_confirm"


def _form(context: Context) -> dict:
    return user_data_of(context).setdefault(KEY, {"files": []})


async def _item(context: Context) -> Item:
    return await queries.get_item(context.services.office, _form(context).get("item"))


@answers_refusals
async def start(update: Update, context: Context) -> str | int:
    office = context.services.office
    found = await progress.completable(office, await person_of(update, context))
    if not found:
        raise Refusal("nothing_to_complete")
    if len(found) == 1:
        return await _begin(update, context, found[0].id)
    rows = [
        [(f"{office.serial_label(i)} {i.title}"[:40], cb.make(cb.COMPLETE, i.id))] for i in found
    ]
    await say(update, context, "progress_pick", buttons=rows, what="申请办结")
    return PICK


@answers_refusals
async def picked(update: Update, context: Context) -> str:
    data = pressed(update)
    item_id = data.int_arg() if data else None
    office = context.services.office
    allowed = {i.id for i in await progress.completable(office, await person_of(update, context))}
    if item_id not in allowed:
        raise Refusal("nothing_to_complete")
    await callback_of(update).answer()
    await clear_buttons(update)
    return await _begin(update, context, item_id)


async def _begin(update: Update, context: Context, item_id: int) -> str:
    user_data_of(context)[KEY] = {"item": item_id, "files": []}
    item = await _item(context)
    await say(
        update,
        context,
        "completion_ask",
        step="text",
        item=item,
        files=[],
        serial=context.services.office.serial_label(item),
        resubmit=completion_action(item.status) is Action.RESUBMIT_COMPLETION,
    )
    return TEXT


@answers_refusals
async def got_text(update: Update, context: Context) -> str:
    _form(context)["text"] = inputs.text(text_of(update), "instruction", "办结报告")
    item = await _item(context)
    await say(
        update,
        context,
        "completion_ask",
        step="files",
        item=item,
        files=[],
        serial=context.services.office.serial_label(item),
        resubmit=False,
        buttons=[[("完成", cb.make(cb.DONE, "cp"))]],
    )
    return FILES


@answers_refusals
async def got_file(update: Update, context: Context) -> str:
    form = _form(context)
    form["files"].append(await attachments.receive(message_of(update), context, len(form["files"])))
    await say(
        update,
        context,
        "file_received",
        name=form["files"][-1]["file_name"],
        count=len(form["files"]),
        buttons=[[("完成", cb.make(cb.DONE, "cp"))]],
    )
    return FILES


@answers_refusals
async def files_done(update: Update, context: Context) -> str:
    await callback_of(update).answer()
    await clear_buttons(update)
    form = _form(context)
    item = await _item(context)
    buttons = [[("提交", cb.make(cb.FORM, "ok")), ("取消", cb.make(cb.FORM, "cancel"))]]
    await say(
        update,
        context,
        "completion_preview",
        buttons=buttons,
        item=item,
        text=form.get("text", ""),
        files=form["files"],
        serial=context.services.office.serial_label(item),
    )
    return CONFIRM


@answers_refusals
async def submit(update: Update, context: Context) -> int:
    query = callback_of(update)
    await query.answer()
    await clear_buttons(update)
    if query.data != cb.make(cb.FORM, "ok"):
        return await cancel(update, context)
    form = _form(context)
    svc = context.services
    done = await progress.submit_completion(
        svc.office,
        await person_of(update, context),
        form["item"],
        form["text"],
        attachments.as_records(form["files"]),
        then=review.review_cards(svc),
    )
    svc.wake_sender()
    user_data_of(context).pop(KEY, None)
    await say(
        update, context, "completion_done", report=done, serial=svc.office.serial_label(done.item)
    )
    return END


cancel = cancel_form(KEY)


def build() -> Feature:
    text = filters.TEXT & ~filters.COMMAND
    pick = CallbackQueryHandler(picked, pattern=cb.pattern(cb.COMPLETE))
    form = Form(
        entry_points=[CommandHandler("complete", start), pick],
        states={
            PICK: [pick],
            TEXT: [MessageHandler(text, got_text)],
            FILES: [
                MessageHandler(filters.PHOTO | filters.Document.ALL, got_file),
                CallbackQueryHandler(files_done, pattern=cb.pattern(cb.DONE, "cp")),
                MessageHandler(text, press_buttons),
            ],
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
    return Feature((form,))

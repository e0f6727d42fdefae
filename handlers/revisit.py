"""回访: the lead unit's short form and the supervisors' card (the tick's part is in
bot/revisit_tick.py).

```
tick ─► ask_due_revisits ─► [填写回访情况] ─► SUSTAINED [是][否] ─► CURRENT (text)
     ─► PROBLEMS ([无] or text) ─► CONFIRM [提交][取消] ─► answered ─► every supervisor's card
card ─[回访完成]─► 已办结, lead unit told
     ─[重办]─► REASON (handlers/reasons) ─► 办理中, every unit told
```
Answers wait in user_data['revisit'] (persisted) until 提交. Every press is checked again in
the database, so an old button, a second liaison or another unit's liaison changes nothing.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from domain import inputs, revisits
from domain.errors import Refusal
from domain.items import Action
from handlers import callbacks as cb
from handlers.common import (
    END,
    Buttons,
    Context,
    Form,
    answers_refusals,
    button_id,
    callback_of,
    cancel_form,
    clear_buttons,
    person_of,
    pressed,
    refuse,
    registered,
    say,
    text_of,
    user_data_of,
)
from handlers.feature import Feature, ReasonPrompt
from handlers.notify import queue
from storage.db import Conn

KEY = "revisit"
SUSTAINED, CURRENT, PROBLEMS, CONFIRM = "sustained", "current", "problems", "confirm"


def _form(context: Context) -> dict:
    return user_data_of(context).setdefault(KEY, {})


def _button(form: dict, step: str, label: str, choice: object) -> tuple[str, str]:
    return label, cb.make(cb.REVISIT_CHOICE, form.get("revisit", 0), step, choice)


async def _show(update: Update, context: Context, step: str, *, again: bool = False) -> str:
    """Ask `step` (the preview for CONFIRM), with its buttons; `again` after a wrong answer."""
    form = _form(context)
    form["at"] = step
    facts = dict(serial=form.get("serial", ""), title=form.get("title", ""), again=again)
    if step == CONFIRM:
        buttons = [[_button(form, step, "提交", "ok"), _button(form, step, "取消", "cancel")]]
        await say(update, context, "revisit_preview", buttons=buttons, answers=form, **facts)
        return step
    choices = {
        SUSTAINED: [[_button(form, step, "是", 1), _button(form, step, "否", 0)]],
        PROBLEMS: [[_button(form, step, "无", "none")]],
    }
    await say(update, context, "revisit_ask", buttons=choices.get(step), step=step, **facts)
    return step


async def _choice(update: Update, context: Context, step: str) -> str:
    """The choice a form button carries, if it belongs to this form at this step."""
    data = pressed(update)
    expected = (str(_form(context).get("revisit")), step)
    if data is None or len(data.args) != 3 or data.args[:2] != expected:
        raise Refusal("stale_button")
    await callback_of(update).answer()
    await clear_buttons(update)
    return data.args[2]


@answers_refusals
async def begin(update: Update, context: Context) -> str:
    """[填写回访情况]: only the lead unit's liaison, only while the revisit awaits an answer."""
    svc = context.services
    revisit_id = button_id(update)
    item = await revisits.may_answer(svc.office, await person_of(update, context), revisit_id)
    await callback_of(update).answer()
    user_data_of(context)[KEY] = {
        "revisit": revisit_id,
        "serial": svc.office.serial_label(item),
        "title": item.title,
    }
    return await _show(update, context, SUSTAINED)


@answers_refusals
async def got_sustained(update: Update, context: Context) -> str:
    """是 / 否 saved; asks the 现状."""
    choice = await _choice(update, context, SUSTAINED)
    if choice not in ("0", "1"):
        raise Refusal("stale_button")
    _form(context)["sustained"] = choice == "1"
    return await _show(update, context, CURRENT)


@answers_refusals
async def got_current(update: Update, context: Context) -> str:
    """现状 saved; asks the 存在问题."""
    _form(context)["current"] = inputs.text(text_of(update), "instruction", "现状")
    return await _show(update, context, PROBLEMS)


@answers_refusals
async def got_problems(update: Update, context: Context) -> str:
    """存在问题 typed (无 / 没有 count as none); shows the preview."""
    _form(context)["problems"] = inputs.text(text_of(update), "instruction", "存在问题")
    return await _show(update, context, CONFIRM)


@answers_refusals
async def got_no_problems(update: Update, context: Context) -> str:
    """[无]: no problems; shows the preview."""
    if await _choice(update, context, PROBLEMS) != "none":
        raise Refusal("stale_button")
    _form(context)["problems"] = ""
    return await _show(update, context, CONFIRM)


@answers_refusals
async def got_confirm(update: Update, context: Context) -> int:
    """[提交] stores the answer and sends the card to every supervisor; [取消] drops it."""
    if await _choice(update, context, CONFIRM) != "ok":
        return await cancel(update, context)
    form = user_data_of(context).pop(KEY, {})
    svc = context.services
    office = svc.office
    person = await registered(update, context)

    async def tell_supervisors(conn: Conn, done: revisits.Answered) -> None:
        await queue(
            conn,
            svc,
            done.supervisors,
            "revisit_card",
            buttons=card_buttons(done.revisit_id),
            item_id=done.item.id,
            answer=done,
            serial=office.serial_label(done.item),
            who=person.name,
        )

    try:
        done = await revisits.answer(
            office,
            person,
            form.get("revisit", -1),
            form.get("sustained", False),
            form.get("current", ""),
            form.get("problems", ""),
            then=tell_supervisors,
        )
    except Refusal as refusal:  # answered meanwhile by another liaison: say so, end the form
        await refuse(update, context, refusal)
        return END
    svc.wake_sender()
    serial = office.serial_label(done.item)
    await say(update, context, "revisit_done", serial=serial, title=done.item.title)
    return END


async def reask(update: Update, context: Context) -> str:
    """Anything but the expected answer: the same question again, with its buttons."""
    step = _form(context).get("at", SUSTAINED)
    return await _show(update, context, step, again=True)


cancel = cancel_form(KEY)


def card_buttons(revisit_id: int) -> Buttons:
    return [
        [
            ("回访完成", cb.make(cb.REVISIT_DONE, revisit_id)),
            ("重办", cb.make(cb.REVISIT_REOPEN, revisit_id)),
        ]
    ]


@answers_refusals
async def finish_pressed(update: Update, context: Context) -> None:
    """[回访完成]: the item is closed again; the lead unit is thanked."""
    svc = context.services
    office = svc.office

    async def thank_unit(conn: Conn, done: revisits.Decided) -> None:
        serial = office.serial_label(done.item)
        await queue(
            conn,
            svc,
            done.liaisons,
            "revisit_finished_unit",
            item_id=done.item.id,
            item=done.item,
            serial=serial,
        )

    person = await person_of(update, context)
    done = await revisits.finish(office, person, button_id(update), then=thank_unit)
    svc.wake_sender()
    await callback_of(update).answer()
    await clear_buttons(update)
    serial = office.serial_label(done.item)
    await say(update, context, "revisit_finished", item=done.item, serial=serial)


async def check_reopen(update: Update, context: Context, revisit_id: int) -> None:
    """重办 is refused before the reason is typed if the revisit was already decided."""
    person = await person_of(update, context)
    await revisits.may_decide(context.services.office, person, revisit_id, Action.REOPEN)


async def reopen_with_reason(
    update: Update, context: Context, revisit_id: int, reason: str
) -> None:
    svc = context.services
    office = svc.office

    async def tell_units(conn: Conn, done: revisits.Decided) -> None:
        await queue(
            conn,
            svc,
            done.liaisons,
            "revisit_reopened_unit",
            item_id=done.item.id,
            item=done.item,
            serial=office.serial_label(done.item),
            reason=reason,
        )

    person = await person_of(update, context)
    done = await revisits.reopen(office, person, revisit_id, reason, then=tell_units)
    svc.wake_sender()
    serial = office.serial_label(done.item)
    await say(
        update,
        context,
        "revisit_reopened",
        told=len(done.liaisons),
        item=done.item,
        serial=serial,
        reason=reason,
    )


PROMPTS = (ReasonPrompt(cb.REVISIT_REOPEN, Action.REOPEN.value, check_reopen, reopen_with_reason),)


def build() -> Feature:
    text = filters.TEXT & ~filters.COMMAND
    other = ~filters.COMMAND  # a photo, a sticker, text where a button is expected
    choice = cb.pattern(cb.REVISIT_CHOICE)
    form = Form(
        entry_points=[CallbackQueryHandler(begin, pattern=cb.pattern(cb.REVISIT_FORM))],
        states={
            SUSTAINED: [
                CallbackQueryHandler(got_sustained, pattern=choice),
                MessageHandler(other, reask),
            ],
            CURRENT: [MessageHandler(text, got_current), MessageHandler(other, reask)],
            PROBLEMS: [
                CallbackQueryHandler(got_no_problems, pattern=choice),
                MessageHandler(text, got_problems),
                MessageHandler(other, reask),
            ],
            CONFIRM: [
                CallbackQueryHandler(got_confirm, pattern=choice),
                MessageHandler(other, reask),
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
            CallbackQueryHandler(finish_pressed, pattern=cb.pattern(cb.REVISIT_DONE)),
        ),
        PROMPTS,
    )

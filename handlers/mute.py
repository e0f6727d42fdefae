"""/mute: pause a unit's reminders until a date, chosen rather than typed.

```
/mute ─► unit picker (paged) ─┐
/mute 单位 ───────────────────┴─► DATE [3个工作日] [5个工作日] [10个工作日] [至月底] [取消暂停]
                                    ─(button, or a typed date)─► muted / lifted
/mute 单位 日期 | 取消 ─► muted / lifted at once
```
Every press names its unit and is authorized again from the database (supervisors only).
"""

from __future__ import annotations

from datetime import date

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from domain import inputs, pushes, queries
from domain.errors import Refusal
from domain.models import Role
from domain.office import require
from handlers import callbacks as cb
from handlers.common import (
    END,
    Context,
    Form,
    answers_refusals,
    callback_of,
    cancel_form,
    clear_buttons,
    in_rows,
    person_of,
    pressed,
    say,
    text_of,
    user_data_of,
)
from handlers.feature import Feature
from handlers.unit_picker import page_turner, unit_rows

FIELD = "mu"
KEY = "mute"
DATE = "mute_date"
UNMUTE = {"取消", "取消暂停", "恢复", "off"}


@answers_refusals
async def mute_cmd(update: Update, context: Context) -> str | int | None:
    """/mute alone picks the unit; /mute 单位 picks the date; /mute 单位 日期 acts."""
    require(await person_of(update, context), Role.SUPERVISOR)
    args = context.args or []
    office = context.services.office
    if not args:
        found = await queries.unit_list(office)
        if not found:
            raise Refusal("no_units")
        rows = unit_rows(found, FIELD, 0, context.services.settings.page_size)
        await say(update, context, "mute_pick_unit", buttons=rows)
        return END
    if len(args) == 1:
        return await _ask_date(update, context, await pushes.find_unit(office, args[0]))
    until = _typed_date(context, args[-1])
    unit = await pushes.mute(office, await person_of(update, context), " ".join(args[:-1]), until)
    await say(update, context, "mute_done", unit=unit, until=until)
    return END


@answers_refusals
async def picked_unit(update: Update, context: Context) -> str | None:
    require(await person_of(update, context), Role.SUPERVISOR)
    data = pressed(update)
    unit_id = data.int_arg(1) if data else None
    if unit_id is None:
        raise Refusal("stale_button")
    await callback_of(update).answer()
    return await _ask_date(update, context, unit_id)


async def _ask_date(update: Update, context: Context, unit_id: int) -> str:
    office = context.services.office
    unit, _ = await queries.unit_and_liaisons(office, unit_id)
    today = office.clock.today()
    choices = pushes.mute_choices(today, office.calendar)
    buttons = [
        (_choice_label(key, day), cb.make(cb.MUTE_DATE, unit_id, key))
        for key, day in choices.items()
    ]
    user_data_of(context)[KEY] = unit_id
    await say(update, context, "mute_ask_date", buttons=in_rows(buttons, 2), unit=unit)
    return DATE


def _choice_label(key: str, day: date | None) -> str:
    if day is None:
        return "取消暂停"
    head = "至月底" if key == "m" else f"{key}个工作日"
    return f"{head}（{day.month}月{day.day}日）"


@answers_refusals
async def picked_date(update: Update, context: Context) -> int:
    """A date button: its choice worked out again today, for the unit the button names."""
    data = pressed(update)
    unit_id = data.int_arg(0) if data else None
    office = context.services.office
    choices = pushes.mute_choices(office.clock.today(), office.calendar)
    key = data.args[1] if data and len(data.args) == 2 else ""
    if unit_id is None or key not in choices:
        raise Refusal("stale_button")
    unit = await pushes.mute_unit(office, await person_of(update, context), unit_id, choices[key])
    user_data_of(context).pop(KEY, None)
    await callback_of(update).answer()
    await clear_buttons(update)
    await say(update, context, "mute_done", unit=unit, until=choices[key])
    return END


@answers_refusals
async def typed_date(update: Update, context: Context) -> int | None:
    """A date typed instead of pressed (a bad one is asked again)."""
    unit_id = user_data_of(context).get(KEY, -1)  # -1: no such unit, refused as one
    until = _typed_date(context, text_of(update))
    office = context.services.office
    unit = await pushes.mute_unit(office, await person_of(update, context), unit_id, until)
    user_data_of(context).pop(KEY, None)
    await say(update, context, "mute_done", unit=unit, until=until)
    return END


def _typed_date(context: Context, text: str) -> date | None:
    text = text.strip()
    if text in UNMUTE:
        return None
    return inputs.planned_date(text, context.services.office.clock.today())


def build() -> Feature:
    form = Form(
        entry_points=[
            CommandHandler("mute", mute_cmd),
            CallbackQueryHandler(picked_unit, pattern=cb.pattern(cb.UNIT, FIELD)),
            CallbackQueryHandler(picked_date, pattern=cb.pattern(cb.MUTE_DATE)),
        ],
        states={
            DATE: [
                CallbackQueryHandler(picked_date, pattern=cb.pattern(cb.MUTE_DATE)),
                MessageHandler(filters.TEXT & ~filters.COMMAND, typed_date),
            ]
        },
        fallbacks=[CommandHandler("cancel", cancel_form(KEY))],
        name=KEY,
        persistent=True,
        allow_reentry=True,
    )
    return Feature(
        (
            form,
            page_turner(FIELD),
        )
    )

"""Read-only commands: /units, /items, /item [编号] (a picker without one), /mytasks."""

from __future__ import annotations

import json

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from domain import picks, pushes, queries
from domain.models import Event, Item, Person, Role
from domain.office import Office
from domain.plan import views as plan_views
from handlers import callbacks as cb
from handlers import liaisons, lifecycle, pickers
from handlers.common import (
    Context,
    answers_refusals,
    button_id,
    callback_of,
    person_of,
    registered,
    say,
)
from handlers.feature import Feature
from handlers.reminders import resend_buttons

MAX_ROWS = 30  # one message stays well under Telegram's 4096 characters


@answers_refusals
async def units_cmd(update: Update, context: Context) -> None:
    """Every unit's liaisons; a supervisor gets 停用联络员 under the last part."""
    person = await registered(update, context)
    rows = await queries.units_overview(context.services.office, person)
    missing = sum(1 for r in rows if not r.reachable)
    staffed = any(r.primary or r.deputies for r in rows)
    buttons = [liaisons.open_button()] if staffed and person.role is Role.SUPERVISOR else None
    starts = range(0, max(len(rows), 1), 40)
    for start in starts:
        part = rows[start : start + 40]
        last = buttons if start == starts[-1] else None
        await say(update, context, "units_list", units=part, missing=missing, buttons=last)


@answers_refusals
async def items_cmd(update: Update, context: Context) -> None:
    office = context.services.office
    query = " ".join(context.args or [])
    found = await queries.open_items(office, await person_of(update, context), query)
    lights = await queries.lights(office, [i.id for i in found[:MAX_ROWS]])
    rows = [
        {"item": i, "serial": office.serial_label(i), "light": lights.get(i.id)}
        for i in found[:MAX_ROWS]
    ]
    await say(update, context, "items_list", entries=rows, query=query)


@answers_refusals
async def item_cmd(update: Update, context: Context) -> None:
    """/item 编号, or /item alone: a picker of the items this person may look at."""
    ref = " ".join(context.args or [])
    if not ref:
        await pickers.offer(update, context, "item")
        return
    person = await person_of(update, context)
    with pickers.usage("item"):
        item, timeline = await queries.item_record(context.services.office, person, ref)
    await _show_item(update, context, person, item, timeline)


@answers_refusals
async def item_picked(update: Update, context: Context) -> None:
    """A pick is checked as a typed 编号 is: a liaison sees only their unit's items."""
    person = await person_of(update, context)
    office = context.services.office
    item, timeline = await queries.item_record_by_id(office, person, button_id(update))
    await callback_of(update).answer()
    await _show_item(update, context, person, item, timeline)


async def _show_item(
    update: Update, context: Context, person: Person | None, item: Item, timeline: list[Event]
) -> None:
    office = context.services.office
    undelivered = await pushes.undelivered(office, person, item.id)
    events = [
        {
            "at": r.at,
            "action": r.action,
            "who": r.who,
            "unit": r.unit,
            "note": _note(r.detail),
        }
        for r in timeline
    ]
    await say(
        update,
        context,
        "item_record",
        item=item,
        serial=office.serial_label(item),
        timeline=events[-40:],
        light=(await queries.lights(office, [item.id])).get(item.id),
        planned=await plan_views.for_item(office, item),
        undelivered=undelivered,
        buttons=lifecycle.item_action_buttons(item, person) + resend_buttons(undelivered),
    )


async def _viewable(office: Office, person: Person | None) -> pickers.Choices:
    return pickers.item_choices(office, await picks.viewable(office, person), cb.SHOW_ITEM)


def _note(detail: str) -> str:
    """The human part of an audit row's detail: a reason or a serial, if any."""
    data = json.loads(detail or "{}")
    return str(data.get("reason") or data.get("note") or data.get("name") or "")


@answers_refusals
async def mytasks_cmd(update: Update, context: Context) -> None:
    office = context.services.office
    tasks = await queries.my_tasks(office, await person_of(update, context))
    rows = [
        {
            "item": t.item,
            "mine": t.mine,
            "mine_waiting": t.waiting_for,
            "serial": office.serial_label(t.item),
        }
        for t in tasks[:MAX_ROWS]
    ]
    await say(update, context, "my_tasks", tasks=rows)


def build() -> Feature:
    return Feature(
        (
            CommandHandler("units", units_cmd),
            CommandHandler("items", items_cmd),
            CommandHandler("item", item_cmd),
            CallbackQueryHandler(item_picked, pattern=cb.pattern(cb.SHOW_ITEM)),
            CommandHandler("mytasks", mytasks_cmd),
        ),
        pickers=(("item", pickers.Picker("要查看的事项", "可以查看的事项", _viewable)),),
    )

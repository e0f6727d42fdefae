"""暂停 / 恢复 / 撤销 for supervisors: buttons under an item, and /suspend, /resume, /revoke.

```
[暂停] ─► REASON (handlers/reasons) ─► suspend ─► units told ─► [恢复] [撤销]
[恢复] ─► resume ─► units told
[撤销] ─► REASON (handlers/reasons) ─► cancel_item ─► units told
/suspend 12, /revoke 12 ─► the item's card with that one button ─► as above
/resume 12 ─► resume
/suspend, /resume, /revoke ─► picker of the items it applies to; a pick is that item's button
```
/suspend and /revoke show the item first: a mistyped 编号 then shows the wrong title instead
of stopping the wrong item. /resume acts at once; it undoes nothing that cannot be redone.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.services import Services
from domain import lifecycle, picks, queries
from domain.items import Action, allowed
from domain.lifecycle import Changed
from domain.models import Item, Person, Role
from domain.office import Office, Then, require
from handlers import callbacks as cb
from handlers import pickers
from handlers.common import (
    Context,
    Handler,
    answers_refusals,
    button_id,
    callback_of,
    clear_buttons,
    person_of,
    say,
)
from handlers.feature import Feature, ReasonPrompt
from handlers.notify import queue
from storage.db import Conn

# the actions this module offers, with the button prefix that carries each
PREFIXES: dict[Action, str] = {
    Action.SUSPEND: cb.SUSPEND,
    Action.RESUME: cb.RESUME,
    Action.CANCEL: cb.REVOKE,
}
COMMANDS: dict[str, Action] = {"suspend": Action.SUSPEND, "revoke": Action.CANCEL}


def item_action_buttons(item: Item, person: Person | None) -> list[list[tuple[str, str]]]:
    """The 暂停 / 恢复 / 撤销 buttons this person may press on this item now (may be none)."""
    if person is None or not person.active:
        return []
    actions = allowed(item.status, person.role, tuple(PREFIXES))
    row = [(action.value, cb.make(PREFIXES[action], item.id)) for action in actions]
    return [row] if row else []


def _facts(office: Office, done: Changed, kind: str) -> dict[str, Any]:
    serial = office.serial_label(done.item)
    return dict(kind=kind, item=done.item, serial=serial, reason=done.reason)


def _tell_units(svc: Services, kind: str) -> Then:
    """The change to every liaison of the item's units, in the change's own transaction."""

    async def tell_units(conn: Conn, done: Changed) -> None:
        facts = _facts(svc.office, done, kind)
        await queue(conn, svc, done.liaisons, "life_unit", item_id=done.item.id, **facts)

    return tell_units


async def _announce(update: Update, context: Context, done: Changed, kind: str) -> None:
    """Tell the supervisor who will hear of it and which units nobody can tell."""
    svc = context.services
    svc.wake_sender()
    facts = _facts(svc.office, done, kind)
    buttons = None
    if kind == "suspend":
        buttons = item_action_buttons(done.item, await person_of(update, context))
    await say(
        update,
        context,
        "life_done",
        buttons=buttons,
        told=len(done.liaisons),
        unreached=done.unreached,
        **facts,
    )


@answers_refusals
async def resume_pressed(update: Update, context: Context) -> None:
    person = await person_of(update, context)
    svc = context.services
    done = await lifecycle.resume(
        svc.office, person, button_id(update), then=_tell_units(svc, "resume")
    )
    await callback_of(update).answer()
    await clear_buttons(update)
    await _announce(update, context, done, "resume")


async def check_suspend(update: Update, context: Context, item_id: int) -> None:
    """暂停 is refused before the reason is typed if the item cannot be suspended now."""
    person = await person_of(update, context)
    await lifecycle.may(context.services.office, person, item_id, Action.SUSPEND)


async def suspend_with_reason(update: Update, context: Context, item_id: int, reason: str) -> None:
    person = await person_of(update, context)
    svc = context.services
    done = await lifecycle.suspend(
        svc.office, person, item_id, reason, then=_tell_units(svc, "suspend")
    )
    await _announce(update, context, done, "suspend")


async def check_revoke(update: Update, context: Context, item_id: int) -> None:
    """撤销 is refused before the reason is typed if the item cannot be withdrawn now."""
    person = await person_of(update, context)
    await lifecycle.may(context.services.office, person, item_id, Action.CANCEL)


async def revoke_with_reason(update: Update, context: Context, item_id: int, reason: str) -> None:
    person = await person_of(update, context)
    svc = context.services
    done = await lifecycle.cancel_item(
        svc.office, person, item_id, reason, then=_tell_units(svc, "cancel")
    )
    await _announce(update, context, done, "cancel")


PROMPTS = (
    ReasonPrompt(cb.SUSPEND, Action.SUSPEND.value, check_suspend, suspend_with_reason),
    ReasonPrompt(cb.REVOKE, Action.CANCEL.value, check_revoke, revoke_with_reason),
)


async def _item_of_command(update: Update, context: Context, command: str) -> tuple[Person, Item]:
    person = require(await person_of(update, context), Role.SUPERVISOR)
    ref = " ".join(context.args or [])
    with pickers.usage(command):
        return person, await queries.find_item(context.services.office, ref)


def card_cmd(command: str, action: Action) -> Handler:
    """/suspend 编号 or /revoke 编号: the item and its one button, if the action is allowed."""

    @answers_refusals
    async def show_card(update: Update, context: Context) -> None:
        if not context.args:
            await pickers.offer(update, context, command)
            return
        person, item = await _item_of_command(update, context, command)
        office = context.services.office
        await lifecycle.may(office, person, item.id, action)
        await say(
            update,
            context,
            "life_card",
            buttons=[[(action.value, cb.make(PREFIXES[action], item.id))]],
            item=item,
            serial=office.serial_label(item),
            action=action.value,
        )

    return show_card


@answers_refusals
async def resume_cmd(update: Update, context: Context) -> None:
    """/resume 编号: back to where the item was when it was suspended."""
    if not context.args:
        await pickers.offer(update, context, "resume")
        return
    person, item = await _item_of_command(update, context, "resume")
    svc = context.services
    done = await lifecycle.resume(svc.office, person, item.id, then=_tell_units(svc, "resume"))
    await _announce(update, context, done, "resume")


def _offering(action: Action) -> pickers.Lister:
    """The items this supervisor may take `action` on; a press is that action's own button."""

    async def choices(office: Office, person: Person | None) -> pickers.Choices:
        found = await picks.for_action(office, person, action)
        return pickers.item_choices(office, found, PREFIXES[action])

    return choices


PICKERS = tuple(
    (command, pickers.Picker(f"要{act.value}的事项", f"可以{act.value}的事项", _offering(act)))
    for command, act in (
        ("suspend", Action.SUSPEND),
        ("resume", Action.RESUME),
        ("revoke", Action.CANCEL),
    )
)


def build() -> Feature:
    return Feature(
        (
            CallbackQueryHandler(resume_pressed, pattern=cb.pattern(cb.RESUME)),
            *(CommandHandler(name, card_cmd(name, action)) for name, action in COMMANDS.items()),
            CommandHandler("resume", resume_cmd),
        ),
        PROMPTS,
        PICKERS,
    )

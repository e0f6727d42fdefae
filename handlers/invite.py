"""/invite: a supervisor picks a unit and a kind of liaison and gets a one-time deep link.

Stateless: every button carries the unit it is about, and every press re-checks that the
presser is a supervisor.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from domain import queries, registration
from domain.errors import Refusal
from domain.models import LiaisonKind, Role
from domain.office import require
from handlers import callbacks as cb
from handlers.common import (
    Context,
    answers_refusals,
    callback_of,
    clear_buttons,
    person_of,
    pressed,
    say,
)
from handlers.feature import Feature
from handlers.unit_picker import page_turner, unit_rows

FIELD = "inv"
KINDS = {"p": LiaisonKind.PRIMARY, "d": LiaisonKind.DEPUTY}


def deep_link(context: Context, code: str) -> str:
    username = context.services.settings.bot_username or context.bot.username
    return f"https://t.me/{username}?start={code}"


@answers_refusals
async def invite(update: Update, context: Context) -> None:
    """/invite [单位名]: one match goes straight to the kind; otherwise a paged list."""
    require(await person_of(update, context), Role.SUPERVISOR)
    query = " ".join(context.args or []).strip()
    office = context.services.office
    found = await queries.unit_list(office, query)
    if not found:
        raise Refusal("unit_not_found", text=query[:30]) if query else Refusal("no_units")
    exact = [u for u in found if query in (u.name, u.short_name)]
    if query and (len(found) == 1 or len(exact) == 1):
        await _ask_kind(update, context, (exact or found)[0].id)
        return
    rows = unit_rows(found, FIELD, 0, context.services.settings.page_size)
    await say(update, context, "invite_pick_unit", buttons=rows, query=query)


@answers_refusals
async def picked_unit(update: Update, context: Context) -> None:
    require(await person_of(update, context), Role.SUPERVISOR)
    data = pressed(update)
    unit_id = data.int_arg(1) if data and data.args[:1] == (FIELD,) else None
    if unit_id is None:
        raise Refusal("stale_button")
    await callback_of(update).answer()
    await _ask_kind(update, context, unit_id)


async def _ask_kind(update: Update, context: Context, unit_id: int) -> None:
    unit, current = await queries.unit_and_liaisons(context.services.office, unit_id)
    primary = next((p for p in current if p.liaison_kind is LiaisonKind.PRIMARY), None)
    buttons = [[(kind.label, cb.make(cb.KIND, unit_id, key)) for key, kind in KINDS.items()]]
    await say(update, context, "invite_pick_kind", buttons=buttons, unit=unit, primary=primary)


@answers_refusals
async def picked_kind(update: Update, context: Context) -> None:
    """Create the code and show the link."""
    supervisor = require(await person_of(update, context), Role.SUPERVISOR)
    data = pressed(update)
    unit_id = data.int_arg(0) if data else None
    kind = KINDS.get(data.args[1]) if data and len(data.args) == 2 else None
    if unit_id is None or kind is None:
        raise Refusal("stale_button")
    code, invitation = await registration.create_invite(
        context.services.office, supervisor, Role.LIAISON, unit_id, kind
    )
    await callback_of(update).answer()
    await clear_buttons(update)
    await say(
        update,
        context,
        "invite_link",
        label=invitation.label,
        link=deep_link(context, code),
        expires=invitation.expires_at,
    )


def build() -> Feature:
    return Feature(
        (
            CommandHandler("invite", invite),
            page_turner(FIELD),
            CallbackQueryHandler(picked_unit, pattern=cb.pattern(cb.UNIT, FIELD)),
            CallbackQueryHandler(picked_kind, pattern=cb.pattern(cb.KIND)),
        )
    )

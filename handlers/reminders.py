"""/reminders (what the bot is pushing, and what it cannot) and /mute <单位> <日期>."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from domain import inputs, pushes
from domain.errors import Refusal
from handlers.common import Context, answers_refusals, person_of, say, services

UNMUTE = {"取消", "恢复", "off"}


@answers_refusals
async def reminders_cmd(update: Update, context: Context) -> None:
    found = await pushes.overview(services(context).office, await person_of(update, context))
    await say(
        update,
        context,
        "reminders_overview",
        counts=found.counts,
        problems=found.problems,
        unreachable=found.unreachable,
        muted=found.muted,
    )


@answers_refusals
async def mute_cmd(update: Update, context: Context) -> None:
    args = context.args or []
    if len(args) < 2:
        raise Refusal("mute_usage")
    office = services(context).office
    unit_text, when = " ".join(args[:-1]), args[-1]
    until = None if when in UNMUTE else inputs.planned_date(when, office.clock.today())
    unit = await pushes.mute(office, await person_of(update, context), unit_text, until)
    await say(update, context, "mute_done", unit=unit, until=until)


def build() -> list:
    return [CommandHandler("reminders", reminders_cmd), CommandHandler("mute", mute_cmd)]

"""/reminders (what the bot is pushing, and what it cannot), the 重新发送 button that puts a
failed, uncertain or held push back in the queue, and /status (what `duban status` prints,
for a supervisor away from the server)."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import status
from domain import pushes
from domain.models import Role
from domain.office import require
from handlers import callbacks as cb
from handlers.common import (
    Context,
    answers_refusals,
    button_id,
    in_rows,
    person_of,
    say,
    toast,
)
from handlers.feature import Feature
from storage.outbox import Queued


@answers_refusals
async def reminders_cmd(update: Update, context: Context) -> None:
    found = await pushes.overview(context.services.office, await person_of(update, context))
    await say(
        update,
        context,
        "reminders_overview",
        counts=found.counts,
        problems=found.problems,
        unreachable=found.unreachable,
        muted=found.muted,
        names=found.names,
        more=found.more,
        buttons=resend_buttons(found.problems),
    )


def resend_buttons(rows: Sequence[Queued]) -> list[list[tuple[str, str]]]:
    """One 重新发送 button per listed row, numbered as the lines of the message are."""
    numbered = len(rows) > 1
    buttons = [
        (f"重新发送 {i}" if numbered else "重新发送", cb.make(cb.RESEND, row.id))
        for i, row in enumerate(rows, 1)
    ]
    return in_rows(buttons, 3)


@answers_refusals
async def resend_pressed(update: Update, context: Context) -> None:
    """Authorized again from the database on every press; the buttons stay, so a second
    press is told it is already queued rather than sending it twice."""
    svc = context.services
    done = await pushes.resend(svc.office, await person_of(update, context), button_id(update))
    svc.wake_sender()
    await toast(update, context, "resent_held" if done.waits else "resent")


@answers_refusals
async def status_cmd(update: Update, context: Context) -> None:
    require(await person_of(update, context), Role.SUPERVISOR)
    svc = context.services
    office = svc.office
    shown, _ = await status.report(
        office.db, office.clock.now(), office.calendar, svc.hours, svc.settings.lease_seconds
    )
    await say(update, context, "status", **shown)


def build() -> Feature:
    return Feature(
        (
            CommandHandler("reminders", reminders_cmd),
            CommandHandler("status", status_cmd),
            CallbackQueryHandler(resend_pressed, pattern=cb.pattern(cb.RESEND)),
        )
    )

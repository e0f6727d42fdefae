"""/summary and /digest: a supervisor previews what the leader channel will read, and posts."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import leader_channel
from domain.models import Role
from domain.office import require
from handlers import callbacks as cb
from handlers.common import (
    Context,
    answers_refusals,
    chat_id_of,
    clear_buttons,
    keyboard,
    person_of,
    pressed,
    say,
    send_html,
    toast,
)
from handlers.feature import Feature


async def _preview(update: Update, context: Context, kind: str) -> None:
    require(await person_of(update, context), Role.SUPERVISOR)
    svc = context.services
    now = svc.office.clock.now()
    if kind == "weekly":
        parts = await leader_channel.render_weekly(svc, now)
    else:
        parts, _ = await leader_channel.render_digest(svc, now)
    channel = svc.settings.leader_chat is not None
    buttons = [[("立即发布", cb.make(cb.POST, kind))]] if channel and parts else None
    await say(update, context, "summary_preview", kind=kind, parts=len(parts), channel=channel)
    for i, part in enumerate(parts, start=1):
        markup = keyboard(buttons) if i == len(parts) else None
        await send_html(context.bot, chat_id_of(update), part, markup)


@answers_refusals
async def summary_cmd(update: Update, context: Context) -> None:
    await _preview(update, context, "weekly")


@answers_refusals
async def digest_cmd(update: Update, context: Context) -> None:
    await _preview(update, context, "digest")


@answers_refusals
async def post_now(update: Update, context: Context) -> None:
    require(await person_of(update, context), Role.SUPERVISOR)
    data = pressed(update)
    kind = data.args[0] if data and data.args else ""
    svc = context.services
    now = svc.office.clock.now()
    if kind == "weekly":
        queued = await leader_channel.queue_weekly(svc, now, manual=True)
    elif kind == "digest":
        queued = await leader_channel.queue_digest(svc, now, manual=True)
    else:
        return
    await toast(update, context, "queued")
    await clear_buttons(update)
    svc.wake_sender()
    await say(update, context, "summary_posted", parts=queued)


def build() -> Feature:
    return Feature(
        (
            CommandHandler("summary", summary_cmd),
            CommandHandler("digest", digest_cmd),
            CallbackQueryHandler(post_now, pattern=cb.pattern(cb.POST)),
        )
    )

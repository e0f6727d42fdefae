"""/web: a one-time link to the read-only web ledger (and, over https, a Mini App button)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update, WebAppInfo
from telegram.ext import CommandHandler

from domain.models import Role
from domain.office import require
from handlers.common import Context, answers_refusals, chat_id_of, person_of, send_html
from handlers.feature import Feature
from web import auth


@answers_refusals
async def web_cmd(update: Update, context: Context) -> None:
    """Supervisors, leaders and liaisons get a link valid 10 minutes, spent on first use."""
    svc = context.services
    person = require(await person_of(update, context), Role.SUPERVISOR, Role.LEADER, Role.LIAISON)
    base = svc.settings.web_base
    link = f"{base}/login/{await auth.issue_link(svc.office, person)}" if base else ""
    markup = None
    if base.startswith("https://"):
        button = InlineKeyboardButton("打开台账", web_app=WebAppInfo(url=f"{base}/app"))
        markup = InlineKeyboardMarkup([[button]])
    text = svc.render("web_link", link=link, minutes=auth.LINK_TTL // 60)
    await send_html(context.bot, chat_id_of(update), text, markup)


def build() -> Feature:
    return Feature((CommandHandler("web", web_cmd),))

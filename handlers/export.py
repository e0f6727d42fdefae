"""/export: the 台账 as an XLSX file, for supervisors and leaders."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot import ledger_xlsx
from bot.text_parts import caption_parts
from domain import queries
from handlers.common import Context, answers_refusals, chat_id_of, person_of, send_html
from handlers.feature import Feature


@answers_refusals
async def export_cmd(update: Update, context: Context) -> None:
    svc = context.services
    rows = await queries.ledger(svc.office, await person_of(update, context))
    data = await ledger_xlsx.build(svc.office, rows)
    name = f"督办台账_{svc.office.clock.today():%Y%m%d}.xlsx"
    caption, rest = caption_parts(svc.render("export_caption", row_count=len(rows)))
    chat_id = chat_id_of(update)
    await context.bot.send_document(chat_id, data, filename=name, caption=caption)
    for part in rest:  # an office's own caption template may say more than 1024 allows
        await send_html(context.bot, chat_id, part)


def build() -> Feature:
    return Feature((CommandHandler("export", export_cmd),))

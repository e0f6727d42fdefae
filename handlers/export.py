"""/export: the 台账 as an XLSX file, for supervisors and leaders."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot import ledger_xlsx
from domain import queries
from handlers.common import Context, answers_refusals, person_of, services


@answers_refusals
async def export_cmd(update: Update, context: Context) -> None:
    svc = services(context)
    rows = await queries.ledger(svc.office, await person_of(update, context))
    data = await ledger_xlsx.build(svc.office, rows)
    name = f"督办台账_{svc.office.clock.today():%Y%m%d}.xlsx"
    await context.bot.send_document(
        update.effective_chat.id,
        data,
        filename=name,
        caption=svc.render("export_caption", rows=len(rows)),
    )


def build() -> list:
    return [CommandHandler("export", export_cmd)]

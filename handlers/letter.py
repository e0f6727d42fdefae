"""/letter <编号>: the 督办函 as a DOCX, for the office and the item's own units."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot import letter_docx
from domain import queries
from domain.errors import Refusal
from handlers.common import Context, answers_refusals, person_of, services


@answers_refusals
async def letter_cmd(update: Update, context: Context) -> None:
    svc = services(context)
    item, _ = await queries.item_record(
        svc.office, await person_of(update, context), " ".join(context.args or [])
    )
    if item.serial is None and not item.is_task_notice:
        raise Refusal("letter_not_issued")
    serial = svc.office.serial_label(item)
    data = letter_docx.build(
        svc.render,
        item,
        serial,
        svc.settings.office_name,
        (item.approved_at or svc.office.now())[:10],
        template=svc.settings.letter_template,
    )
    await context.bot.send_document(
        update.effective_chat.id,
        data,
        filename=f"{serial}.docx" if item.is_task_notice else f"督办函_{serial}.docx",
    )


def build() -> list:
    return [CommandHandler("letter", letter_cmd)]

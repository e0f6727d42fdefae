"""/letter [编号]: the 督办函 as a DOCX, for the office and the item's own units; without a
编号, a picker of the items whose letter this person may download."""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import letter_docx
from domain import picks, queries
from domain.errors import Refusal
from domain.models import Item, Person
from domain.office import Office
from handlers import callbacks as cb
from handlers import pickers
from handlers.common import Context, answers_refusals, button_id, callback_of, chat_id_of, person_of
from handlers.feature import Feature


@answers_refusals
async def letter_cmd(update: Update, context: Context) -> None:
    ref = " ".join(context.args or [])
    if not ref:
        await pickers.offer(update, context, "letter")
        return
    person = await person_of(update, context)
    with pickers.usage("letter"):
        item, _ = await queries.item_record(context.services.office, person, ref)
    await _send_letter(update, context, item)


@answers_refusals
async def letter_picked(update: Update, context: Context) -> None:
    """Checked as a typed 编号 is: a liaison gets only their own unit's letters."""
    office = context.services.office
    person = await person_of(update, context)
    item, _ = await queries.item_record_by_id(office, person, button_id(update))
    await callback_of(update).answer()
    await _send_letter(update, context, item)


async def _send_letter(update: Update, context: Context, item: Item) -> None:
    svc = context.services
    if item.serial is None and not item.is_task_notice:
        raise Refusal("letter_not_issued")
    serial = svc.office.serial_label(item)
    data = await asyncio.to_thread(  # python-docx is slow enough to stall other chats
        letter_docx.build,
        svc.render,
        item,
        serial,
        svc.settings.office_name,
        (item.approved_at or svc.office.now())[:10],
        template=svc.settings.letter_template,
    )
    await context.bot.send_document(
        chat_id_of(update),
        data,
        filename=f"{serial}.docx" if item.is_task_notice else f"督办函_{serial}.docx",
    )


async def _with_letter(office: Office, person: Person | None) -> pickers.Choices:
    return pickers.item_choices(office, await picks.with_letter(office, person), cb.LETTER)


def build() -> Feature:
    return Feature(
        (
            CommandHandler("letter", letter_cmd),
            CallbackQueryHandler(letter_picked, pattern=cb.pattern(cb.LETTER)),
        ),
        pickers=(
            ("letter", pickers.Picker("要下载督办函的事项", "已下发督办函的事项", _with_letter)),
        ),
    )

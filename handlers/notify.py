"""Pushing to people who did not write first: letters to liaisons, notices to supervisors.

A push never breaks the action that caused it: a blocked or vanished chat is recorded (the
person is marked unreachable) and reported, and the rest still go out.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError

from domain import letters
from domain.models import Item, Person, Unit
from handlers import callbacks as cb
from handlers.common import Buttons, Context, keyboard, services
from storage.outbox import Push

log = logging.getLogger(__name__)


async def tell(
    context: Context,
    people: Iterable[Person],
    template: str,
    /,
    buttons: Buttons | None = None,
    **ctx: Any,
) -> list[Person]:
    """Send the same notice to each person; returns those it could not reach."""
    text = services(context).render(template, **ctx)
    failed = []
    for person in people:
        try:
            await context.bot.send_message(
                person.chat_id, text, parse_mode=ParseMode.HTML, reply_markup=keyboard(buttons)
            )
        except TelegramError as exc:  # one unreachable person must not silence the others
            log.info("notice to person %s failed: %s", person.id, exc)
            failed.append(person)
    return failed


def letter_text(context: Context, item: Item) -> str:
    svc = services(context)
    return item.letter_html or render_letter(svc, item)


def render_letter(svc, item: Item) -> str:
    """督办函; a 指导性 target of the year's plan gets the lighter 任务书 instead."""
    return svc.render(
        "task_notice" if item.is_task_notice else "letter",
        item=item,
        serial=svc.office.serial_label(item),
        office_name=svc.settings.office_name,
        date=(item.approved_at or svc.office.now())[:10],
    )


async def push_letter(context: Context, item: Item, unit: Unit, person: Person) -> bool:
    """The letter with its 签收 button to one liaison; the delivery is recorded either way."""
    office = services(context).office
    try:
        message = await context.bot.send_message(
            person.chat_id,
            letter_text(context, item),
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard([[("签收", cb.make(cb.SIGN, item.id))]]),
        )
    except (Forbidden, BadRequest) as exc:
        await letters.record_delivery(office, item, unit, person, None, str(exc)[:200])
        return False
    except TelegramError as exc:  # timeouts and the like: delivery unknown, not unreachable
        log.warning("letter %s to person %s uncertain: %s", item.id, person.id, exc)
        return False
    await letters.record_delivery(office, item, unit, person, message.message_id, None)
    return True


def letter_push(item: Item, now: str) -> Push:
    """A letter (or 任务书) the bot sends by itself, through the outbox, with its 签收 button;
    addressed to the unit, so the sender picks whichever liaison can be reached."""
    return Push(
        f"letter:{item.id}:{item.lead.unit_id}",
        "letter",
        "post_html",
        now,
        item_id=item.id,
        unit_id=item.lead.unit_id,
        context={"html": item.letter_html or ""},
        buttons=[[("签收", cb.make(cb.SIGN, item.id))]],
    )

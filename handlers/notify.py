"""Pushing to people who did not write first: notices to supervisors, and the outbox rows
of letters to liaisons.

A notice never breaks the action that caused it: one unreachable person does not silence
the others.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from telegram.constants import ParseMode
from telegram.error import TelegramError

from domain.models import Item, Person
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


def render_letter(svc, item: Item) -> str:
    """督办函; a 指导性 target of the year's plan gets the lighter 任务书 instead."""
    return svc.render(
        "task_notice" if item.is_task_notice else "letter",
        item=item,
        serial=svc.office.serial_label(item),
        office_name=svc.settings.office_name,
        date=(item.approved_at or svc.office.now())[:10],
    )


def letter_push(item: Item, unit_id: int, person: Person | None) -> Push:
    """A letter (or 任务书) with its 签收 button, for the outbox: to one liaison, or to the
    unit (the sender picks whichever liaison can be reached, and holds it while none can)."""
    return Push(
        f"letter:{item.id}:{unit_id}" + (f":p{person.id}" if person else ""),
        "letter",
        "post_html",
        item.sent_at or item.created_at,
        item_id=item.id,
        unit_id=unit_id,
        person_id=person.id if person else None,
        chat_id=person.chat_id if person else None,
        context={"html": item.letter_html or ""},
        buttons=[[("签收", cb.make(cb.SIGN, item.id))]],
        automatic=False,
    )

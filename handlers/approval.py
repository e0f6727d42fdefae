"""审定: 同意下发 numbers the letter and queues it; 退回修改 asks a reason and returns it.

```
[同意下发] ─► approve ─► outbox: every liaison ─► report units nobody can receive
[退回修改] ─► REASON ─(text)─► return_letter ─► drafter gets [修改后重新提交]
```
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
)

from bot.services import Services
from domain import letters
from domain.models import Item, Person
from domain.office import Then
from handlers import callbacks as cb
from handlers.common import (
    Context,
    answers_refusals,
    button_id,
    clear_buttons,
    person_of,
    registered,
    say,
    toast,
)
from handlers.feature import Feature, ReasonPrompt
from handlers.notify import fix_letters, queue, render_letter
from storage.db import Conn


def _approved(svc: Services, done: letters.Approved) -> dict[str, Any]:
    units_count, sent = done.recipients.reached
    return dict(
        item=done.item,
        serial=svc.office.serial_label(done.item),
        sent=sent,
        units_count=units_count,
        unreachable=done.recipients.unreachable,
    )


@answers_refusals
async def approve(update: Update, context: Context) -> None:
    svc = context.services
    person = await registered(update, context)

    async def tell_drafter(conn: Conn, done: letters.Approved) -> None:
        if done.creator is not None and done.creator.id != person.id:
            report = _approved(svc, done)
            await queue(conn, svc, [done.creator], "approval_done", item_id=done.item.id, **report)

    then = fix_letters(svc, also=tell_drafter)
    done = await letters.approve(svc.office, person, button_id(update), then=then)
    await toast(update, context, "approved")
    await clear_buttons(update)
    svc.wake_sender()
    await say(update, context, "approval_done", **_approved(svc, done))


async def check_return(update: Update, context: Context, item_id: int) -> None:
    """退回修改 is refused before the reason is typed if this person may not return it now."""
    await letters.may_return(context.services.office, await person_of(update, context), item_id)


async def return_with_reason(update: Update, context: Context, item_id: int, reason: str) -> None:
    svc = context.services
    person = await person_of(update, context)

    async def tell_drafter(conn: Conn, done: tuple[Item, Person | None]) -> None:
        item, creator = done
        if creator is None:
            return
        await queue(
            conn,
            svc,
            [creator],
            "letter_returned",
            buttons=[[("修改后重新提交", cb.make(cb.REVISE, item.id))]],
            item_id=item.id,
            item=item,
            serial=svc.office.serial_label(item),
            approver=person,
            reason=reason,
        )

    item, _ = await letters.return_letter(svc.office, person, item_id, reason, then=tell_drafter)
    svc.wake_sender()
    await say(update, context, "letter_returned_ack", item=item)


PROMPTS = (ReasonPrompt(cb.RETURN, "退回修改", check_return, return_with_reason),)


def approval_card(svc: Services, drafter: str, resubmitted: bool) -> Then:
    """What a new or revised draft queues, in its own transaction: the 审定 card to each
    approver (a 502 on their chat delays it; nothing loses it)."""

    async def queue_cards(conn: Conn, opened: letters.Opened) -> None:
        item = opened.item
        buttons = [
            [("同意下发", cb.make(cb.APPROVE, item.id)), ("退回修改", cb.make(cb.RETURN, item.id))]
        ]
        await queue(
            conn,
            svc,
            opened.approvers,
            "approval_card",
            buttons=buttons,
            item_id=item.id,
            item=item,
            drafter=drafter,
            resubmitted=resubmitted,
            letter=render_letter(svc, item),
        )

    return queue_cards


def build() -> Feature:
    return Feature((CallbackQueryHandler(approve, pattern=cb.pattern(cb.APPROVE)),), PROMPTS)

"""审定: 同意下发 numbers the letter and queues it; 退回修改 asks a reason and returns it.

```
[同意下发] ─► approve ─► outbox: every liaison ─► report units nobody can receive
[退回修改] ─► REASON ─(text)─► return_letter ─► drafter gets [修改后重新提交]
```
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
)

from domain import letters
from handlers import callbacks as cb
from handlers import reasons
from handlers.common import (
    Context,
    answers_refusals,
    button_id,
    clear_buttons,
    person_of,
    say,
    services,
    toast,
)
from handlers.notify import render_letter, tell
from handlers.reasons import ReasonPrompt


@answers_refusals
async def approve(update: Update, context: Context) -> None:
    svc = services(context)
    person = await person_of(update, context)
    done = await letters.approve(svc.office, person, button_id(update))
    await toast(update, context, "approved")
    await clear_buttons(update)
    svc.wake_sender()
    units_count, sent = done.recipients.reached
    report = dict(
        item=done.item,
        serial=svc.office.serial_label(done.item),
        sent=sent,
        units_count=units_count,
        unreachable=done.recipients.unreachable,
    )
    await say(update, context, "approval_done", **report)
    if done.creator is not None and done.creator.id != person.id:
        await tell(context, [done.creator], "approval_done", **report)


async def check_return(update: Update, context: Context, item_id: int) -> None:
    """退回修改 is refused before the reason is typed if this person may not return it now."""
    await letters.may_return(services(context).office, await person_of(update, context), item_id)


async def return_with_reason(update: Update, context: Context, item_id: int, reason: str) -> None:
    svc = services(context)
    person = await person_of(update, context)
    item, creator = await letters.return_letter(svc.office, person, item_id, reason)
    await say(update, context, "letter_returned_ack", item=item)
    if creator is not None:
        await tell(
            context,
            [creator],
            "letter_returned",
            buttons=[[("修改后重新提交", cb.make(cb.REVISE, item.id))]],
            item=item,
            serial=svc.office.serial_label(item),
            approver=person,
            reason=reason,
        )


reasons.register(ReasonPrompt(cb.RETURN, "退回修改", check_return, return_with_reason))


async def send_for_approval(context: Context, opened, drafter: str, resubmitted: bool) -> None:
    svc = services(context)
    item = opened.item
    buttons = [
        [("同意下发", cb.make(cb.APPROVE, item.id)), ("退回修改", cb.make(cb.RETURN, item.id))]
    ]
    await tell(
        context,
        opened.approvers,
        "approval_card",
        buttons=buttons,
        item=item,
        drafter=drafter,
        resubmitted=resubmitted,
        letter=render_letter(svc, item),
    )


def build() -> list:
    return [CallbackQueryHandler(approve, pattern=cb.pattern(cb.APPROVE))]

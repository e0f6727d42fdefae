"""审定: 同意下发 numbers the letter and pushes it; 退回修改 asks a reason and returns it.

```
[同意下发] ─► approve ─► push to every liaison ─► report unreachable units
[退回修改] ─► REASON ─(text)─► return_letter ─► drafter gets [修改后重新提交]
```
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from domain import inputs, letters
from domain.errors import Refusal
from domain.items import Status
from domain.models import Role
from domain.office import require
from handlers import callbacks as cb
from handlers.common import (
    END,
    Context,
    answers_refusals,
    clear_buttons,
    person_of,
    say,
    services,
)
from handlers.notify import push_letter, tell
from storage import items

REASON = "return_reason"
KEY = "returning"


def _item_id(update: Update) -> int:
    data = cb.parse(update.callback_query.data)
    item_id = data.int_arg() if data else None
    if item_id is None:
        raise Refusal("stale_button")
    return item_id


@answers_refusals
async def approve(update: Update, context: Context) -> None:
    svc = services(context)
    person = await person_of(update, context)
    done = await letters.approve(svc.office, person, _item_id(update))
    await update.callback_query.answer("已审定同意")
    await clear_buttons(update)
    sent = 0
    unreachable = list(done.recipients.unreachable)
    for unit, liaisons in done.recipients.by_unit:
        delivered = [await push_letter(context, done.item, unit, p) for p in liaisons]
        sent += sum(delivered)
        if liaisons and not any(delivered):
            unreachable.append(unit)
    report = dict(
        item=done.item,
        serial=svc.office.serial_label(done.item),
        sent=sent,
        units_count=len(done.recipients.by_unit) - len(unreachable),
        unreachable=unreachable,
    )
    await say(update, context, "approval_done", **report)
    if done.creator is not None and done.creator.id != person.id:
        await tell(context, [done.creator], "approval_done", **report)


@answers_refusals
async def ask_reason(update: Update, context: Context) -> str | None:
    """退回修改: check now that this person may return this letter, then ask why."""
    person = require(await person_of(update, context), Role.LEADER, Role.SUPERVISOR)
    item_id = _item_id(update)
    async with services(context).office.db.read() as conn:
        item = await items.get(conn, item_id)
    if item is None:
        raise Refusal("item_unknown")
    if item.status != Status.PENDING_APPROVAL:
        raise Refusal("not_allowed_now", status=item.status, action="退回修改")
    if person.role is not Role.LEADER and not services(context).office.supervisor_may_approve:
        raise Refusal("leader_must_approve")
    await update.callback_query.answer()
    context.user_data[KEY] = item_id
    await say(update, context, "ask_reason", what="退回修改")
    return REASON


@answers_refusals
async def got_reason(update: Update, context: Context) -> int:
    svc = services(context)
    reason = inputs.text(update.message.text, "reason", "退回理由")
    person = await person_of(update, context)
    item, creator = await letters.return_letter(
        svc.office, person, context.user_data.get(KEY, -1), reason
    )
    context.user_data.pop(KEY, None)
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
    return END


async def cancel(update: Update, context: Context) -> int:
    context.user_data.pop(KEY, None)
    await say(update, context, "cancelled")
    return END


def build() -> list:
    returning = ConversationHandler(
        entry_points=[CallbackQueryHandler(ask_reason, pattern=cb.pattern(cb.RETURN))],
        states={REASON: [MessageHandler(filters.TEXT & ~filters.COMMAND, got_reason)]},
        fallbacks=[CommandHandler("cancel", cancel)],
        name="return_letter",
        persistent=True,
    )
    return [returning, CallbackQueryHandler(approve, pattern=cb.pattern(cb.APPROVE))]

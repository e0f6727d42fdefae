"""The review card: the 五查 as toggles, then 通过办结 / 退回补充 / 需实地核查.

```
card ─[☐/☑ ×5]─► redraw ─[通过办结]─► closed, unit told
                        ─[退回补充]─► reason ─► returned, unit told with the failed checks
                        ─[需实地核查]─► VERIFIER ─► DATE ─► [录入核查结果] ─► finding ─► card again
```
Toggles only change the mask carried by the card's buttons; nothing is stored until a
decision, and every decision re-checks in the database that this report is still under review.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.services import Services
from domain import inputs
from domain import review as rules
from domain.errors import Refusal
from domain.items import VERIFYING
from domain.models import Attachment, Person
from domain.office import Then
from domain.plan import views as plan_views
from domain.progress import Submitted
from handlers import callbacks as cb
from handlers.common import (
    END,
    Buttons,
    Context,
    Form,
    answers_refusals,
    callback_of,
    cancel_form,
    clear_buttons,
    edit_in_place,
    keyboard,
    person_of,
    pressed,
    registered,
    say,
    send_html,
    text_of,
    toast,
    user_data_of,
)
from handlers.feature import Feature, ReasonPrompt
from handlers.notify import queue, queue_files
from storage.db import Conn

KEY = "verify"
WHO, WHEN = "vf_who", "vf_when"


def card_buttons(report_id: int, mask: int, awaiting_finding: bool) -> Buttons:
    if awaiting_finding:
        return [[("录入核查结果", cb.make(cb.FINDING, report_id))]]
    rows = [
        [(("☑ " if mask >> i & 1 else "☐ ") + c.name, cb.make(cb.CHECK, report_id, mask, i))]
        for i, c in enumerate(rules.CHECKS)
    ]
    rows.append(
        [
            ("通过办结", cb.make(cb.PASS, report_id, mask)),
            ("退回补充", cb.make(cb.RETURN_REPORT, report_id, mask)),
        ]
    )
    rows.append([("需实地核查", cb.make(cb.VERIFY, report_id, mask))])
    return rows


async def _card(
    svc: Services, person: Person | None, report_id: int, mask: int, conn: Conn | None = None
) -> tuple[str, Buttons, list[Attachment]]:
    report, item, files, history, verification = await rules.load_card(
        svc.office, person, report_id, conn
    )
    awaiting = item.status in VERIFYING and not (verification and verification.finding)
    text = svc.render(
        "review_card",
        item=item,
        serial=svc.office.serial_label(item),
        report=report,
        unit_name=next(u.unit_name for u in item.units if u.unit_id == report.unit_id),
        files=[f.file_name for f in files],
        history=history[-8:],
        verification=verification,
        planned=await plan_views.for_item(svc.office, item, conn),
    )
    return text, card_buttons(report_id, mask, awaiting), files


def review_cards(svc: Services) -> Then:
    """What a completion report queues, in its own transaction: a review card to each
    supervisor, followed by the report's attachments."""

    async def queue_cards(conn: Conn, done: Submitted) -> None:
        for person in done.notify:
            text, buttons, files = await _card(svc, person, done.report_id, 0, conn)
            item_id = done.item.id
            await queue(conn, svc, [person], "post_html", buttons, item_id, html=text)
            await queue_files(conn, svc, person, [(f.kind, f.file_id) for f in files])

    return queue_cards


async def send_card(context: Context, person: Person, report_id: int) -> None:
    """The card again, to the supervisor who just recorded a finding (their own answer)."""
    text, buttons, files = await _card(context.services, person, report_id, 0)
    await send_html(context.bot, person.chat_id, text, keyboard(buttons))
    for f in files:
        send = context.bot.send_photo if f.kind == "photo" else context.bot.send_document
        await send(person.chat_id, f.file_id)


def _args(update: Update, prefix: str) -> tuple[int, int]:
    data = pressed(update)
    if data is None or data.prefix != prefix:
        raise Refusal("stale_button")
    report_id, mask = data.int_arg(0), data.int_arg(1)
    if report_id is None:
        raise Refusal("stale_button")
    return report_id, rules.valid_mask(mask)


@answers_refusals
async def toggle(update: Update, context: Context) -> None:
    report_id, mask = _args(update, cb.CHECK)
    data = pressed(update)
    index = data.int_arg(2) if data else None
    if index is None or index >= len(rules.CHECKS):
        raise Refusal("stale_button")
    mask ^= 1 << index
    person = await person_of(update, context)
    text, buttons, _ = await _card(context.services, person, report_id, mask)
    await callback_of(update).answer()
    await edit_in_place(update, text, buttons)


@answers_refusals
async def approve(update: Update, context: Context) -> None:
    report_id, mask = _args(update, cb.PASS)
    svc = context.services

    async def tell_units(conn: Conn, done: rules.Decided) -> None:
        serial = svc.office.serial_label(done.item)
        item = done.item
        await queue(conn, svc, done.liaisons, "review_passed_unit", item=item, serial=serial)

    person = await person_of(update, context)
    done = await rules.pass_report(svc.office, person, report_id, mask, then=tell_units)
    svc.wake_sender()
    await toast(update, context, "passed")
    await clear_buttons(update)
    serial = svc.office.serial_label(done.item)
    await say(
        update, context, "review_passed", item=done.item, serial=serial, revisits=done.revisits
    )


async def check_return(update: Update, context: Context, report_id: int) -> None:
    """退回补充 needs a failed check, and the report must still be the one under review."""
    _, mask = _args(update, cb.RETURN_REPORT)
    if not rules.failed(mask):
        raise Refusal("return_needs_failed_check")
    office = context.services.office
    await rules.may_answer(office, await person_of(update, context), report_id, finding=False)
    user_data_of(context)["review_mask"] = mask


async def return_with_reason(update: Update, context: Context, report_id: int, reason: str) -> None:
    svc = context.services
    mask = user_data_of(context).pop("review_mask", 0)

    async def tell_unit(conn: Conn, done: rules.Decided) -> None:
        await queue(
            conn,
            svc,
            done.liaisons,
            "review_returned_unit",
            item_id=done.item.id,
            item=done.item,
            serial=svc.office.serial_label(done.item),
            failed=done.failed,
            reason=reason,
            buttons=[[("重新报送办结报告", cb.make(cb.COMPLETE, done.item.id))]],
        )

    person = await person_of(update, context)
    done = await rules.return_report(svc.office, person, report_id, mask, reason, then=tell_unit)
    svc.wake_sender()
    serial = svc.office.serial_label(done.item)
    await say(update, context, "review_returned", item=done.item, serial=serial)


async def check_finding(update: Update, context: Context, report_id: int) -> None:
    """录入核查结果 is refused before the finding is typed if no 核查 is waiting for one."""
    office = context.services.office
    await rules.may_answer(office, await person_of(update, context), report_id, finding=True)


async def finding(update: Update, context: Context, report_id: int, text: str) -> None:
    person = await registered(update, context)
    await rules.record_finding(context.services.office, person, report_id, text)
    await send_card(context, person, report_id)


PROMPTS = (
    ReasonPrompt(cb.RETURN_REPORT, "退回补充", check_return, return_with_reason),
    ReasonPrompt(cb.FINDING, "录入核查结果", check_finding, finding, "实地核查结果"),
)


@answers_refusals
async def verify(update: Update, context: Context) -> str:
    report_id, mask = _args(update, cb.VERIFY)
    await rules.load_card(context.services.office, await person_of(update, context), report_id)
    await callback_of(update).answer()
    user_data_of(context)[KEY] = {"report": report_id, "mask": mask}
    await say(update, context, "verify_ask", step="who")
    return WHO


@answers_refusals
async def got_verifier(update: Update, context: Context) -> str:
    user_data_of(context).setdefault(KEY, {})["who"] = inputs.text(
        text_of(update), "leader", "核查人"
    )
    await say(update, context, "verify_ask", step="when")
    return WHEN


@answers_refusals
async def got_date(update: Update, context: Context) -> int:
    svc = context.services
    form = user_data_of(context).get(KEY, {})
    planned = inputs.planned_date(text_of(update), svc.office.clock.today())
    done = await rules.order_verification(
        svc.office,
        await person_of(update, context),
        form.get("report", -1),
        form.get("mask", 0),
        form.get("who", ""),
        planned,
    )
    user_data_of(context).pop(KEY, None)
    await say(
        update,
        context,
        "verify_ordered",
        item=done.item,
        verifier=form["who"],
        planned=planned,
        serial=svc.office.serial_label(done.item),
        buttons=[[("录入核查结果", cb.make(cb.FINDING, form["report"]))]],
    )
    return END


cancel = cancel_form(KEY)


def build() -> Feature:
    text = filters.TEXT & ~filters.COMMAND
    verifying = Form(
        entry_points=[CallbackQueryHandler(verify, pattern=cb.pattern(cb.VERIFY))],
        states={WHO: [MessageHandler(text, got_verifier)], WHEN: [MessageHandler(text, got_date)]},
        fallbacks=[CommandHandler("cancel", cancel)],
        name=KEY,
        persistent=True,
    )
    return Feature(
        (
            verifying,
            CallbackQueryHandler(toggle, pattern=cb.pattern(cb.CHECK)),
            CallbackQueryHandler(approve, pattern=cb.pattern(cb.PASS)),
        ),
        PROMPTS,
    )

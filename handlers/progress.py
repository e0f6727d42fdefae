"""/report: the progress form, short enough for a phone, carrying over the last report.

```
/report or [填报进展] ─► (PICK) ─► PROGRESS ─► PERCENT ─► (QUANTITY) ─► DIFFICULTIES ─► NEXT
[补充更正] ─────────────────────────┘         ─► FILES ─► PREVIEW
```
QUANTITY (累计完成量, with its measure) is asked only on a quantified 大事要事 target.
Each text step offers 沿用上次 when there is a previous report; answers are kept in
user_data['progress'] (persisted) until 提交.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from domain import inputs, progress, queries
from domain.errors import Refusal
from domain.models import Item
from domain.plan.rules import parse_quantity, quantity_percent, show
from handlers import attachments
from handlers import callbacks as cb
from handlers.common import (
    END,
    Context,
    Form,
    answers_refusals,
    button_id,
    callback_of,
    cancel_form,
    clear_buttons,
    in_rows,
    message_of,
    person_of,
    press_buttons,
    pressed,
    say,
    text_of,
    toast,
    user_data_of,
)
from handlers.feature import Feature
from handlers.notify import queue
from storage.db import Conn

KEY = "progress"
PICK, FILES, PREVIEW = "pg_pick", "files", "pg_preview"
STEPS = ("progress", "percent", "difficulties", "next_steps")
QUANTIFIED = ("progress", "percent", "quantity", "difficulties", "next_steps")
STAGES = (("刚启动", 10), ("推进中", 50), ("基本完成", 90), ("已完成", 100))
LIMIT = {"progress": "instruction", "difficulties": "instruction", "next_steps": "instruction"}
LABEL = {"progress": "进展情况", "difficulties": "困难和问题", "next_steps": "下步打算"}


def _form(context: Context) -> dict:
    return user_data_of(context).setdefault(KEY, {"v": {}, "files": []})


@answers_refusals
async def start(update: Update, context: Context) -> str | int:
    """/report: one item goes straight to the form; several get a picker."""
    person = await person_of(update, context)
    found = await progress.reportable(context.services.office, person)
    if not found:
        raise Refusal("nothing_to_report")
    if len(found) == 1:
        return await _begin(update, context, found[0].id)
    office = context.services.office
    rows = [[(f"{office.serial_label(i)} {i.title}"[:40], cb.make(cb.REPORT, i.id))] for i in found]
    await say(update, context, "progress_pick", buttons=rows, what="报送进展")
    return PICK


@answers_refusals
async def picked(update: Update, context: Context) -> str:
    """A 填报进展 button (on a letter, reminder or picker)."""
    item_id = button_id(update)
    await callback_of(update).answer()
    return await _begin(update, context, item_id)


@answers_refusals
async def correct(update: Update, context: Context) -> str:
    """补充更正: the same form, prefilled with the report being corrected."""
    data = pressed(update)
    report_id = data.int_arg() if data else None
    if report_id is None:
        raise Refusal("stale_button")
    office = context.services.office
    report = await progress.start_correction(office, await person_of(update, context), report_id)
    await callback_of(update).answer()
    await clear_buttons(update)
    return await _begin(update, context, report.item_id, corrects=report_id)


async def _begin(
    update: Update, context: Context, item_id: int, corrects: int | None = None
) -> str:
    office = context.services.office
    person = await person_of(update, context)
    item, previous, goal = await progress.start_report(office, person, item_id)
    prev = None
    if previous is not None:
        prev = {k: getattr(previous, k) for k in (*STEPS, "submitted_at", "quantity")}
    user_data_of(context)[KEY] = {
        "item": item.id,
        "corrects": corrects,
        "prev": prev,
        "v": {},
        "files": [],
        "steps": list(QUANTIFIED if goal else STEPS),
        "goal": None if goal is None else [show(goal[0]), goal[1]],
    }
    return await _ask(update, context, "progress", item)


async def _ask(update: Update, context: Context, step: str, item: Item | None = None) -> str:
    """Ask the form's next step; `item` when the caller has just read it."""
    form = _form(context)
    form["at"] = step
    office = context.services.office
    if item is None:
        item = await queries.get_item(office, form["item"])
    prev = form.get("prev")
    buttons: list[list[tuple[str, str]]] = []
    if step == "percent":
        buttons = in_rows([(f"{n}（{p}%）", cb.make(cb.OPTION, step, p)) for n, p in STAGES], 2)
    if step == "difficulties":
        buttons = [[("无", cb.make(cb.OPTION, step, "none"))]]
    if prev and step in STEPS:
        shown = f"{prev[step]}%" if step == "percent" else (prev[step] or "无")[:20]
        buttons.append([(f"沿用上次：{shown}", cb.make(cb.OPTION, step, "same"))])
    goal = _goal(form)
    if step == "quantity" and goal and prev and prev.get("quantity") is not None:
        shown = f"{prev['quantity']}{goal.measure}"[:20]
        buttons.append([(f"沿用上次：{shown}", cb.make(cb.OPTION, step, "same"))])
    steps = _steps(form)
    if step == FILES:
        buttons = [[("完成", cb.make(cb.DONE, FILES))]]
    await say(
        update,
        context,
        "progress_ask",
        buttons=buttons,
        step=step,
        item=item,
        prev=prev,
        serial=office.serial_label(item),
        correcting=bool(form.get("corrects")),
        files=form["files"],
        max_mb=context.services.settings.max_attachment_mb,
        step_number=steps.index(step) + 1 if step in steps else len(steps) + 1,
        total=len(steps) + 1,
        goal=goal,
    )
    return step


def _steps(form: dict) -> list[str]:
    return form.get("steps") or list(STEPS)


async def _next(update: Update, context: Context, step: str) -> str:
    steps = _steps(_form(context))
    if step == steps[-1]:
        return await _ask(update, context, FILES)
    return await _ask(update, context, steps[steps.index(step) + 1])


@answers_refusals
async def got_text(update: Update, context: Context) -> str:
    form = _form(context)
    step = form.get("at", "progress")
    text = text_of(update)
    if step == "percent":
        form["v"][step] = progress.percent(text)
    elif step == "quantity":
        form["v"][step] = show(parse_quantity(text, (form.get("goal") or ["", ""])[1]))
    else:
        value = inputs.text(text, LIMIT[step], LABEL[step])
        form["v"][step] = (
            "" if step == "difficulties" and not progress.has_difficulties(value) else value
        )
    return await _next(update, context, step)


@answers_refusals
async def got_option(update: Update, context: Context) -> str:
    data = pressed(update)
    form = _form(context)
    if data is None or data.args[:1] != (form.get("at"),) or len(data.args) != 2:
        raise Refusal("stale_button")
    step, choice = data.args
    prev = form.get("prev") or {}
    if choice == "same" and step in prev and prev[step] is not None:
        value = prev[step]
    elif choice == "none" and step == "difficulties":
        value = ""
    elif step == "percent" and choice.isdigit() and int(choice) <= 100:
        value = int(choice)
    else:
        raise Refusal("stale_button")
    form["v"][step] = value
    await callback_of(update).answer()
    await clear_buttons(update)
    return await _next(update, context, step)


@answers_refusals
async def got_file(update: Update, context: Context) -> str:
    form = _form(context)
    record = await attachments.receive(message_of(update), context, len(form["files"]))
    form["files"].append(record)
    await say(
        update,
        context,
        "file_received",
        name=record["file_name"],
        count=len(form["files"]),
        buttons=[[("完成", cb.make(cb.DONE, FILES))]],
    )
    return FILES


@answers_refusals
async def files_done(update: Update, context: Context) -> str:
    await callback_of(update).answer()
    await clear_buttons(update)
    form = _form(context)
    form["at"] = PREVIEW
    office = context.services.office
    item = await queries.get_item(office, form["item"])
    buttons = [[("提交", cb.make(cb.FORM, "ok")), ("取消", cb.make(cb.FORM, "cancel"))]]
    await say(
        update,
        context,
        "progress_preview",
        buttons=buttons,
        answers=form["v"],
        item=item,
        files=form["files"],
        serial=office.serial_label(item),
        correcting=bool(form.get("corrects")),
        goal=_goal(form),
        share=_share(form),
    )
    return PREVIEW


class Goal(NamedTuple):
    """A quantified target's goal as the form shows it (1200, 户); the form keeps a list."""

    quantity: str
    measure: str


def _goal(form: dict) -> Goal | None:
    return Goal(*form["goal"]) if form.get("goal") else None


def _share(form: dict) -> str:
    """累计完成 as a % of the goal, for the preview and the supervisor's notice."""
    goal, reached = _goal(form), form["v"].get("quantity")
    if not goal or reached is None:
        return ""
    return show(quantity_percent(Decimal(reached), Decimal(goal.quantity)))


@answers_refusals
async def submit(update: Update, context: Context) -> int | None:
    query = callback_of(update)
    await query.answer()
    await clear_buttons(update)
    if query.data != cb.make(cb.FORM, "ok"):
        return await cancel(update, context)
    form = _form(context)
    v = form["v"]
    sheet = progress.ProgressForm(
        v["progress"],
        v["percent"],
        v["difficulties"],
        v["next_steps"],
        attachments.as_records(form["files"]),
        Decimal(v["quantity"]) if v.get("quantity") is not None else None,
    )
    svc = context.services
    office = svc.office

    async def tell_drafter(conn: Conn, done: progress.Submitted) -> None:
        await queue(
            conn,
            svc,
            done.notify,
            "progress_notice",
            item_id=done.item.id,
            report=done,
            answers=v,
            serial=office.serial_label(done.item),
            files=len(form["files"]),
            goal=_goal(form),
            share=_share(form),
            buttons=[[("已阅", cb.make(cb.READ, done.report_id))]],
        )

    person = await person_of(update, context)
    done = await progress.submit_progress(
        office, person, form["item"], sheet, form.get("corrects"), then=tell_drafter
    )
    svc.wake_sender()
    user_data_of(context).pop(KEY, None)
    serial = office.serial_label(done.item)
    await say(
        update,
        context,
        "progress_done",
        report=done,
        serial=serial,
        buttons=[[("补充更正", cb.make(cb.CORRECT, done.report_id))]],
    )
    return END


@answers_refusals
async def mark_read(update: Update, context: Context) -> None:
    data = pressed(update)
    report_id = data.int_arg() if data else None
    if report_id is None:
        raise Refusal("stale_button")
    await progress.mark_read(context.services.office, await person_of(update, context), report_id)
    await toast(update, context, "read")
    await clear_buttons(update)


cancel = cancel_form(KEY)


def build() -> Feature:
    text = filters.TEXT & ~filters.COMMAND
    by_text = [
        MessageHandler(text, got_text),
        CallbackQueryHandler(got_option, pattern=cb.pattern(cb.OPTION)),
    ]
    form = Form(
        entry_points=[
            CommandHandler("report", start),
            CallbackQueryHandler(picked, pattern=cb.pattern(cb.REPORT)),
            CallbackQueryHandler(correct, pattern=cb.pattern(cb.CORRECT)),
        ],
        states={
            PICK: [CallbackQueryHandler(picked, pattern=cb.pattern(cb.REPORT))],
            **{step: by_text for step in QUANTIFIED},
            FILES: [
                MessageHandler(filters.PHOTO | filters.Document.ALL, got_file),
                CallbackQueryHandler(files_done, pattern=cb.pattern(cb.DONE, FILES)),
                MessageHandler(text, press_buttons),
            ],
            PREVIEW: [
                CallbackQueryHandler(submit, pattern=cb.pattern(cb.FORM)),
                MessageHandler(text, press_buttons),
            ],
        },
        fallbacks=[CommandHandler("cancel", cancel)],
        name=KEY,
        persistent=True,
        allow_reentry=True,
    )
    return Feature(
        (
            form,
            CallbackQueryHandler(mark_read, pattern=cb.pattern(cb.READ)),
        )
    )

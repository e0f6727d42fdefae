"""大事要事: /plan and /plan <编号> (supervisors, leaders), /key and /unkey, /import.

/key 编号 理由 acts at once; /key 编号 shows it with one button; /key alone lists items, tasks
and targets to pick. A button asks the reason (handlers/reasons), then raises or lowers.

```
/import ─► template + how-to ─► FILE ─(.xlsx)─► imported, or every bad row listed
a .xlsx sent with the caption /import ─────────┘
```
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import plan_template
from domain import picks
from domain.errors import Refusal
from domain.models import Person, Role
from domain.office import Office, require
from domain.plan import actions as plan
from domain.plan import keys as plan_keys
from domain.plan import sheet as plan_sheet
from domain.plan import views as plan_views
from handlers import callbacks as cb
from handlers import pickers
from handlers.common import (
    END,
    Context,
    Form,
    answers_refusals,
    button_id,
    callback_of,
    cancel_form,
    chat_id_of,
    message_of,
    person_of,
    say,
)
from handlers.feature import Feature, ReasonPrompt
from handlers.notify import fix_letters

KEY = "plan_import"
YEAR = re.compile(r"20\d\d年?")  # /plan 2027: another year's tasks
FILE = "plan_file"


@answers_refusals
async def plan_cmd(update: Update, context: Context) -> None:
    """/plan [年份]: the overview, with a button per task; /plan 编号: one task or target."""
    svc = context.services
    person = await person_of(update, context)
    today = svc.office.clock.today()
    arg = (context.args or [""])[0]
    if arg and not YEAR.fullmatch(arg):
        task, focus = await plan_views.detail(svc.office, person, arg)
        await say(update, context, "plan_detail", task=task, focus=focus, today=today)
        return
    year = int(arg.removesuffix("年")) if arg else today.year
    tasks = await plan_views.overview(svc.office, person, year)
    buttons, _ = await pickers.rows(context, person, "plan")
    await say(
        update,
        context,
        "plan_overview",
        buttons=buttons,
        tasks=tasks,
        year=year,
        today=today,
        targets=sum(len(t.targets) for t in tasks),
        lights=plan_views.tally(tasks),
    )


@answers_refusals
async def task_picked(update: Update, context: Context) -> None:
    """A task's button under the overview: its detail, as /plan 编号 shows it."""
    svc = context.services
    person = await person_of(update, context)
    task = await plan_views.detail_by_id(svc.office, person, button_id(update))
    await callback_of(update).answer()
    today = svc.office.clock.today()
    await say(update, context, "plan_detail", task=task, focus=None, today=today)


async def _tasks(office: Office, person: Person | None) -> pickers.Choices:
    found = await picks.plan_tasks(office, person)
    return [(pickers.label(f"{t.label} {t.title}"), cb.make(cb.PLAN_TASK, t.id)) for t in found]


# /key and /unkey: the prefix of each kind's button, raising (True) or lowering (False)
KEY_PREFIXES = {
    (True, "item"): cb.KEY_ITEM,
    (True, "task"): cb.KEY_TASK,
    (True, "target"): cb.KEY_TARGET,
    (False, "item"): cb.UNKEY_ITEM,
    (False, "task"): cb.UNKEY_TASK,
    (False, "target"): cb.UNKEY_TARGET,
}


def key_button(found: picks.Choice, on: bool, text: str | None = None) -> tuple[str, str]:
    what = "" if found.kind == "item" else plan_keys.WHAT[found.kind] + " "
    text = text or pickers.label(f"{what}{found.label} {found.title}")
    return text, cb.make(KEY_PREFIXES[(on, found.kind)], found.id)


async def _set_key(update: Update, context: Context, on: bool) -> None:
    """/key 编号 理由 acts at once; /key 编号 shows it with one button; /key alone, a picker."""
    command = "key" if on else "unkey"
    args = context.args or []
    if not args:
        await pickers.offer(update, context, command)
        return
    office = context.services.office
    person = require(await person_of(update, context), Role.SUPERVISOR)
    reason = " ".join(args[1:])
    with pickers.usage(command):
        if reason:
            changed = await plan_keys.set_key(office, person, args[0], on, reason)
            await say(update, context, "key_done", change=changed, reason=reason.strip())
            return
        found = await plan_keys.resolve(office, args[0])
    await plan_keys.check(office, person, found.kind, found.id, on)
    action = plan_keys.action(on)
    await say(
        update,
        context,
        "key_card",
        buttons=[[key_button(found, on, action)]],
        what=plan_keys.WHAT[found.kind],
        found=found,
        action=action,
    )


@answers_refusals
async def key_cmd(update: Update, context: Context) -> None:
    await _set_key(update, context, True)


@answers_refusals
async def unkey_cmd(update: Update, context: Context) -> None:
    await _set_key(update, context, False)


def _keyable(on: bool) -> pickers.Lister:
    async def choices(office: Office, person: Person | None) -> pickers.Choices:
        return [key_button(k, on) for k in await picks.keyable(office, person, on)]

    return choices


def _key_prompt(on: bool, kind: str) -> ReasonPrompt:
    """The reason is asked after the pick; the mark is checked before and after it is typed."""

    async def check(update: Update, context: Context, row_id: int) -> None:
        person = await person_of(update, context)
        await plan_keys.check(context.services.office, person, kind, row_id, on)

    async def act(update: Update, context: Context, row_id: int, reason: str) -> None:
        person = await person_of(update, context)
        office = context.services.office
        changed = await plan_keys.change(office, person, kind, row_id, on, reason)
        await say(update, context, "key_done", change=changed, reason=reason)

    return ReasonPrompt(KEY_PREFIXES[(on, kind)], plan_keys.action(on), check, act)


PROMPTS = tuple(_key_prompt(on, kind) for on, kind in KEY_PREFIXES)
KINDS = "事项、任务或目标"
PICKERS = (
    ("plan", pickers.Picker("要查看的任务", "大事要事任务", _tasks)),
    ("key", pickers.Picker("要设为重点的" + KINDS, "可以设为重点的" + KINDS, _keyable(True))),
    ("unkey", pickers.Picker("要取消重点的" + KINDS, "标为重点的" + KINDS, _keyable(False))),
)


@answers_refusals
async def import_cmd(update: Update, context: Context) -> str | int:
    """/import: the sample sheet to fill in; the next .xlsx sent is imported."""
    require(await person_of(update, context), Role.SUPERVISOR)
    if message_of(update).document is not None:
        return await got_file(update, context)
    await say(update, context, "plan_import_ask")
    year = context.services.office.clock.today().year
    with tempfile.TemporaryDirectory() as folder:
        path = plan_template.write_template(Path(folder) / f"大事要事计划表模板_{year}.xlsx", year)
        await context.bot.send_document(chat_id_of(update), path.read_bytes(), filename=path.name)
    return FILE


@answers_refusals
async def got_file(update: Update, context: Context) -> str | int:
    svc = context.services
    person = require(await person_of(update, context), Role.SUPERVISOR)
    doc = message_of(update).document
    if doc is None or not (doc.file_name or "").lower().endswith(".xlsx"):
        raise Refusal("plan_file_needed")
    if (doc.file_size or 0) > svc.settings.max_attachment_mb * 1024 * 1024:
        raise Refusal("plan_file_too_big", limit=svc.settings.max_attachment_mb)
    data = bytes(await (await context.bot.get_file(doc.file_id)).download_as_bytearray())
    try:
        done = await plan.load_sheet(svc.office, person, data, then=fix_letters(svc))
    except plan_sheet.PlanError as exc:
        await say(update, context, "plan_import_failed", problems=[str(p) for p in exc.problems])
        return FILE
    if done.opened:
        svc.wake_sender()
    await say(update, context, "plan_imported", result=done)
    return END


async def stray_sheet(update: Update, context: Context) -> None:
    """A spreadsheet sent outside /import: a supervisor is told how to import it."""
    person = await person_of(update, context)
    template = "plan_file_hint" if person and person.role is Role.SUPERVISOR else "unknown_input"
    await say(update, context, template)


cancel = cancel_form(KEY)


def build() -> Feature:
    with_caption = filters.Document.ALL & filters.CaptionRegex(r"^/import\b")
    form = Form(
        entry_points=[
            CommandHandler("import", import_cmd),
            MessageHandler(with_caption, import_cmd),
        ],
        states={
            FILE: [
                MessageHandler(filters.Document.ALL, got_file),
                MessageHandler((filters.TEXT & ~filters.COMMAND) | filters.PHOTO, got_file),
            ]
        },
        fallbacks=[CommandHandler("cancel", cancel)],
        name=KEY,
        persistent=True,
        allow_reentry=True,
    )
    return Feature(
        (
            form,
            CommandHandler("plan", plan_cmd),
            CallbackQueryHandler(task_picked, pattern=cb.pattern(cb.PLAN_TASK)),
            CommandHandler("key", key_cmd),
            CommandHandler("unkey", unkey_cmd),
            MessageHandler(filters.Document.FileExtension("xlsx"), stray_sheet),
        ),
        PROMPTS,
        PICKERS,
    )

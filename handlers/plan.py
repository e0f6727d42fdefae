"""大事要事: /plan and /plan <编号> (supervisors, leaders), /key and /unkey, /import.

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
from telegram.ext import CommandHandler, ConversationHandler, MessageHandler, filters

from bot import plan_template
from domain import plan, plan_keys, plan_sheet, plan_views
from domain.errors import Refusal
from domain.models import Role
from domain.office import require
from handlers.common import (
    END,
    Context,
    answers_refusals,
    cancel_form,
    person_of,
    say,
    services,
)

KEY = "plan_import"
YEAR = re.compile(r"20\d\d年?")  # /plan 2027: another year's tasks
FILE = "plan_file"


@answers_refusals
async def plan_cmd(update: Update, context: Context) -> None:
    svc = services(context)
    person = await person_of(update, context)
    today = svc.office.clock.today()
    arg = (context.args or [""])[0]
    if arg and not YEAR.fullmatch(arg):
        task, focus = await plan_views.detail(svc.office, person, arg)
        await say(update, context, "plan_detail", task=task, focus=focus, today=today)
        return
    year = int(arg.removesuffix("年")) if arg else today.year
    tasks = await plan_views.overview(svc.office, person, year)
    await say(
        update,
        context,
        "plan_overview",
        tasks=tasks,
        year=year,
        today=today,
        targets=sum(len(t.targets) for t in tasks),
        lights=plan_views.tally(tasks),
    )


async def _set_key(update: Update, context: Context, on: bool) -> None:
    args = context.args or []
    if not args:
        raise Refusal("key_reason_needed")
    person = await person_of(update, context)
    reason = " ".join(args[1:])
    changed = await plan_keys.set_key(services(context).office, person, args[0], on, reason)
    await say(update, context, "key_done", c=changed, reason=reason)


@answers_refusals
async def key_cmd(update: Update, context: Context) -> None:
    await _set_key(update, context, True)


@answers_refusals
async def unkey_cmd(update: Update, context: Context) -> None:
    await _set_key(update, context, False)


@answers_refusals
async def import_cmd(update: Update, context: Context) -> str | int:
    """/import: the sample sheet to fill in; the next .xlsx sent is imported."""
    require(await person_of(update, context), Role.SUPERVISOR)
    if update.message.document is not None:
        return await got_file(update, context)
    await say(update, context, "plan_import_ask")
    year = services(context).office.clock.today().year
    with tempfile.TemporaryDirectory() as folder:
        path = plan_template.write_template(Path(folder) / f"大事要事计划表模板_{year}.xlsx", year)
        await context.bot.send_document(
            update.effective_chat.id, path.read_bytes(), filename=path.name
        )
    return FILE


@answers_refusals
async def got_file(update: Update, context: Context) -> str | int:
    svc = services(context)
    person = require(await person_of(update, context), Role.SUPERVISOR)
    doc = update.message.document
    if doc is None or not (doc.file_name or "").lower().endswith(".xlsx"):
        raise Refusal("plan_file_needed")
    if (doc.file_size or 0) > svc.settings.max_attachment_mb * 1024 * 1024:
        raise Refusal("plan_file_too_big", limit=svc.settings.max_attachment_mb)
    data = bytes(await (await context.bot.get_file(doc.file_id)).download_as_bytearray())
    try:
        done = await plan.load_sheet(svc.office, person, data)
    except plan_sheet.PlanError as exc:
        await say(update, context, "plan_import_failed", problems=[str(p) for p in exc.problems])
        return FILE
    if done.opened:
        svc.wake_sender()
    await say(update, context, "plan_imported", r=done)
    return END


async def stray_sheet(update: Update, context: Context) -> None:
    """A spreadsheet sent outside /import: a supervisor is told how to import it."""
    person = await person_of(update, context)
    template = "plan_file_hint" if person and person.role is Role.SUPERVISOR else "unknown_input"
    await say(update, context, template)


cancel = cancel_form(KEY)


def build() -> list:
    with_caption = filters.Document.ALL & filters.CaptionRegex(r"^/import\b")
    form = ConversationHandler(
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
    return [
        form,
        CommandHandler("plan", plan_cmd),
        CommandHandler("key", key_cmd),
        CommandHandler("unkey", unkey_cmd),
        MessageHandler(filters.Document.FileExtension("xlsx"), stray_sheet),
    ]

"""停用联络员: a supervisor deactivates a liaison who left, from /units.

```
/units [停用联络员] ─► pick the liaison (paged) ─► REASON (handlers/reasons) ─► deactivate
                                                    ─► the liaison told, the supervisor shown
                                                       what the unit has left
```
Every press is authorized from the database; the button only names the liaison.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from domain import liaisons
from domain.errors import Refusal
from domain.liaisons import Deactivated, Liaison
from handlers import callbacks as cb
from handlers.common import (
    Context,
    answers_refusals,
    callback_of,
    keyboard,
    person_of,
    pressed,
    say,
)
from handlers.feature import Feature, ReasonPrompt
from handlers.notify import queue
from storage.db import Conn


def open_button() -> list[tuple[str, str]]:
    """The row under /units that starts the picker."""
    return [("停用联络员", cb.make(cb.LIAISON_PAGE, 0, "new"))]


def _rows(found: list[Liaison], page: int, size: int) -> list[list[tuple[str, str]]]:
    """One liaison a row; ◀ ▶ between pages."""
    pages = max(1, -(-len(found) // size))
    page = min(max(page, 0), pages - 1)
    rows = [
        [(x.label, cb.make(cb.LIAISON_OFF, x.person.id))]
        for x in found[page * size : (page + 1) * size]
    ]
    nav = []
    if page > 0:
        nav.append(("◀ 上一页", cb.make(cb.LIAISON_PAGE, page - 1)))
    if page < pages - 1:
        nav.append(("下一页 ▶", cb.make(cb.LIAISON_PAGE, page + 1)))
    return rows + ([nav] if nav else [])


@answers_refusals
async def pick(update: Update, context: Context) -> None:
    """From /units: a new message with the liaisons; on it, ◀ ▶ turn its page in place."""
    found = await liaisons.active_liaisons(
        context.services.office, await person_of(update, context)
    )
    data = pressed(update)
    page = data.int_arg() if data else None
    if data is None or page is None:
        raise Refusal("stale_button")
    query = callback_of(update)
    await query.answer()
    rows = _rows(found, page, context.services.settings.page_size)
    if data.args[1:] == ("new",) or not found:
        await say(update, context, "liaison_pick", buttons=rows, count=len(found))
    else:
        await query.edit_message_reply_markup(reply_markup=keyboard(rows))


async def check_off(update: Update, context: Context, person_id: int) -> str:
    """Refused before the reason is typed if the liaison is gone; names them in the question."""
    office = context.services.office
    found = await liaisons.to_deactivate(office, await person_of(update, context), person_id)
    return f"停用{found.label}"


async def off_with_reason(update: Update, context: Context, person_id: int, reason: str) -> None:
    svc = context.services

    async def tell_liaison(conn: Conn, done: Deactivated) -> None:
        kind = done.liaison.person.liaison_kind  # a liaison's person always has one
        await queue(
            conn,
            svc,
            [done.liaison.person],
            "liaison_off",
            unit=done.liaison.unit,
            kind=kind.label if kind else "",
            reason=done.reason,
        )

    done = await liaisons.deactivate(
        svc.office, await person_of(update, context), person_id, reason, then=tell_liaison
    )
    svc.wake_sender()
    await say(
        update,
        context,
        "liaison_off_done",
        label=done.liaison.label,
        unit=done.liaison.unit,
        reason=done.reason,
        remaining=done.remaining,
    )


PROMPTS = (ReasonPrompt(cb.LIAISON_OFF, "停用联络员", check_off, off_with_reason),)


def build() -> Feature:
    return Feature((CallbackQueryHandler(pick, pattern=cb.pattern(cb.LIAISON_PAGE)),), PROMPTS)

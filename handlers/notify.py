"""Messages to people other than the one acting: notices and letters, as outbox rows.

Every one is queued in the transaction of the action that causes it and sent by the paced
sender: a network failure or a crash after the commit loses nothing, and one unreachable
person does not silence the others.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from markupsafe import Markup

from bot.services import Services
from domain.letters import Approved
from domain.models import Item, Person
from domain.office import Then
from handlers.common import Buttons
from storage import items, outbox
from storage.db import Conn
from storage.outbox import Push


async def queue(
    conn: Conn,
    svc: Services,
    people: Iterable[Person],
    template: str,
    /,
    buttons: Buttons | None = None,
    item_id: int | None = None,
    **ctx: Any,
) -> int:
    """The same notice to each person, through the outbox, in the caller's transaction (the
    action's own): it is sent once the action commits, and never if it does not. Rendered
    now, so it says what happened at this moment. Returns how many were queued."""
    text = svc.render(template, **ctx)
    now = svc.office.now()
    tag = uuid.uuid4().hex[:12]
    pushes = [
        Push(
            f"notice:{template}:{tag}:p{p.id}",
            template,
            "post_html",
            now,
            item_id=item_id,
            person_id=p.id,
            chat_id=p.chat_id,
            context={"html": text},
            buttons=[list(row) for row in buttons or []],
            automatic=False,
        )
        for p in people
    ]
    return await outbox.add_many(conn, pushes, now)


async def queue_files(
    conn: Conn, svc: Services, person: Person, files: list[tuple[str, str]]
) -> int:
    """Files already on Telegram (a report's photos and documents), one row each, after the
    message they belong to (rows to one chat go in order)."""
    now = svc.office.now()
    tag = uuid.uuid4().hex[:12]
    pushes = [
        Push(
            f"file:{tag}:{i}:p{person.id}",
            "file",
            "",
            now,
            person_id=person.id,
            chat_id=person.chat_id,
            automatic=False,
            file_kind=kind,
            file_id=file_id,
        )
        for i, (kind, file_id) in enumerate(files)
    ]
    return await outbox.add_many(conn, pushes, now)


def fix_letters(svc: Services, also: Then | None = None) -> Then:
    """A `then` that renders each new letter (an approval's, or a plan import's list) and
    stores it on its item in the action's transaction, so the domain queues it as fixed here;
    `also` runs after, with the same result."""

    async def store(conn: Conn, done: list[Item] | Approved) -> None:
        found = done if isinstance(done, list) else [done.item]
        await items.set_letters(conn, [(item.id, render_letter(svc, item)) for item in found])
        if also is not None:
            await also(conn, done)

    return store


def render_letter(svc: Services, item: Item) -> Markup:
    """督办函; a 指导性 target of the year's plan gets the lighter 任务书 instead. Marked as
    HTML already, so a card that shows it (approval_card.j2) does not escape it again."""
    return Markup(
        svc.render(
            "task_notice" if item.is_task_notice else "letter",
            item=item,
            serial=svc.office.serial_label(item),
            office_name=svc.settings.office_name,
            date=(item.approved_at or svc.office.now())[:10],
        )
    )

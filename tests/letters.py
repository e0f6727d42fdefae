"""A `then` for tests that approve or import without the bot: the letter fixed on the item, as
handlers/notify.fix_letters does with the real template."""

from __future__ import annotations

from storage import items


async def letter_fixed(conn, done) -> None:
    for item in done if isinstance(done, list) else [done.item]:
        await items.set_letter(conn, item.id, f"<b>督 办 函</b>\n{item.title}")

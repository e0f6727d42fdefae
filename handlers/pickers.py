"""Pickers: a command sent without its argument lists what this person may act on.

```
/item ─► 请选择… [督办〔2026〕3号 …] [◀ 1/3 ▶] ─(press)─► the same as /item 3
```
Each command's `build()` names what it lists; the application installs them all. Its buttons
carry the command's own prefix, whose handler authorizes the press from the database exactly as
it checks a typed argument; a page turn lists again for the presser, so nobody pages through
another role's list.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler

from domain.errors import Refusal
from domain.models import Item, Person
from domain.office import Office
from handlers import callbacks as cb
from handlers.common import (
    Context,
    answers_refusals,
    person_of,
    pressed,
    say,
    turn_page,
)
from handlers.feature import Choices, Feature, Lister, Picker

__all__ = ["Choices", "Lister", "Picker"]
LABEL = 32  # characters of a button's text: a phone shows one line of this
KEY = "pickers"


def install(app: Application[Any, Any, Any, Any, Any, Any], features: Iterable[Feature]) -> None:
    """Every feature's pickers, by command; a command named twice is a wiring mistake."""
    found: dict[str, Picker] = {}
    for feature in features:
        for command, picker in feature.pickers:
            if command in found:
                raise ValueError(f"two pickers for /{command}")
            found[command] = picker
    app.bot_data[KEY] = found


def _installed(context: Context) -> Mapping[str, Picker]:
    found: Mapping[str, Picker] = context.application.bot_data[KEY]
    return found


def label(text: str) -> str:
    return text if len(text) <= LABEL else text[: LABEL - 1] + "…"


def item_choices(office: Office, found: Iterable[Item], prefix: str) -> Choices:
    """One button per item: its 编号 and title, carrying `prefix:<item id>`."""
    return [(label(f"{office.serial_label(i)} {i.title}"), cb.make(prefix, i.id)) for i in found]


def page_rows(choices: Choices, command: str, page: int, size: int) -> list[list[tuple[str, str]]]:
    """One choice a row (titles are long); ◀ ▶ move between pages."""
    pages = max(1, -(-len(choices) // size))
    page = min(max(page, 0), pages - 1)
    rows = [[c] for c in choices[page * size : (page + 1) * size]]
    nav = []
    if page > 0:
        nav.append(("◀ 上一页", cb.make(cb.PICK_PAGE, command, page - 1)))
    if pages > 1:
        nav.append((f"{page + 1}/{pages}", cb.make(cb.PICK_PAGE, command, page)))
    if page < pages - 1:
        nav.append(("下一页 ▶", cb.make(cb.PICK_PAGE, command, page + 1)))
    return rows + ([nav] if nav else [])


async def rows(
    context: Context, person: Person | None, command: str, page: int = 0
) -> tuple[list[list[tuple[str, str]]], int]:
    """The command's picker buttons for this person (a Refusal if they may not use it)."""
    svc = context.services
    choices = await _installed(context)[command].choices(svc.office, person)
    return page_rows(choices, command, page, svc.settings.page_size), len(choices)


async def offer(update: Update, context: Context, command: str) -> None:
    """The command came without its argument: the picker, or why there is nothing to pick."""
    picker = _installed(context)[command]
    buttons, count = await rows(context, await person_of(update, context), command)
    if not count:
        raise Refusal("nothing_to_pick", what=picker.empty)
    await say(update, context, "pick", buttons=buttons, what=picker.what, command=command)


@answers_refusals
async def page(update: Update, context: Context) -> None:
    data = pressed(update)
    number = data.int_arg(1) if data else None
    if data is None or number is None or data.args[0] not in _installed(context):
        raise Refusal("stale_button")
    buttons, _ = await rows(context, await person_of(update, context), data.args[0], number)
    await turn_page(update, buttons)


@contextmanager
def usage(command: str) -> Iterator[None]:
    """A bad 编号 is answered with this command's own example, not /item's."""
    try:
        yield
    except Refusal as refusal:
        if refusal.key in ("bad_ref", "item_unknown", "key_unknown"):
            refusal.context["command"] = command
        raise


def build() -> Feature:
    return Feature((CallbackQueryHandler(page, pattern=cb.pattern(cb.PICK_PAGE)),))

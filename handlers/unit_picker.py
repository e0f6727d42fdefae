"""A paged inline keyboard of units, shared by /invite, /mute and the /new form."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import Update
from telegram.ext import CallbackQueryHandler

from domain import queries
from domain.errors import Refusal
from domain.models import Role, Unit
from domain.office import require
from handlers import callbacks as cb
from handlers.common import Context, answers_refusals, person_of, pressed, turn_page


def unit_rows(
    units: Sequence[Unit],
    field: str,
    page: int,
    page_size: int,
    selected: frozenset[int] = frozenset(),
) -> list[list[tuple[str, str]]]:
    """Two units a row; ✅ marks the selected ones; ◀ ▶ move between pages."""
    pages = max(1, -(-len(units) // page_size))
    page = min(max(page, 0), pages - 1)
    shown = units[page * page_size : (page + 1) * page_size]
    rows: list[list[tuple[str, str]]] = []
    for start in range(0, len(shown), 2):
        rows.append(
            [
                (("✅ " if u.id in selected else "") + u.label, cb.make(cb.UNIT, field, u.id))
                for u in shown[start : start + 2]
            ]
        )
    nav = []
    if page > 0:
        nav.append(("◀ 上一页", cb.make(cb.PAGE, field, page - 1)))
    if pages > 1:
        nav.append((f"{page + 1}/{pages}", cb.make(cb.PAGE, field, page)))
    if page < pages - 1:
        nav.append(("下一页 ▶", cb.make(cb.PAGE, field, page + 1)))
    if nav:
        rows.append(nav)
    return rows


async def form_keyboard(context: Context, form: dict, name: str) -> tuple[list, dict]:
    """The /new form's unit question: the (searched) units, paged; co-units toggle."""
    query = form.get("q", "")
    office = context.services.office
    found = await queries.unit_list(office, query)
    if name == "co":
        found = [u for u in found if u.id != form["v"].get("lead")]
    selected = frozenset(form["v"].get("co", []))
    rows = unit_rows(
        found,
        name,
        form.get("page", 0),
        context.services.settings.page_size,
        selected if name == "co" else frozenset(),
    )
    if name == "co":
        rows.append(
            [
                (f"完成（已选{len(selected)}个）", cb.make(cb.DONE, "co")),
                ("无配合单位", cb.make(cb.DONE, "co", "none")),
            ]
        )
    names = await queries.unit_names(office)
    extra = {
        "query": query,
        "matches": len(found),
        "selected": [names.get(u, "") for u in selected],
    }
    return rows, extra


def page_turner(field: str) -> CallbackQueryHandler:
    """◀ ▶ on a supervisor's unit picker (`field` names it): the same list, another page."""

    @answers_refusals
    async def turn(update: Update, context: Context) -> None:
        require(await person_of(update, context), Role.SUPERVISOR)
        data = pressed(update)
        number = data.int_arg(1) if data else None
        if number is None:
            raise Refusal("stale_button")
        found = await queries.unit_list(context.services.office)
        rows = unit_rows(found, field, number, context.services.settings.page_size)
        await turn_page(update, rows)

    return CallbackQueryHandler(turn, pattern=cb.pattern(cb.PAGE, field))

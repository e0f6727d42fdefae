"""A paged inline keyboard of units, shared by /invite and the /new form."""

from __future__ import annotations

from collections.abc import Sequence

from domain.models import Unit
from handlers import callbacks as cb


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

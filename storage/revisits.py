"""Revisits (回访): when each falls due and how far it has got."""

from __future__ import annotations

from datetime import date

from domain.errors import Refusal
from domain.models import Revisit
from storage import next_check
from storage.db import Conn, found, value


async def insert(conn: Conn, item_id: int, days: list[date]) -> None:
    await conn.executemany(
        "INSERT OR IGNORE INTO revisits (item_id, due_on) VALUES (?, ?)",
        [(item_id, d.isoformat()) for d in days],
    )


async def due(conn: Conn, today: date) -> list[Revisit]:
    """Scheduled revisits due by today, oldest first (an item's earlier revisit goes first)."""
    rows = await conn.all(
        "SELECT * FROM revisits WHERE state = 'scheduled' AND due_on <= ? ORDER BY due_on, id",
        (today.isoformat(),),
    )
    return [value(Revisit, r) for r in rows]


async def load(conn: Conn, revisit_id: int) -> Revisit:
    """The revisit with who answered and who decided, for the refusals that name them."""
    row = await conn.one(
        "SELECT r.*, rp.submitted_at AS answered_at, a.name AS answered_by,"
        " d.name AS decided_name FROM revisits r"
        " LEFT JOIN reports rp ON rp.id = r.report_id"
        " LEFT JOIN people a ON a.id = rp.person_id"
        " LEFT JOIN people d ON d.id = r.decided_by WHERE r.id = ?",
        (revisit_id,),
    )
    if row is None:
        raise Refusal("revisit_unknown")
    return value(Revisit, row)


async def move(conn: Conn, revisit_id: int, state: str, expected: str, **columns: object) -> None:
    """Move a revisit on, only from the state the caller checked (a guard, not a race); the
    item is decided again at the next tick, since an unanswered revisit is chased."""
    allowed = {"asked_at", "report_id", "decided_by", "decided_at", "reason"}
    if not set(columns) <= allowed:
        raise ValueError(f"unknown columns {set(columns) - allowed}")
    sets = "".join(f", {name} = ?" for name in columns)
    changed = await conn.execute(
        f"UPDATE revisits SET state = ?{sets} WHERE id = ? AND state = ?",
        (state, *columns.values(), revisit_id, expected),
    )
    if changed != 1:
        raise Refusal("stale_button")
    item_id = await conn.integer("SELECT item_id FROM revisits WHERE id = ?", (revisit_id,))
    await next_check.touch(conn, found(item_id, f"revisit {revisit_id}"))


async def drop_scheduled(conn: Conn, item_id: int) -> int:
    return await conn.execute(
        "UPDATE revisits SET state = 'dropped' WHERE item_id = ? AND state = 'scheduled'",
        (item_id,),
    )

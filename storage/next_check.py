"""When each assignment (an item_units row) next needs a decision by the reminder policy.

Every state change that can alter what the policy decides calls `touch` in its own
transaction, here in storage, so no caller can forget it. A touch lowers `next_check` below
zero: due at once, and distinct from any value a tick read before it, so the tick's later
`settle` (conditional on the value it read) never hides a change made while it decided.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from storage.db import Conn

NEVER = date.max.toordinal()  # not chased (closed, not sent): only a state change wakes it
_TOUCH = "UPDATE item_units SET next_check = min(next_check, 0) - 1"


async def touch(conn: Conn, item_id: int, unit_id: int | None = None) -> None:
    """The item (or one unit's part in it) changed: decide it at the next tick."""
    if unit_id is None:
        await conn.execute(f"{_TOUCH} WHERE item_id = ?", (item_id,))
    else:
        await conn.execute(f"{_TOUCH} WHERE item_id = ? AND unit_id = ?", (item_id, unit_id))


async def touch_items(conn: Conn, item_ids: Iterable[int]) -> None:
    await conn.executemany(f"{_TOUCH} WHERE item_id = ?", [(i,) for i in set(item_ids)])


async def touch_unit(conn: Conn, unit_id: int) -> None:
    """Every item of the unit (a mute set or lifted)."""
    await conn.execute(f"{_TOUCH} WHERE unit_id = ?", (unit_id,))


async def touch_carried_by(conn: Conn, outbox_id: int) -> None:
    """The assignments whose steps an outbox row carried: a dropped digest's steps are taken
    again, so they need a decision."""
    await conn.execute(
        f"{_TOUCH} WHERE (item_id, unit_id) IN (SELECT c.item_id, c.unit_id FROM chases c"
        " JOIN outbox o ON o.dedupe_key = c.outbox_key WHERE o.id = ?)",
        (outbox_id,),
    )


async def any_due(conn: Conn, today: date) -> bool:
    """The idle tick's whole cost: one index probe."""
    found = await conn.scalar(
        "SELECT 1 FROM item_units WHERE next_check <= ? LIMIT 1", (today.toordinal(),)
    )
    return found is not None


async def due(
    conn: Conn, today: date, after: tuple[int, int], limit: int
) -> list[tuple[int, int, int]]:
    """(item, unit, next_check) of the next `limit` due assignments after `after`."""
    rows = await conn.all(
        "SELECT item_id, unit_id, next_check FROM item_units"
        " WHERE next_check <= ? AND (item_id, unit_id) > (?, ?)"
        " ORDER BY item_id, unit_id LIMIT ?",
        (today.toordinal(), *after, limit),
    )
    return [(r[0], r[1], r[2]) for r in rows]


async def settle(conn: Conn, decided: Iterable[tuple[int, int, int, int]]) -> int:
    """Set (item, unit, read value, next value): only where the value is still the one read."""
    return await conn.executemany(
        "UPDATE item_units SET next_check = ? WHERE item_id = ? AND unit_id = ? AND next_check = ?",
        [(new, item, unit, old) for item, unit, old, new in decided],
    )

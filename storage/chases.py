"""The steps taken on each need's ladder, with the fate of the message that carried them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from domain.policy import Chase, Step
from storage.db import Conn


async def history(
    conn: Conn, statuses: Iterable[str], item_ids: Iterable[int] | None = None
) -> dict[str, list[Chase]]:
    """Every step taken for the items still chased (only the given items when `item_ids` is
    set), by need key; joined with the outbox row that carried it, so a reminder counts as
    sent only when it was."""
    params: list[object] = list(statuses)
    where = f"i.status IN ({','.join('?' * len(params))})"
    if item_ids is not None:
        ids = sorted(set(item_ids))
        where += f" AND c.item_id IN ({','.join('?' * len(ids))})"
        params += ids
    rows = await conn.all(
        "SELECT c.need_key, c.step, c.day, o.state FROM chases c"
        " LEFT JOIN outbox o ON o.dedupe_key = c.outbox_key"
        f" JOIN items i ON i.id = c.item_id WHERE {where} ORDER BY c.day",
        params,
    )
    found: dict[str, list[Chase]] = {}
    for r in rows:
        found.setdefault(r["need_key"], []).append(
            Chase(r["need_key"], r["step"], date.fromisoformat(r["day"]), r["state"])
        )
    return found


async def record(conn: Conn, steps: Iterable[Step], day: date, outbox_key: str | None) -> None:
    """Keep the steps a queued message (or a leader-channel alert) carried."""
    await record_many(conn, [(steps, outbox_key)], day)


async def record_many(
    conn: Conn, carried: Iterable[tuple[Iterable[Step], str | None]], day: date
) -> None:
    """Keep the steps each of several messages carried, in one statement."""
    await conn.executemany(
        "INSERT OR IGNORE INTO chases (need_key, step, day, outbox_key, item_id, unit_id)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [
            (s.need.key, s.action, day.isoformat(), key, s.need.item_id, s.need.unit_id)
            for steps, key in carried
            for s in steps
        ],
    )

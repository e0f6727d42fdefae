"""The outbox: pushes decided by rules, sent later by the paced sender, each exactly once."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from storage.db import Conn, Row


@dataclass(frozen=True)
class Push:
    """One message the bot decided to send by itself.

    Either `person_id`/`chat_id` names the recipient, or `unit_id` alone does: then the
    sender picks the unit's reachable liaison at send time (primary first), so a push
    survives a hand-over or a blocked primary.
    """

    dedupe_key: str
    rule: str
    template: str
    due_at: str
    item_id: int | None = None
    unit_id: int | None = None
    person_id: int | None = None
    chat_id: int | None = None
    context: dict[str, Any] = field(default_factory=dict)
    buttons: list[list[tuple[str, str]]] = field(default_factory=list)
    photo: str | None = None  # a PNG file to send, the rendered text as its caption


_INSERT = (
    "INSERT OR IGNORE INTO outbox (dedupe_key, rule, item_id, unit_id, person_id, chat_id,"
    " template, context, buttons, due_at, created_at, photo)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _row(push: Push, now: str) -> tuple:
    return (
        push.dedupe_key,
        push.rule,
        push.item_id,
        push.unit_id,
        push.person_id,
        push.chat_id,
        push.template,
        json.dumps(push.context, ensure_ascii=False, default=str),
        json.dumps(push.buttons, ensure_ascii=False),
        push.due_at,
        now,
        push.photo,
    )


async def add(conn: Conn, push: Push, now: str) -> bool:
    """Queue the push unless one with the same key exists; True if it was new."""
    return await conn.execute(_INSERT, _row(push, now)) == 1


async def add_many(conn: Conn, pushes: list[Push], now: str) -> int:
    """Queue many pushes in one statement; returns how many were new."""
    return await conn.executemany(_INSERT, [_row(p, now) for p in pushes])


async def ready(conn: Conn, now: str, limit: int = 200) -> list[Row]:
    """Pending pushes that are due, oldest first (the order they were decided in)."""
    return await conn.all(
        "SELECT * FROM outbox WHERE state = 'pending' AND due_at <= ? ORDER BY due_at, id LIMIT ?",
        (now, limit),
    )


async def next_due(conn: Conn) -> str | None:
    return await conn.scalar("SELECT min(due_at) FROM outbox WHERE state = 'pending'")


async def mark(conn: Conn, push_id: int, state: str, **columns: Any) -> None:
    allowed = {"sent_to", "message_id", "sent_at", "error"}
    if not set(columns) <= allowed:
        raise ValueError(f"unknown columns {set(columns) - allowed}")
    sets = "".join(f", {name} = ?" for name in columns)
    await conn.execute(
        f"UPDATE outbox SET state = ?, attempts = attempts + (? = 'sending'){sets} WHERE id = ?",
        (state, state, *columns.values(), push_id),
    )


async def settle_interrupted(conn: Conn) -> int:
    """After a crash, a push caught mid-send may or may not have arrived: say so, don't resend."""
    return await conn.execute(
        "UPDATE outbox SET state = 'uncertain', error = '发送时程序中断，无法确定是否送达'"
        " WHERE state = 'sending'"
    )


async def release_held(conn: Conn, unit_id: int) -> int:
    """A unit can be reached again (a new liaison): its held pushes go out, except those
    addressed to a person known to be unreachable (the newcomer gets their own)."""
    return await conn.execute(
        "UPDATE outbox SET state = 'pending', error = NULL WHERE state = 'held' AND unit_id = ?"
        " AND (person_id IS NULL OR person_id NOT IN"
        " (SELECT id FROM people WHERE unreachable_at IS NOT NULL))",
        (unit_id,),
    )


async def queued_for_unit(conn: Conn, rule: str, item_id: int, unit_id: int) -> bool:
    """A push of this rule for this item still waits to go to the unit (any liaison)."""
    return bool(
        await conn.scalar(
            "SELECT 1 FROM outbox WHERE rule = ? AND item_id = ? AND unit_id = ?"
            " AND person_id IS NULL AND state = 'pending'",
            (rule, item_id, unit_id),
        )
    )


async def counts(conn: Conn, today: str) -> dict[str, int]:
    rows = await conn.all("SELECT state, count(*) FROM outbox WHERE state != 'sent' GROUP BY state")
    found = {r[0]: r[1] for r in rows}
    found["sent_today"] = await conn.scalar(
        "SELECT count(*) FROM outbox WHERE state = 'sent' AND substr(sent_at, 1, 10) = ?",
        (today,),
    )
    return found


async def problems(conn: Conn, limit: int = 20) -> list[Row]:
    return await conn.all(
        "SELECT o.*, u.name AS unit_name FROM outbox o LEFT JOIN units u ON u.id = o.unit_id"
        " WHERE o.state IN ('failed', 'uncertain', 'held') ORDER BY o.id DESC LIMIT ?",
        (limit,),
    )


async def mute(conn: Conn, unit_id: int, until: str, person_id: int, now: str) -> None:
    await conn.execute(
        "INSERT INTO mutes (unit_id, until, muted_by, muted_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT(unit_id) DO UPDATE SET until = excluded.until,"
        " muted_by = excluded.muted_by, muted_at = excluded.muted_at",
        (unit_id, until, person_id, now),
    )


async def mutes(conn: Conn, today: str) -> dict[int, str]:
    rows = await conn.all("SELECT unit_id, until FROM mutes WHERE until >= ?", (today,))
    return {r[0]: r[1] for r in rows}


async def exists(conn: Conn, dedupe_key: str) -> bool:
    return bool(await conn.scalar("SELECT 1 FROM outbox WHERE dedupe_key = ?", (dedupe_key,)))


async def last_created(conn: Conn, rule: str) -> str | None:
    return await conn.scalar("SELECT max(created_at) FROM outbox WHERE rule = ?", (rule,))

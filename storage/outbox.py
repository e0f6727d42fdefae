"""The outbox: every message to someone other than the person acting, each sent exactly once.

Rows are written in the same transaction as the state change that causes them; the paced
sender (bot/outbox_sender.py) takes them from here. Instants that are compared (`due_ts`,
`created_ts`) are UTC epoch seconds, so a change of time zone delays nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from storage import next_check
from storage.db import Conn, Row

PROBLEM_STATES = ("failed", "uncertain", "held")


@dataclass(frozen=True)
class Push:
    """One message decided now and sent later.

    Either `person_id`/`chat_id` names the recipient, or `unit_id` alone does: then the
    sender picks the unit's reachable liaison at send time (primary first), so a push
    survives a hand-over or a blocked primary. `automatic` pushes (reminders, posts) wait for
    working hours; the effects of a person's action (letters, cards, notices) do not.
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
    automatic: bool = True
    file_kind: str | None = None  # 'photo' | 'document' already on Telegram (file_id)
    file_id: str | None = None


@dataclass(frozen=True, slots=True)
class Queued:
    """A row as the sender and the office's views see it."""

    id: int
    dedupe_key: str
    rule: str
    template: str
    context: dict[str, Any]
    buttons: list[list[list[str]]]
    state: str
    attempts: int
    automatic: bool
    created_ts: int
    item_id: int | None = None
    unit_id: int | None = None
    person_id: int | None = None
    chat_id: int | None = None
    photo: str | None = None
    file_kind: str | None = None
    file_id: str | None = None
    error: str | None = None
    unit_name: str | None = None

    @property
    def lane(self) -> str:
        """Rows of one lane go in order; lanes go side by side."""
        if self.chat_id is not None:
            return str(self.chat_id)
        return f"p{self.person_id}" if self.person_id else f"u{self.unit_id}"


def epoch(instant: str | datetime) -> int:
    """Seconds since the epoch of an aware ISO instant (any offset)."""
    moment = datetime.fromisoformat(instant) if isinstance(instant, str) else instant
    return int(moment.timestamp())


_INSERT = (
    "INSERT OR IGNORE INTO outbox (dedupe_key, rule, item_id, unit_id, person_id, chat_id,"
    " template, context, buttons, due_at, due_ts, created_at, created_ts, photo, automatic,"
    " file_kind, file_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _row(push: Push, now: str) -> tuple[object, ...]:
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
        epoch(push.due_at),
        now,
        epoch(now),
        push.photo,
        push.automatic,
        push.file_kind,
        push.file_id,
    )


def _queued(row: Row) -> Queued:
    keys = row.keys()
    return Queued(
        id=row["id"],
        dedupe_key=row["dedupe_key"],
        rule=row["rule"],
        template=row["template"],
        context=json.loads(row["context"] or "{}"),
        buttons=json.loads(row["buttons"] or "[]"),
        state=row["state"],
        attempts=row["attempts"],
        automatic=bool(row["automatic"]),
        created_ts=row["created_ts"],
        item_id=row["item_id"],
        unit_id=row["unit_id"],
        person_id=row["person_id"],
        chat_id=row["chat_id"],
        photo=row["photo"],
        file_kind=row["file_kind"],
        file_id=row["file_id"],
        error=row["error"],
        unit_name=row["unit_name"] if "unit_name" in keys else None,
    )


async def add(conn: Conn, push: Push, now: str) -> bool:
    """Queue the push unless one with the same key exists; True if it was new."""
    return await conn.execute(_INSERT, _row(push, now)) == 1


async def add_many(conn: Conn, pushes: list[Push], now: str) -> int:
    """Queue many pushes in one statement; returns how many were new."""
    return await conn.executemany(_INSERT, [_row(p, now) for p in pushes])


async def add_new(conn: Conn, pushes: list[Push], now: str) -> set[str]:
    """Queue the pushes whose key is new, in two statements; returns the keys queued."""
    keys = [p.dedupe_key for p in pushes]
    rows = await conn.all(
        f"SELECT dedupe_key FROM outbox WHERE dedupe_key IN ({','.join('?' * len(keys))})", keys
    )
    known = {r[0] for r in rows}
    fresh = [p for p in pushes if p.dedupe_key not in known]
    await add_many(conn, fresh, now)
    return {p.dedupe_key for p in fresh}


async def ready(conn: Conn, now_ts: int, automatic: bool, limit: int = 200) -> list[Queued]:
    """Pending rows that are due, oldest first; automatic ones only when `automatic`. A row
    behind one of its own chat that waits for a retry waits with it: order is kept."""
    rows = await conn.all(
        "SELECT * FROM outbox o WHERE state = 'pending' AND due_ts <= ?"
        " AND (automatic = 0 OR ?) AND NOT EXISTS (SELECT 1 FROM outbox w"  # a retry waits:
        "  WHERE w.state = 'pending' AND w.due_ts > ? AND w.id < o.id"  # its chat waits too
        "  AND w.chat_id IS o.chat_id AND (o.chat_id IS NOT NULL OR w.unit_id IS o.unit_id))"
        " ORDER BY id LIMIT ?",
        (now_ts, automatic, now_ts, limit),
    )
    return [_queued(r) for r in rows]


async def next_retry(conn: Conn, now_ts: int) -> int | None:
    """When the earliest row waiting for a retry is due (None if none waits)."""
    return await conn.integer(
        "SELECT min(due_ts) FROM outbox WHERE state = 'pending' AND due_ts > ?", (now_ts,)
    )


async def get(conn: Conn, push_id: int) -> Queued | None:
    row = await conn.one(
        "SELECT o.*, u.name AS unit_name FROM outbox o LEFT JOIN units u ON u.id = o.unit_id"
        " WHERE o.id = ?",
        (push_id,),
    )
    return _queued(row) if row else None


async def sending(conn: Conn, push_id: int, holder: str | None = None) -> bool:
    """Marked before the request is made: a crash now leaves it 'uncertain', never resent.

    False if the row was settled meanwhile, or `holder` no longer holds the database's lease
    (this process was frozen and another took over): then it must not be sent from here.
    """
    return (
        await conn.execute(
            "UPDATE outbox SET state = 'sending', attempts = attempts + 1"
            " WHERE id = ? AND state IN ('pending', 'sending')"
            " AND (? IS NULL OR EXISTS (SELECT 1 FROM lease WHERE holder = ?))",
            (push_id, holder, holder),
        )
        == 1
    )


async def sent(conn: Conn, push_id: int, sent_to: int | None, message_id: int, at: str) -> None:
    await conn.execute(
        "UPDATE outbox SET state = 'sent', sent_to = ?, message_id = ?, sent_at = ?,"
        " error = NULL WHERE id = ?",
        (sent_to, message_id, at, push_id),
    )


async def retry_at(conn: Conn, push_id: int, due_ts: int, error: str) -> None:
    """It certainly did not arrive: try again at `due_ts`."""
    await conn.execute(
        "UPDATE outbox SET state = 'pending', due_ts = ?, error = ? WHERE id = ?",
        (due_ts, error, push_id),
    )


async def settle(conn: Conn, push_id: int, state: str, error: str) -> None:
    """A final state other than 'sent': uncertain, failed, held or dropped, with the reason."""
    if state not in ("uncertain", "failed", "held", "dropped"):
        raise ValueError(f"not a settling state: {state}")
    await conn.execute(
        "UPDATE outbox SET state = ?, error = ? WHERE id = ?", (state, error, push_id)
    )
    if state == "dropped":  # the steps it carried are taken again
        await next_check.touch_carried_by(conn, push_id)


async def resend(conn: Conn, push_id: int, now_ts: int) -> bool:
    """A person asked for it again: a failed, uncertain or held row goes back in the queue."""
    changed = await conn.execute(
        "UPDATE outbox SET state = 'pending', due_ts = ?, created_ts = ?, error = NULL"
        f" WHERE id = ? AND state IN {PROBLEM_STATES}",
        (now_ts, now_ts, push_id),
    )
    return changed == 1


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
    sent_today = await conn.integer(
        "SELECT count(*) FROM outbox WHERE state = 'sent' AND substr(sent_at, 1, 10) = ?",
        (today,),
    )
    return found | {"sent_today": sent_today or 0}


async def problems(conn: Conn, limit: int = 20) -> list[Queued]:
    rows = await conn.all(
        "SELECT o.*, u.name AS unit_name FROM outbox o LEFT JOIN units u ON u.id = o.unit_id"
        f" WHERE o.state IN {PROBLEM_STATES} ORDER BY o.id DESC LIMIT ?",
        (limit,),
    )
    return [_queued(r) for r in rows]


async def undelivered_for(conn: Conn, item_id: int, person_id: int) -> list[Queued]:
    """This person's failed or uncertain messages about this item (a card they never got)."""
    rows = await conn.all(
        "SELECT * FROM outbox WHERE item_id = ? AND person_id = ?"
        " AND state IN ('failed', 'uncertain') ORDER BY id",
        (item_id, person_id),
    )
    return [_queued(r) for r in rows]


async def mute(conn: Conn, unit_id: int, until: str, person_id: int, now: str) -> None:
    await conn.execute(
        "INSERT INTO mutes (unit_id, until, muted_by, muted_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT(unit_id) DO UPDATE SET until = excluded.until,"
        " muted_by = excluded.muted_by, muted_at = excluded.muted_at",
        (unit_id, until, person_id, now),
    )
    await next_check.touch_unit(conn, unit_id)


async def mutes(conn: Conn, today: str) -> dict[int, str]:
    rows = await conn.all("SELECT unit_id, until FROM mutes WHERE until >= ?", (today,))
    return {r[0]: r[1] for r in rows}


async def exists(conn: Conn, dedupe_key: str) -> bool:
    return bool(await conn.scalar("SELECT 1 FROM outbox WHERE dedupe_key = ?", (dedupe_key,)))


async def last_created(conn: Conn, rule: str) -> str | None:
    return await conn.text("SELECT max(created_at) FROM outbox WHERE rule = ?", (rule,))

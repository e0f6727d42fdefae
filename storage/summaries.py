"""What the leader channel's summaries read: latest progress, difficulties, status counts."""

from __future__ import annotations

from collections.abc import Iterable

from domain.ledger import Difficulty
from domain.models import Report
from storage.db import Conn, value


async def status_counts(conn: Conn) -> dict[str, int]:
    rows = await conn.all("SELECT status, count(*) FROM items GROUP BY status")
    return {r[0]: r[1] for r in rows}


async def latest_progress(conn: Conn, item_ids: Iterable[int]) -> dict[tuple[int, int], Report]:
    """The newest progress report of each (item, unit)."""
    ids = list(item_ids)
    if not ids:
        return {}
    rows = await conn.all(
        "SELECT r.* FROM reports r WHERE r.kind = 'progress'"
        f" AND r.item_id IN ({','.join('?' * len(ids))})"
        " AND r.id = (SELECT max(r2.id) FROM reports r2 WHERE r2.item_id = r.item_id"
        " AND r2.unit_id = r.unit_id AND r2.kind = 'progress')",
        ids,
    )
    return {(r["item_id"], r["unit_id"]): value(Report, r) for r in rows}


async def difficulties_since(conn: Conn, since: str) -> list[Difficulty]:
    """Progress reports with difficulties submitted after `since`, key items first."""
    rows = await conn.all(
        "SELECT r.item_id, r.unit_id, r.difficulties, r.submitted_at, u.name AS unit_name,"
        " i.title, i.year, i.serial, i.plan_code, i.is_key"
        " FROM reports r JOIN items i ON i.id = r.item_id"
        " JOIN units u ON u.id = r.unit_id WHERE r.kind = 'progress' AND r.difficulties != ''"
        " AND r.submitted_at > ? AND NOT EXISTS (SELECT 1 FROM reports r3"
        " WHERE r3.item_id = r.item_id AND r3.unit_id = r.unit_id AND r3.kind = r.kind"
        " AND r3.period_key = r.period_key AND r3.version > r.version)"
        " ORDER BY i.is_key DESC, r.submitted_at",
        (since,),
    )
    return [value(Difficulty, r) for r in rows]

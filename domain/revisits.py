"""回访: closed key or long-running items are looked at again after a while.

(Scheduling only; the revisit form and its decisions are being added alongside.)
"""

from __future__ import annotations

from datetime import date, timedelta

from domain.models import Item, Period
from domain.office import Office
from storage.db import Conn

LONG_RUNNING_DAYS = 90


def needs_revisit(item: Item) -> bool:
    """Key items, and items followed on a rhythm for at least a quarter, are revisited."""
    if item.is_key:
        return True
    sent = date.fromisoformat((item.sent_at or item.created_at)[:10])
    return item.period is not Period.ONCE and (item.deadline - sent).days >= LONG_RUNNING_DAYS


async def schedule(conn: Conn, office: Office, item: Item, closed_on: date) -> list[date]:
    """Store the revisit days (idempotent); called inside the closing transaction."""
    if not needs_revisit(item):
        return []
    days = [closed_on + timedelta(days=offset) for offset in office.revisit_days]
    await conn.executemany(
        "INSERT OR IGNORE INTO revisits (item_id, due_on) VALUES (?, ?)",
        [(item.id, d.isoformat()) for d in days],
    )
    return days

"""The ledger as the reminder rules see it: one row per (item, unit) still being chased."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from domain.items import Status
from domain.models import Period
from domain.reminders import Assignment
from storage.db import Conn


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


async def assignments(
    conn: Conn,
    statuses: Iterable[str],
    label: Callable[[int | None, int | None, int, str | None], str],
    item_ids: Iterable[int] | None = None,
) -> list[Assignment]:
    """`label(year, serial, item_id, plan_code)` names the item as the office does; only
    the given items when `item_ids` is set."""
    statuses = list(statuses)
    where = f"i.status IN ({','.join('?' * len(statuses))})"
    params: list[object] = list(statuses)
    if item_ids is not None:
        ids = sorted(set(item_ids))
        where += f" AND i.id IN ({','.join('?' * len(ids))})"
        params += ids
    rows = await conn.all(
        "SELECT i.id, i.title, i.year, i.serial, i.plan_code, i.chase_from, i.status, i.is_key,"
        " i.period, i.deadline,"
        " i.sent_at, iu.unit_id, u.name AS unit_name, iu.role, iu.signed_at,"
        " iu.responsible_at, m.until AS muted_until,"
        " (SELECT max(r.submitted_at) FROM reports r WHERE r.item_id = i.id"
        "  AND r.unit_id = iu.unit_id AND r.kind = 'progress') AS last_report,"
        " v.id AS revisit_id, v.asked_at"
        " FROM items i JOIN item_units iu ON iu.item_id = i.id"
        " JOIN units u ON u.id = iu.unit_id LEFT JOIN mutes m ON m.unit_id = iu.unit_id"
        " LEFT JOIN revisits v ON v.item_id = i.id AND v.state = 'asked' AND iu.role = 'lead'"
        f" WHERE i.sent_at IS NOT NULL AND {where}"
        " ORDER BY i.id, iu.role = 'lead' DESC, iu.unit_id",
        params,
    )
    return [
        Assignment(
            item_id=r["id"],
            title=r["title"],
            serial=label(r["year"], r["serial"], r["id"], r["plan_code"]),
            status=Status(r["status"]),
            is_key=bool(r["is_key"]),
            period=Period(r["period"]),
            deadline=date.fromisoformat(r["deadline"]),
            sent_on=date.fromisoformat(r["sent_at"][:10]),  # only sent items are chased
            unit_id=r["unit_id"],
            unit_name=r["unit_name"],
            is_lead=r["role"] == "lead",
            signed_on=_day(r["signed_at"]),
            responsible_set=r["responsible_at"] is not None,
            last_report_on=_day(r["last_report"]),
            muted_until=_day(r["muted_until"]),
            chase_from=_day(r["chase_from"]),
            revisit_id=r["revisit_id"],
            revisit_asked_on=_day(r["asked_at"]),
        )
        for r in rows
    ]

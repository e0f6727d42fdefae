"""Per-unit figures for the monthly 通报."""

from __future__ import annotations

from domain.items import Status
from domain.ledger import UnitAssignment
from storage.db import Conn, value


async def unit_rows(conn: Conn) -> list[UnitAssignment]:
    """For every unit: its assignments (sent items) with dates, and its progress reports."""
    rows = await conn.all(
        "SELECT u.id AS unit_id, u.name AS unit_name, i.id AS item_id, i.status, i.deadline,"
        " i.sent_at, i.closed_at, i.returns, iu.role, iu.signed_at,"
        " (SELECT count(*) FROM reports r WHERE r.item_id = i.id AND r.unit_id = u.id"
        "  AND r.kind = 'progress' AND r.version = 1) AS reports"
        " FROM units u LEFT JOIN item_units iu ON iu.unit_id = u.id"
        " LEFT JOIN items i ON i.id = iu.item_id AND i.sent_at IS NOT NULL"
        " ORDER BY u.id"
    )
    return [
        value(UnitAssignment, r, status=Status(r["status"]) if r["status"] else None) for r in rows
    ]

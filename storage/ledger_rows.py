"""The 台账 as rows: one per (item, unit), with its people, dates and latest report."""

from __future__ import annotations

from domain.items import Status
from domain.ledger import LedgerLine
from storage.db import Conn, value


async def rows(conn: Conn) -> list[LedgerLine]:
    found = await conn.all(
        "SELECT i.id AS item_id, i.year, i.serial, i.plan_code, i.target_id, i.title, i.source,"
        " i.instructing_leader,"
        " i.category, i.is_key, i.deadline, i.status, i.closed_at, i.returns, i.sent_at,"
        " iu.unit_id, iu.role, iu.signed_at, iu.responsible_name, iu.responsible_title,"
        " iu.responsible_phone, u.name AS unit_name,"
        " (SELECT u3.name FROM item_units l JOIN units u3 ON u3.id = l.unit_id"
        "  WHERE l.item_id = i.id AND l.role = 'lead') AS lead_unit,"
        " (SELECT group_concat(u2.name, '、') FROM item_units c JOIN units u2"
        "  ON u2.id = c.unit_id WHERE c.item_id = i.id AND c.role = 'co') AS co_units,"
        " (SELECT p.name || ' ' || p.phone FROM people p WHERE p.unit_id = iu.unit_id"
        "  AND p.active = 1 AND p.liaison_kind = 'primary') AS liaison,"
        " r.progress, r.percent, r.difficulties"
        " FROM items i JOIN item_units iu ON iu.item_id = i.id JOIN units u ON u.id = iu.unit_id"
        " LEFT JOIN reports r ON r.id = (SELECT max(r2.id) FROM reports r2"
        "  WHERE r2.item_id = i.id AND r2.unit_id = iu.unit_id AND r2.kind = 'progress')"
        " ORDER BY i.is_key DESC, i.year, i.serial, i.id, iu.role = 'lead' DESC, u.id"
    )
    return [value(LedgerLine, r, status=Status(r["status"])) for r in found]

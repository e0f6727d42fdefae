"""Review decisions (with the five checks) and on-site verifications."""

from __future__ import annotations

import json

from domain.models import Verification
from storage.db import Conn, value


async def add(
    conn: Conn,
    *,
    item_id: int,
    report_id: int,
    reviewer_id: int,
    checks: dict[str, bool],
    decision: str,
    reason: str,
    now: str,
) -> int:
    return await conn.insert(
        "INSERT INTO reviews (item_id, report_id, reviewer_id, checks, decision, reason,"
        " decided_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            item_id,
            report_id,
            reviewer_id,
            json.dumps(checks, ensure_ascii=False),
            decision,
            reason,
            now,
        ),
    )


async def order_verification(
    conn: Conn,
    *,
    item_id: int,
    report_id: int,
    verifier: str,
    planned_on: str,
    ordered_by: int,
    now: str,
) -> int:
    return await conn.insert(
        "INSERT INTO verifications (item_id, report_id, verifier, planned_on, ordered_by,"
        " ordered_at) VALUES (?, ?, ?, ?, ?, ?)",
        (item_id, report_id, verifier, planned_on, ordered_by, now),
    )


async def latest_verification(conn: Conn, report_id: int) -> Verification | None:
    row = await conn.one(
        "SELECT * FROM verifications WHERE report_id = ? ORDER BY id DESC LIMIT 1", (report_id,)
    )
    return None if row is None else value(Verification, row)


async def record_finding(
    conn: Conn, verification_id: int, finding: str, person_id: int, now: str
) -> None:
    await conn.execute(
        "UPDATE verifications SET finding = ?, recorded_by = ?, recorded_at = ? WHERE id = ?",
        (finding, person_id, now, verification_id),
    )

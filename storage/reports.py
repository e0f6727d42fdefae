"""Reports (progress, completion, revisit) and their attachments; versions, never overwrites."""

from __future__ import annotations

from domain.models import Attachment, Report
from storage import next_check
from storage.db import Conn, Row, found, value


async def next_version(conn: Conn, item_id: int, unit_id: int, kind: str, period_key: str) -> int:
    current = await conn.integer(
        "SELECT max(version) FROM reports WHERE item_id = ? AND unit_id = ? AND kind = ?"
        " AND period_key = ?",
        (item_id, unit_id, kind, period_key),
    )
    return (current or 0) + 1


async def insert(
    conn: Conn,
    *,
    item_id: int,
    unit_id: int,
    person_id: int,
    kind: str,
    period_key: str,
    now: str,
    progress: str = "",
    percent: int | None = None,
    difficulties: str = "",
    next_steps: str = "",
    sustained: bool | None = None,
    key_flagged: bool = False,
    corrects: int | None = None,
    attachments: tuple[Attachment, ...] = (),
    quantity: str | None = None,
) -> int:
    version = await next_version(conn, item_id, unit_id, kind, period_key)
    report_id = await conn.insert(
        "INSERT INTO reports (item_id, unit_id, person_id, kind, period_key, version, corrects,"
        " progress, percent, difficulties, next_steps, sustained, key_flagged, submitted_at,"
        " quantity) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            item_id,
            unit_id,
            person_id,
            kind,
            period_key,
            version,
            corrects,
            progress,
            percent,
            difficulties,
            next_steps,
            None if sustained is None else int(sustained),
            int(key_flagged),
            now,
            quantity,
        ),
    )
    await next_check.touch(conn, item_id, unit_id)
    await conn.executemany(
        "INSERT INTO attachments (report_id, kind, file_id, file_unique_id, file_name,"
        " mime_type, size, local_path, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                report_id,
                a.kind,
                a.file_id,
                a.file_unique_id,
                a.file_name,
                a.mime_type,
                a.size,
                a.local_path,
                now,
            )
            for a in attachments
        ],
    )
    return report_id


def _report(row: Row | None) -> Report | None:
    return None if row is None else value(Report, row)


async def get(conn: Conn, report_id: int) -> Report | None:
    return _report(await conn.one("SELECT * FROM reports WHERE id = ?", (report_id,)))


async def version(conn: Conn, report_id: int) -> int:
    """The version a report was given when it was inserted (1 unless it corrects another)."""
    version = await conn.integer("SELECT version FROM reports WHERE id = ?", (report_id,))
    return found(version, f"report {report_id}")


async def latest(conn: Conn, item_id: int, unit_id: int, kind: str) -> Report | None:
    """The newest report of this kind from this unit on this item (any period): through the
    index, at once."""
    row = conn.point(
        "SELECT * FROM reports WHERE item_id = ? AND unit_id = ? AND kind = ?"
        " ORDER BY id DESC LIMIT 1",
        (item_id, unit_id, kind),
    )
    return _report(row)


async def newer_exists(conn: Conn, report: Report) -> bool:
    """Whether a later version of the same period supersedes this report."""
    return bool(
        await conn.scalar(
            "SELECT 1 FROM reports WHERE item_id = ? AND unit_id = ? AND kind = ?"
            " AND period_key = ? AND version > ?",
            (report.item_id, report.unit_id, report.kind, report.period_key, report.version),
        )
    )


async def mark_read(conn: Conn, report_id: int, person_id: int, now: str) -> bool:
    changed = await conn.execute(
        "UPDATE reports SET read_at = ?, read_by = ? WHERE id = ? AND read_at IS NULL",
        (now, person_id, report_id),
    )
    return changed == 1


async def attachments(conn: Conn, report_id: int) -> list[Attachment]:
    rows = await conn.all("SELECT * FROM attachments WHERE report_id = ? ORDER BY id", (report_id,))
    return [value(Attachment, r) for r in rows]


async def for_item(conn: Conn, item_id: int) -> list[Report]:
    """Every report on the item with unit names and attachment counts, oldest first."""
    rows = await conn.all(
        "SELECT r.*, u.name AS unit_name,"
        " (SELECT count(*) FROM attachments a WHERE a.report_id = r.id) AS files"
        " FROM reports r JOIN units u ON u.id = r.unit_id WHERE r.item_id = ? ORDER BY r.id",
        (item_id,),
    )
    return [value(Report, r) for r in rows]

"""One-time invitation codes, stored only as hashes."""

from __future__ import annotations

from domain.models import Invite, LiaisonKind, Role
from storage.db import Conn, value


async def create(
    conn: Conn,
    *,
    code_hash: str,
    role: Role,
    unit_id: int | None,
    liaison_kind: LiaisonKind | None,
    created_by: int | None,
    now: str,
    expires_at: str,
) -> int:
    return await conn.insert(
        "INSERT INTO invites (code_hash, role, unit_id, liaison_kind, created_by, created_at,"
        " expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            code_hash,
            role.value,
            unit_id,
            liaison_kind.value if liaison_kind else None,
            created_by,
            now,
            expires_at,
        ),
    )


async def by_hash(conn: Conn, code_hash: str) -> Invite | None:
    row = await conn.one("SELECT * FROM invites WHERE code_hash = ?", (code_hash,))
    return None if row is None else value(Invite, row)


async def mark_used(conn: Conn, invite_id: int, person_id: int, now: str) -> bool:
    """Claim the invite; False if someone else claimed it first."""
    changed = await conn.execute(
        "UPDATE invites SET used_at = ?, used_by = ? WHERE id = ? AND used_at IS NULL",
        (now, person_id, invite_id),
    )
    return changed == 1

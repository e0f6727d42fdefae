"""People registered with the bot: supervisors, leaders and liaison officers."""

from __future__ import annotations

from domain.models import LiaisonKind, Person, Role
from storage.db import Conn, Row, found, value


def _person(row: Row) -> Person:
    kind = row["liaison_kind"]
    return value(
        Person,
        row,
        role=Role(row["role"]),
        liaison_kind=LiaisonKind(kind) if kind else None,
        active=bool(row["active"]),
        unreachable=row["unreachable_at"] is not None,
        menu=row["menu"],
    )


async def active_by_tg(conn: Conn, tg_user_id: int) -> Person | None:
    """Who sent an update: asked for every one, so read at once (a unique index)."""
    row = conn.point("SELECT * FROM people WHERE tg_user_id = ? AND active = 1", (tg_user_id,))
    return None if row is None else _person(row)


async def get(conn: Conn, person_id: int) -> Person | None:
    row = conn.point("SELECT * FROM people WHERE id = ?", (person_id,))
    return None if row is None else _person(row)


async def known(conn: Conn, person_id: int) -> Person:
    """A person who must exist: just registered, or named by a foreign key (people are
    deactivated, never deleted)."""
    return found(await get(conn, person_id), f"person {person_id}")


async def with_role(conn: Conn, role: Role) -> list[Person]:
    rows = await conn.all(
        "SELECT * FROM people WHERE role = ? AND active = 1 ORDER BY id", (role.value,)
    )
    return [_person(r) for r in rows]


async def count_role(conn: Conn, role: Role) -> int:
    count = await conn.integer(
        "SELECT count(*) FROM people WHERE role = ? AND active = 1", (role.value,)
    )
    return count or 0


async def liaisons(conn: Conn, unit_id: int) -> list[Person]:
    """Active liaisons of a unit, primary first."""
    rows = await conn.all(
        "SELECT * FROM people WHERE unit_id = ? AND active = 1 AND role = 'liaison'"
        " ORDER BY liaison_kind = 'primary' DESC, id",
        (unit_id,),
    )
    return [_person(r) for r in rows]


async def all_liaisons(conn: Conn) -> list[Person]:
    rows = await conn.all(
        "SELECT * FROM people WHERE active = 1 AND role = 'liaison'"
        " ORDER BY unit_id, liaison_kind = 'primary' DESC, id"
    )
    return [_person(r) for r in rows]


async def add(
    conn: Conn,
    *,
    tg_user_id: int,
    chat_id: int,
    role: Role,
    name: str,
    title: str,
    phone: str,
    username: str,
    unit_id: int | None,
    liaison_kind: LiaisonKind | None,
    now: str,
) -> int:
    return await conn.insert(
        "INSERT INTO people (tg_user_id, chat_id, role, unit_id, liaison_kind, name, title,"
        " phone, tg_username, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            tg_user_id,
            chat_id,
            role.value,
            unit_id,
            liaison_kind.value if liaison_kind else None,
            name,
            title,
            phone,
            username,
            now,
        ),
    )


async def deactivate(conn: Conn, person_id: int, now: str) -> None:
    await conn.execute(
        "UPDATE people SET active = 0, deactivated_at = ? WHERE id = ? AND active = 1",
        (now, person_id),
    )


async def mark_unreachable(conn: Conn, person_id: int, now: str | None) -> None:
    await conn.execute("UPDATE people SET unreachable_at = ? WHERE id = ?", (now, person_id))


async def set_menu(conn: Conn, person_id: int, menu: str) -> None:
    await conn.execute("UPDATE people SET menu = ? WHERE id = ?", (menu, person_id))

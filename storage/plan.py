"""大事要事 tables: tasks, targets, milestones, and the items that carry the targets."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal

from domain.items import FINISHED, Status
from domain.models import Item
from domain.plan.records import PlanTarget, PlanTask, RollingTarget, TargetLine
from domain.plan.rules import Milestone
from storage import items, next_check
from storage.db import IN_LIST, Conn, Row, listed, value

Columns = Mapping[str, object]  # column name: the value to store
TASK_FIELDS = ("title", "category", "leader", "lead_unit_id", "is_key")
TARGET_FIELDS = (
    "title",
    "unit_id",
    "quantity",
    "measure",
    "shape",
    "start_on",
    "deadline",
    "period",
    "is_key",
)


def _task(row: Row | None) -> PlanTask | None:
    return None if row is None else value(PlanTask, row)


def _target(row: Row | None) -> PlanTarget | None:
    return None if row is None else value(PlanTarget, row)


async def task_by_code(conn: Conn, code: str) -> PlanTask | None:
    return _task(await conn.one("SELECT * FROM plan_tasks WHERE code = ?", (code,)))


async def tasks_by_code(conn: Conn, codes: Iterable[str]) -> dict[str, PlanTask]:
    rows = await conn.all(f"SELECT * FROM plan_tasks WHERE code {IN_LIST}", (listed(codes),))
    return {r["code"]: value(PlanTask, r) for r in rows}


async def task(conn: Conn, task_id: int) -> PlanTask | None:
    return _task(await conn.one("SELECT * FROM plan_tasks WHERE id = ?", (task_id,)))


async def insert_tasks(
    conn: Conn, found: Sequence[tuple[str, Columns]], year: int, now: str
) -> dict[str, int]:
    """New tasks (编号, values) in one statement; their ids by 编号."""
    if not found:
        return {}
    names = ", ".join(TASK_FIELDS)
    await conn.executemany(
        f"INSERT INTO plan_tasks (code, {names}, year, created_at, updated_at)"
        f" VALUES (?, {', '.join('?' * len(TASK_FIELDS))}, ?, ?, ?)",
        [(code, *(values[f] for f in TASK_FIELDS), year, now, now) for code, values in found],
    )
    rows = await tasks_by_code(conn, (code for code, _ in found))
    return {code: r.id for code, r in rows.items()}


async def update_task(conn: Conn, task_id: int, values: Columns, now: str) -> None:
    sets = ", ".join(f"{f} = ?" for f in values)
    await conn.execute(
        f"UPDATE plan_tasks SET {sets}, updated_at = ? WHERE id = ?",
        (*values.values(), now, task_id),
    )


async def target_by_code(conn: Conn, code: str) -> PlanTarget | None:
    return _target(await conn.one("SELECT * FROM plan_targets WHERE code = ?", (code,)))


async def targets_by_code(conn: Conn, codes: Iterable[str]) -> dict[str, PlanTarget]:
    rows = await conn.all(f"SELECT * FROM plan_targets WHERE code {IN_LIST}", (listed(codes),))
    return {r["code"]: value(PlanTarget, r) for r in rows}


async def target(conn: Conn, target_id: int) -> PlanTarget | None:
    return _target(await conn.one("SELECT * FROM plan_targets WHERE id = ?", (target_id,)))


async def insert_targets(
    conn: Conn, found: Sequence[tuple[int, str, Columns]], now: str
) -> dict[str, int]:
    """New targets (task id, 编号, values) in one statement; their ids by 编号."""
    if not found:
        return {}
    names = ", ".join(TARGET_FIELDS)
    await conn.executemany(
        f"INSERT INTO plan_targets (task_id, code, {names}, created_at, updated_at)"
        f" VALUES (?, ?, {', '.join('?' * len(TARGET_FIELDS))}, ?, ?)",
        [
            (task_id, code, *(values[f] for f in TARGET_FIELDS), now, now)
            for task_id, code, values in found
        ],
    )
    rows = await targets_by_code(conn, (code for _, code, _ in found))
    return {code: r.id for code, r in rows.items()}


async def update_target(conn: Conn, target_id: int, values: Columns, now: str) -> None:
    """The changed columns (none when only its milestones changed) and the time of change."""
    sets = "".join(f"{f} = ?, " for f in values)
    await conn.execute(
        f"UPDATE plan_targets SET {sets}updated_at = ? WHERE id = ?",
        (*values.values(), now, target_id),
    )


async def milestones(conn: Conn, target_id: int) -> list[Milestone]:
    rows = await conn.all(
        "SELECT due, title, item_id FROM plan_milestones WHERE target_id = ? ORDER BY seq",
        (target_id,),
    )
    return [Milestone(date.fromisoformat(r["due"]), r["title"], r["item_id"]) for r in rows]


async def set_milestones(conn: Conn, found: dict[int, tuple[Milestone, ...]]) -> None:
    """Each target's milestones by position: an opened one keeps its item; extra unopened ones
    go. Two statements for any number of targets."""
    await conn.executemany(
        "INSERT INTO plan_milestones (target_id, seq, due, title) VALUES (?, ?, ?, ?)"
        " ON CONFLICT(target_id, seq) DO UPDATE SET due = excluded.due, title = excluded.title",
        [
            (target_id, seq, m.due.isoformat(), m.title)
            for target_id, milestones in found.items()
            for seq, m in enumerate(milestones, start=1)
        ],
    )
    await conn.executemany(
        "DELETE FROM plan_milestones WHERE target_id = ? AND seq > ? AND item_id IS NULL",
        [(target_id, len(milestones)) for target_id, milestones in found.items()],
    )


async def open_milestones(conn: Conn, opened: list[tuple[int, int, date]]) -> None:
    """(item id, target id, due): each milestone carried by the item opened for it."""
    await conn.executemany(
        "UPDATE plan_milestones SET item_id = ? WHERE target_id = ? AND due = ?",
        [(item_id, target_id, due.isoformat()) for item_id, target_id, due in opened],
    )


async def insert_items(conn: Conn, found: Sequence[tuple[Columns, int]]) -> list[int]:
    """Items carrying targets (values, lead unit), sent at once (the plan itself was adopted
    by the leaders); their ids, in order. The ids are given, not read back one by one: the
    write transaction holds the database, so nobody else takes them meanwhile."""
    if not found:
        return []
    first = await conn.integer("SELECT coalesce(max(id), 0) + 1 FROM items") or 1
    ids = list(range(first, first + len(found)))
    names = ", ".join(found[0][0])
    await conn.executemany(
        f"INSERT INTO items (id, {names}) VALUES (?, {', '.join('?' * len(found[0][0]))})",
        [(item_id, *values.values()) for item_id, (values, _) in zip(ids, found, strict=True)],
    )
    await conn.executemany(
        "INSERT INTO item_units (item_id, unit_id, role) VALUES (?, ?, 'lead')",
        [(item_id, unit_id) for item_id, (_, unit_id) in zip(ids, found, strict=True)],
    )
    return ids


async def item_for_code(conn: Conn, code: str) -> int | None:
    """The item carrying the target with this 编号 now (its latest, for a 跨年度 target)."""
    return await conn.integer(
        "SELECT i.id FROM items i JOIN plan_targets g ON g.id = i.target_id WHERE g.code = ?"
        " ORDER BY i.id DESC LIMIT 1",
        (code,),
    )


async def update_item(conn: Conn, item_id: int, values: Columns) -> None:
    sets = ", ".join(f"{f} = ?" for f in values)
    await conn.execute(f"UPDATE items SET {sets} WHERE id = ?", (*values.values(), item_id))
    await next_check.touch(conn, item_id)


async def current_item(conn: Conn, target_id: int) -> Item | None:
    """The item carrying the target now (a 跨年度 target's latest year)."""
    return (await current_items(conn, [target_id])).get(target_id)


async def current_items(conn: Conn, target_ids: Iterable[int]) -> dict[int, Item]:
    """The item carrying each target now, by target id (targets not yet opened left out)."""
    target_ids = list(target_ids)
    if not target_ids:  # a first import changes no known target: nothing to ask
        return {}
    rows = await conn.all(
        f"SELECT max(id) AS id FROM items WHERE target_id {IN_LIST} GROUP BY target_id",
        (listed(target_ids),),
    )
    found = await items.get_many(conn, [r["id"] for r in rows])
    return {i.target_id: i for i in found if i.target_id is not None}


async def set_key(conn: Conn, table: str, row_id: int, on: bool, now: str) -> None:
    if table not in ("plan_tasks", "plan_targets"):
        raise ValueError(table)
    await conn.execute(
        f"UPDATE {table} SET is_key = ?, updated_at = ? WHERE id = ?", (int(on), now, row_id)
    )


async def sync_item_keys(conn: Conn, task_ids: Iterable[int]) -> list[int]:
    """Items of the tasks' targets take the key mark of their target or task; changed ids."""
    rows = await conn.all(
        "SELECT i.id, i.is_key, (g.is_key OR t.is_key) AS wanted FROM items i"
        " JOIN plan_targets g ON g.id = i.target_id JOIN plan_tasks t ON t.id = g.task_id"
        f" WHERE t.id {IN_LIST} AND i.is_key != (g.is_key OR t.is_key)",
        (listed(task_ids),),
    )
    await conn.executemany(
        "UPDATE items SET is_key = ? WHERE id = ?", [(r["wanted"], r["id"]) for r in rows]
    )
    await next_check.touch_items(conn, [r["id"] for r in rows])
    return [r["id"] for r in rows]


async def goal(conn: Conn, target_id: int | None) -> tuple[Decimal, str] | None:
    """A quantified target's goal and measure (None for an unquantified or no target)."""
    if target_id is None:
        return None
    row = conn.point("SELECT quantity, measure FROM plan_targets WHERE id = ?", (target_id,))
    if row is None or row["quantity"] is None:
        return None
    return Decimal(row["quantity"]), row["measure"]


async def tasks(conn: Conn) -> list[PlanTask]:
    rows = await conn.all(
        "SELECT t.*, u.name AS lead_unit FROM plan_tasks t JOIN units u ON u.id = t.lead_unit_id"
        " ORDER BY t.is_key DESC, t.code"
    )
    return [value(PlanTask, r) for r in rows]


async def targets(conn: Conn, task_id: int | None = None) -> list[TargetLine]:
    """Targets with their unit, current item and the latest quantity and % reported."""
    sql = (
        "SELECT g.*, u.name AS unit_name, i.id AS item_id, i.status, i.deadline AS item_deadline,"
        " i.year AS item_year, i.serial, i.plan_code,"
        " (SELECT r.quantity FROM reports r JOIN items i2 ON i2.id = r.item_id"
        "  WHERE i2.target_id = g.id AND r.unit_id = g.unit_id AND r.quantity IS NOT NULL"
        "  ORDER BY r.id DESC LIMIT 1) AS reached,"
        " (SELECT r.percent FROM reports r WHERE r.item_id = i.id AND r.unit_id = g.unit_id"
        "  AND r.kind = 'progress' ORDER BY r.id DESC LIMIT 1) AS percent"
        " FROM plan_targets g JOIN units u ON u.id = g.unit_id"
        " LEFT JOIN items i ON i.id = (SELECT max(id) FROM items WHERE target_id = g.id)"
    )
    if task_id is None:
        rows = await conn.all(sql + " ORDER BY g.code")
    else:
        rows = await conn.all(sql + " WHERE g.task_id = ? ORDER BY g.code", (task_id,))
    return [value(TargetLine, r, status=Status(r["status"]) if r["status"] else None) for r in rows]


async def leaders_by_item(conn: Conn, item_ids: Iterable[int]) -> dict[int, str]:
    """分管领导 of each plan item among `item_ids` (items of no plan task are left out)."""
    ids = list(item_ids)
    if not ids:
        return {}
    rows = await conn.all(
        "SELECT i.id, t.leader FROM items i JOIN plan_targets g ON g.id = i.target_id"
        " JOIN plan_tasks t ON t.id = g.task_id"
        f" WHERE t.leader != '' AND i.id IN ({','.join('?' * len(ids))})",
        ids,
    )
    return {r["id"]: r["leader"] for r in rows}


async def multi_year(conn: Conn) -> list[RollingTarget]:
    """跨年度 targets whose latest item is closed: candidates to open the next milestone."""
    rows = await conn.all(
        "SELECT g.*, t.category, t.leader, t.title AS task_title, t.is_key AS task_key"
        " FROM plan_targets g JOIN plan_tasks t ON t.id = g.task_id"
        " WHERE g.shape = '跨年度' AND EXISTS (SELECT 1 FROM plan_milestones m"
        "  WHERE m.target_id = g.id AND m.item_id IS NULL)"
    )
    return [value(RollingTarget, r) for r in rows]


async def closed_items(conn: Conn, item_ids: Iterable[int]) -> set[int]:
    """Those of `item_ids` whose work is finished (domain.items.FINISHED)."""
    ids = list(item_ids)
    if not ids:
        return set()
    rows = await conn.all(
        f"SELECT id FROM items WHERE id IN ({','.join('?' * len(ids))})"
        f" AND status IN ({','.join('?' * len(FINISHED))})",
        [*ids, *FINISHED],
    )
    return {r["id"] for r in rows}


def decimal_or_none(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


async def all_milestones(
    conn: Conn, target_ids: Iterable[int] | None = None
) -> dict[int, list[Milestone]]:
    """Every target's milestones in order (or those of `target_ids`), by target id: one query
    for a whole view or import."""
    sql = "SELECT target_id, due, title, item_id FROM plan_milestones"
    if target_ids is None:
        rows = await conn.all(f"{sql} ORDER BY target_id, seq")
    else:
        where = f" WHERE target_id {IN_LIST} ORDER BY target_id, seq"
        rows = await conn.all(sql + where, (listed(target_ids),))
    found: dict[int, list[Milestone]] = {}
    for r in rows:
        found.setdefault(r["target_id"], []).append(
            Milestone(date.fromisoformat(r["due"]), r["title"], r["item_id"])
        )
    return found

"""重点: the office raises or lowers an item, a plan task or a target at any time, with a
reason. A task or target passes the mark to the items carrying it; an ordinary item takes it
itself. Every change is audited on each item it touches, and every view and summary reads
the item's mark."""

from __future__ import annotations

from dataclasses import dataclass

from domain import queries
from domain.errors import Refusal
from domain.items import IN_WORK
from domain.models import Person, Role
from domain.office import Office, require
from domain.picks import Choice
from domain.plan.records import PlanTarget
from domain.plan.views import find
from storage import audit, items
from storage import plan as store
from storage.db import Conn

TABLES = {"task": "plan_tasks", "target": "plan_targets"}
WHAT = {"task": "任务", "target": "目标", "item": "事项"}


@dataclass(frozen=True)
class KeyChanged:
    what: str  # 任务 | 目标 | 事项
    code: str
    title: str
    on: bool
    items: list[int]


def action(on: bool) -> str:
    return "设为重点" if on else "取消重点"


async def resolve(office: Office, ref: str) -> Choice:
    """A typed 编号: a task's or target's code, or an item's (a plan item names its target)."""
    async with office.db.read() as conn:
        try:
            row, table, _ = await find(conn, ref)
        except Refusal:
            pass
        else:
            kind = "task" if table == "plan_tasks" else "target"
            return Choice(kind, row.id, row.code, row.title)
    try:
        item = await queries.find_item(office, ref)
    except Refusal:
        raise Refusal("key_unknown", code=(ref or "").strip()[:30]) from None
    if item.target_id is not None:
        async with office.db.read() as conn:
            target = await store.target(conn, item.target_id)
        if target is None:  # an item carries only a target that exists (a foreign key)
            raise Refusal("key_unknown", code=(ref or "").strip()[:30])
        return Choice("target", target.id, target.code, target.title)
    return Choice("item", item.id, office.serial_label(item), item.title)


async def check(office: Office, person: Person | None, kind: str, row_id: int, on: bool) -> Choice:
    """Refused before the reason is typed: not a supervisor, gone, or already so."""
    require(person, Role.SUPERVISOR)
    async with office.db.read() as conn:
        return await _current(office, conn, kind, row_id, on)


async def set_key(
    office: Office, person: Person | None, ref: str, on: bool, reason: str
) -> KeyChanged:
    """/key 编号 理由: whatever the 编号 names, raised (or lowered) with the reason."""
    require(person, Role.SUPERVISOR)
    _check_reason(reason)
    found = await resolve(office, ref)
    return await change(office, person, found.kind, found.id, on, reason)


async def change(
    office: Office, person: Person | None, kind: str, row_id: int, on: bool, reason: str
) -> KeyChanged:
    """Raise or lower one task, target or ordinary item; audited on every item it touches."""
    supervisor = require(person, Role.SUPERVISOR)
    reason = _check_reason(reason)
    now = office.now()
    async with office.db.transaction() as conn:
        found = await _current(office, conn, kind, row_id, on)
        touched: list[int | None]  # the plan's own row (None), then each item it touched
        if kind == "item":
            await items.set_key(conn, row_id, on)
            changed, touched = [row_id], [row_id]
        else:
            await store.set_key(conn, TABLES[kind], row_id, on, now)
            row = await (store.task if kind == "task" else store.target)(conn, row_id)
            task_id = row.task_id if isinstance(row, PlanTarget) else row_id
            changed = await store.sync_item_keys(conn, [task_id])
            touched = [None, *changed]  # the plan's own row, then each item it touched
        for item_id in touched:
            await audit.record(
                conn,
                at=now,
                person_id=supervisor.id,
                action=action(on),
                item_id=item_id,
                code=found.label,
                what=WHAT[kind],
                reason=reason,
            )
    return KeyChanged(WHAT[kind], found.label, found.title, on, changed)


def _check_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise Refusal("key_reason_needed")
    if len(reason) > 200:
        raise Refusal("text_too_long", label="理由", limit=200, length=len(reason))
    return reason


async def _current(office: Office, conn: Conn, kind: str, row_id: int, on: bool) -> Choice:
    """The row as it is now; a Refusal if it is gone, already so, or not markable."""
    if kind == "item":
        item = await items.get(conn, row_id)
        if item is None:
            raise Refusal("item_unknown")
        if item.target_id is not None:
            raise Refusal("key_plan_item", code=item.plan_code or "")
        if item.status not in IN_WORK:  # a draft sets 重点 in its own form
            raise Refusal("not_allowed_now", status=item.status, action=action(on))
        found, is_key = Choice(kind, item.id, office.serial_label(item), item.title), item.is_key
    else:
        row = await (store.task if kind == "task" else store.target)(conn, row_id)
        if row is None:
            raise Refusal("stale_button")
        found, is_key = Choice(kind, row.id, row.code, row.title), bool(row.is_key)
    if is_key == on:
        raise Refusal("key_unchanged", code=found.label, on=on)
    return found

"""重点: the office raises or lowers a task or target at any time, with a reason; the items
it touches take the mark at once, and every view and summary reads the items."""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import Refusal
from domain.models import Person, Role
from domain.office import Office, require
from domain.plan_views import find
from storage import audit
from storage import plan as store


@dataclass(frozen=True)
class KeyChanged:
    what: str  # 任务 | 目标
    code: str
    title: str
    on: bool
    items: list[int]


async def set_key(office: Office, person: Person | None, code: str, on: bool, reason: str):
    """Raise a task or target to 重点 (or lower it), with a reason; audited on every item
    it touches, and every view and summary reads the item's mark from then on."""
    supervisor = require(person, Role.SUPERVISOR)
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise Refusal("key_reason_needed")
    if len(reason) > 200:
        raise Refusal("text_too_long", label="理由", limit=200, length=len(reason))
    now = office.now()
    async with office.db.transaction() as conn:
        row, table, what = await find(conn, code)
        if bool(row["is_key"]) == on:
            raise Refusal("key_unchanged", code=code, on=on)
        await store.set_key(conn, table, row["id"], on, now)
        task_id = row["id"] if table == "plan_tasks" else row["task_id"]
        changed = await store.sync_item_keys(conn, task_id)
        action = "设为重点" if on else "取消重点"
        for item_id in (None, *changed):  # the plan's own row, then each item it touched
            await audit.record(
                conn,
                at=now,
                person_id=supervisor.id,
                action=action,
                item_id=item_id,
                code=code,
                what=what,
                reason=reason,
            )
    return KeyChanged(what, code, row["title"], on, changed)

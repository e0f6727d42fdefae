"""A plan target as an item of its unit: the instruction its letter quotes, opening and sending
the item (督办函 or 任务书, through the outbox), keeping an open item in step with its edited
target, and telling the unit what changed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from domain.items import Status
from domain.models import Category, Item, Person
from domain.office import Office
from domain.plan import rules
from domain.plan.records import TargetColumns, TaskColumns
from domain.plan.rules import Milestone, Shape
from domain.plan.sheet import TargetRow
from storage import audit, items, outbox
from storage import plan as store
from storage.db import Conn
from storage.outbox import Push


def target_values(t: TargetRow) -> TargetColumns:
    return {
        "code": t.code,
        "title": t.title,
        "unit_id": t.unit_id,
        "quantity": rules.show(t.quantity) or None,
        "measure": t.measure,
        "shape": t.shape.value,
        "start_on": t.start.isoformat() if t.start else None,
        "deadline": t.deadline.isoformat(),
        "period": t.period.value,
        "is_key": int(t.is_key),
    }


LABELS = {
    "title": "目标内容",
    "quantity": "目标数量",
    "measure": "计量单位",
    "shape": "期限类型",
    "start_on": "开始日期",
    "deadline": "完成期限",
    "period": "报送周期",
    "is_key": "重点",
    "milestones": "节点",
}


def _shown(name: str, value: object) -> str:
    if value in (None, ""):
        return "无"
    if name in ("start_on", "deadline"):
        return _day(date.fromisoformat(str(value)))
    if name == "is_key":
        return "是" if value else "否"
    return str(value)


def listed(milestones: Iterable[Milestone]) -> str:
    return "；".join(f"{_day(m.due)} {m.title}".rstrip() for m in milestones)


async def tell_unit(
    office: Office,
    conn: Conn,
    item_id: int,
    before: Mapping[str, object],
    changed: Mapping[str, object],
) -> None:
    """The unit hears what the office changed in its target (through the outbox, once)."""
    lines = [
        f"{LABELS[k]}：{_shown(k, before[k])} → {_shown(k, v)}"
        for k, v in changed.items()
        if k in LABELS
    ]
    item = await items.known(conn, item_id)
    now = office.now()
    push = Push(
        f"plan_changed:{item_id}:{now}",
        "plan_changed",
        "plan_changed",
        now,
        item_id=item_id,
        unit_id=item.lead.unit_id if item.lead else None,
        context={"serial": office.serial_label(item), "title": item.title, "lines": lines},
        automatic=False,
    )
    await outbox.add(conn, push, now)


def _day(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _instruction(
    task: TaskColumns,
    t: TargetColumns,
    milestones: Sequence[Milestone],
    current: Milestone | None,
) -> str:
    """What the letter or 任务书 quotes: the target, its quantity, its checkpoints."""
    parts = [f"{task['title']}：{t['title']}"]
    if t["quantity"]:
        parts.append(f"目标：{t['quantity']}{t['measure']}。")
    if current is not None:  # 跨年度: this year's milestone
        parts.append(f"本年度节点：{_day(current.due)} {current.title}".rstrip())
    elif milestones:
        parts.append("节点：" + "；".join(f"{_day(m.due)} {m.title}".rstrip() for m in milestones))
    if t["shape"] == Shape.YEARLY.value:
        year = date.fromisoformat(t["deadline"]).year
        checks = "、".join(f"{d.month}月{d.day}日" for d in rules.quarter_checkpoints(year))
        parts.append(f"按季度检查进度（{checks}）。")
    return "\n".join(parts)


@dataclass(frozen=True)
class Opening:
    """A target (or a 跨年度 target's milestone) to open as an item of its unit, by `actor`."""

    task: TaskColumns
    target: TargetColumns
    target_id: int
    milestone: Milestone | None
    actor: Person
    milestones: tuple[Milestone, ...] = ()


def _item_values(o: Opening, now: str, today: date) -> dict[str, object]:
    """The item's row. A milestone of a later year waits for its year: its item is not
    chased before 1 January."""
    task, t, milestone = o.task, o.target, o.milestone
    deadline = milestone.due if milestone is not None else date.fromisoformat(t["deadline"])
    start = date.fromisoformat(t["start_on"]) if t["start_on"] else None
    window = rules.chase_from(Shape(t["shape"]), start)
    if milestone is not None and milestone.due.year > today.year:
        window = date(milestone.due.year, 1, 1)
    window = rules.started_late(window, deadline, today)
    return {
        "title": t["title"],
        "instruction": _instruction(task, t, o.milestones, milestone),
        "instructing_leader": task["leader"] or "年度大事要事",
        "source": "大事要事",
        "category": Category(task["category"]).value,
        "deadline": deadline.isoformat(),
        "period": t["period"],
        "is_key": int(bool(t["is_key"]) or bool(task["is_key"])),
        "status": Status.AWAITING_SIGN.value,
        "year": deadline.year,
        "serial": None,
        "created_by": o.actor.id,
        "created_at": now,
        "sent_at": now,
        "updated_at": now,
        "target_id": o.target_id,
        "plan_code": t["code"],
        "chase_from": window.isoformat() if window else None,
    }


async def open_items(office: Office, conn: Conn, openings: list[Opening]) -> list[Item]:
    """The items that carry the targets, sent to their units, in a handful of statements for
    any number: 批办性 ones numbered in order (the year's serials taken at once), their
    下发 recorded. Their letters (or 任务书) are queued once the caller has fixed them
    (plan.send_letters)."""
    now, today = office.now(), office.clock.today()
    rows = [_item_values(o, now, today) for o in openings]
    numbered = [r for r in rows if r["category"] == Category.ORDER.value]
    if numbered:
        year = office.clock.now().year
        first = await items.take_serials(conn, year, len(numbered))
        for serial, row in enumerate(numbered, start=first):
            row.update(year=year, serial=serial)
    ids = await store.insert_items(
        conn, [(r, o.target["unit_id"]) for r, o in zip(rows, openings, strict=True)]
    )
    await store.open_milestones(
        conn,
        [
            (item_id, o.target_id, o.milestone.due)
            for item_id, o in zip(ids, openings, strict=True)
            if o.milestone is not None
        ],
    )
    opened = await items.get_many(conn, ids)
    await audit.record_many(
        conn,
        [
            audit.entry(
                at=now,
                person_id=o.actor.id,
                action="下发大事要事目标",
                item_id=item.id,
                unit_id=item.lead.unit_id if item.lead else None,
                code=item.plan_code,
            )
            for item, o in zip(opened, openings, strict=True)
        ],
    )
    return opened


async def refresh_item(
    conn: Conn, task: TaskColumns, t: TargetRow, current: Item, now: str
) -> None:
    """An open item follows its edited target: title, deadline, rhythm, window."""
    values = target_values(t)
    milestone = None
    deadline = t.deadline
    if t.shape is Shape.MULTI_YEAR:
        year = current.deadline.year
        milestone = next((m for m in t.milestones if m.due.year == year), None)
        deadline = milestone.due if milestone else deadline
    chase = _chase_after_edit(t, deadline, current, date.fromisoformat(now[:10]))
    await store.update_item(
        conn,
        current.id,
        {
            "title": t.title,
            "instruction": _instruction(task, values, t.milestones, milestone),
            "deadline": deadline.isoformat(),
            "period": t.period.value,
            "chase_from": chase.isoformat() if chase else None,
            "updated_at": now,
        },
    )


def _chase_after_edit(t: TargetRow, deadline: date, current: Item, today: date) -> date | None:
    """A re-import keeps the day a late target began to be chased (its overdue count must not
    jump back to the past deadline); a new deadline already past starts from today."""
    window = rules.chase_from(t.shape, t.start)
    kept, before = current.chase_from, current.deadline
    if deadline != before:
        return rules.started_late(window or kept, deadline, today)
    if kept is not None and kept > before:  # imported after its deadline
        return kept
    return window or kept

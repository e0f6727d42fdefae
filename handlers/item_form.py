"""The fields of the 立项 form, in order, and how a filled form becomes a Draft.

The form's answers are kept in user_data (persisted) as plain JSON values; nothing is written
to the items table until the supervisor presses 提交.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.models import Category, Draft, Item, Period, Source


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str  # text | choice | lead | co | deadline
    example: str = ""  # a real answer, shown after 例如
    options: tuple[str, ...] = ()
    limit_key: str = ""
    hint: str = ""  # how to answer: an instruction, never labelled 例如


FIELDS: tuple[Field, ...] = (
    Field("title", "标题", "text", "关于加快推进老旧小区改造的批示", limit_key="item_title"),
    Field(
        "instruction",
        "批示内容",
        "text",
        "请住建局牵头，年底前完成改造任务。",
        limit_key="instruction",
    ),
    Field("leader", "批示领导", "text", "王书记", limit_key="leader"),
    Field("source", "来源", "choice", options=tuple(s.value for s in Source)),
    Field("category", "类别", "choice", options=tuple(c.value for c in Category)),
    Field("lead", "牵头单位", "lead", hint="单位较多时，可发送单位名称中的几个字搜索。"),
    Field("co", "配合单位", "co", hint="可多选，也可以没有；可发送单位名称中的几个字搜索。"),
    Field("deadline", "办理时限", "deadline", "2026-12-31、12月31日 或 15个工作日"),
    Field("period", "反馈周期", "choice", options=tuple(p.value for p in Period)),
    Field("key", "重点事项", "choice", options=("是", "否")),
)
BY_NAME = {f.name: f for f in FIELDS}
PREVIEW = "preview"
PICK_EDIT = "pick_edit"


def next_field(name: str) -> str:
    index = [f.name for f in FIELDS].index(name)
    return FIELDS[index + 1].name if index + 1 < len(FIELDS) else PREVIEW


def step_of(name: str) -> int:
    return [f.name for f in FIELDS].index(name) + 1


def to_draft(values: dict) -> Draft:
    """The Draft a complete form describes; KeyError/ValueError if it is incomplete."""
    return Draft(
        title=values["title"],
        instruction=values["instruction"],
        instructing_leader=values["leader"],
        source=Source(values["source"]),
        category=Category(values["category"]),
        lead_unit_id=int(values["lead"]),
        co_unit_ids=tuple(int(u) for u in values.get("co", [])),
        deadline=date.fromisoformat(values["deadline"]),
        period=Period(values["period"]),
        is_key=values["key"] == "是",
    )


def from_item(item: Item) -> dict:
    """Prefill the form from a saved item (to revise a returned letter)."""
    return {
        "title": item.title,
        "instruction": item.instruction,
        "leader": item.instructing_leader,
        "source": item.source.value,
        "category": item.category.value,
        "lead": item.lead.unit_id if item.lead else None,
        "co": [u.unit_id for u in item.co_units],
        "deadline": item.deadline.isoformat(),
        "period": item.period.value,
        "key": "是" if item.is_key else "否",
    }


def is_complete(values: dict) -> bool:
    return all(values.get(f.name) not in (None, "") for f in FIELDS if f.name != "co")


def display(values: dict, name: str, names: dict[int, str]) -> str:
    value = values.get(name)
    if name == "lead":
        return names.get(value, "") if isinstance(value, int) else ""
    if name == "co":
        return "、".join(names.get(u, "") for u in value or []) or "无"
    return str(value or "")

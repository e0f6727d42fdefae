"""Plain records the domain reasons about; storage builds them from rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class Role(StrEnum):
    SUPERVISOR = "supervisor"
    LEADER = "leader"
    LIAISON = "liaison"
    SYSTEM = "system"  # the bot itself, acting on the calendar (never a person's role)

    @property
    def label(self) -> str:
        labels = {"supervisor": "督查员", "leader": "领导", "liaison": "联络员", "system": "系统"}
        return labels[self.value]


class LiaisonKind(StrEnum):
    PRIMARY = "primary"
    DEPUTY = "deputy"

    @property
    def label(self) -> str:
        return "主联络员" if self is LiaisonKind.PRIMARY else "备用联络员"


class UnitKind(StrEnum):
    DEPARTMENT = "部门"
    LOCAL = "下级党委政府"


class Source(StrEnum):
    INSTRUCTION = "领导批示"
    MEETING = "会议议定"
    MAJOR_TASK = "大事要事"


class Category(StrEnum):
    ORDER = "批办性"
    GUIDANCE = "指导性"
    REFERENCE = "参阅性"

    @property
    def needs_letter(self) -> bool:
        return self is not Category.REFERENCE


class Period(StrEnum):
    WEEKLY = "每周"
    FORTNIGHTLY = "每两周"
    MONTHLY = "每月"
    ONCE = "一次性"


@dataclass(frozen=True)
class Unit:
    id: int
    name: str
    short_name: str
    kind: str
    parent_id: int | None = None

    @property
    def label(self) -> str:
        return self.short_name or self.name


@dataclass(frozen=True)
class Person:
    id: int
    tg_user_id: int
    chat_id: int
    role: Role
    name: str
    title: str = ""
    phone: str = ""
    unit_id: int | None = None
    liaison_kind: LiaisonKind | None = None
    active: bool = True
    unreachable: bool = False
    menu: str = ""  # fingerprint of the command menu last set in their chat ('' : none)


@dataclass(frozen=True)
class ItemUnit:
    unit_id: int
    unit_name: str
    role: str  # 'lead' or 'co'
    signed_at: str | None = None
    signed_by_name: str | None = None
    responsible_name: str | None = None
    responsible_title: str | None = None
    responsible_phone: str | None = None

    @property
    def is_lead(self) -> bool:
        return self.role == "lead"


@dataclass(frozen=True)
class Item:
    id: int
    title: str
    instruction: str
    instructing_leader: str
    source: Source
    category: Category
    deadline: date
    period: Period
    is_key: bool
    status: str
    created_by: int
    created_at: str
    year: int | None = None
    serial: int | None = None
    letter_html: str | None = None
    return_reason: str | None = None
    approved_at: str | None = None
    sent_at: str | None = None
    closed_at: str | None = None
    returns: int = 0
    suspended_from: str | None = None
    status_reason: str | None = None
    target_id: int | None = None  # a 大事要事 target this item carries
    plan_code: str | None = None  # that target's 编号 (names a 任务书, which has no serial)
    chase_from: date | None = None  # a seasonal target is not chased before its window
    units: tuple[ItemUnit, ...] = field(default_factory=tuple)

    @property
    def lead(self) -> ItemUnit | None:
        return next((u for u in self.units if u.is_lead), None)

    @property
    def co_units(self) -> tuple[ItemUnit, ...]:
        return tuple(u for u in self.units if not u.is_lead)

    def unit(self, unit_id: int | None) -> ItemUnit | None:
        return next((u for u in self.units if u.unit_id == unit_id), None)

    @property
    def is_task_notice(self) -> bool:
        """A 指导性 target of the year's plan goes out as a lighter 任务书, not a 督办函."""
        return self.target_id is not None and self.category is Category.GUIDANCE


@dataclass(frozen=True)
class Draft:
    """A /new form's answers: what an item needs before it is saved."""

    title: str
    instruction: str
    instructing_leader: str
    source: Source
    category: Category
    lead_unit_id: int
    co_unit_ids: tuple[int, ...]
    deadline: date
    period: Period
    is_key: bool


@dataclass(frozen=True)
class Attachment:
    kind: str  # photo | document
    file_id: str
    file_unique_id: str
    file_name: str = ""
    mime_type: str = ""
    size: int = 0
    local_path: str | None = None

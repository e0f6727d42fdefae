"""Plain records the domain reasons about; storage builds them from rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # domain.items builds on Role: a runtime import would go round in a circle
    from domain.items import Status


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


@dataclass(frozen=True, slots=True)
class Unit:
    id: int
    name: str
    short_name: str
    kind: str
    parent_id: int | None = None

    @property
    def label(self) -> str:
        return self.short_name or self.name


@dataclass(frozen=True, slots=True)
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

    def sees_unit(self, unit_id: int | None) -> bool:
        """The office's rule of what a unit's things (its reports, files, items) show to whom:
        a liaison sees their own unit's, everyone else every unit's."""
        return self.role is not Role.LIAISON or unit_id == self.unit_id


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
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
    status: Status
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
    suspended_from: Status | None = None
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

    def led_by(self, unit_id: int) -> bool:
        """The unit is this item's lead unit (牵头单位)."""
        mine = self.unit(unit_id)
        return mine is not None and mine.is_lead

    def signed_by(self, unit_id: int) -> bool:
        """The unit is one of this item's and has signed for it (签收)."""
        mine = self.unit(unit_id)
        return mine is not None and bool(mine.signed_at)

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


@dataclass(frozen=True, slots=True)
class Attachment:
    kind: str  # photo | document
    file_id: str
    file_unique_id: str
    file_name: str = ""
    mime_type: str = ""
    size: int = 0
    local_path: str | None = None


# ---- an item's records: what storage reads back, column for column -----------------------


@dataclass(frozen=True, slots=True)
class Report:
    """A report (progress, completion or revisit) as submitted; a correction is a new version."""

    id: int
    item_id: int
    unit_id: int
    person_id: int
    kind: str  # progress | completion | revisit
    period_key: str
    version: int
    submitted_at: str
    corrects: int | None = None
    progress: str = ""
    percent: int | None = None
    difficulties: str = ""
    next_steps: str = ""
    sustained: int | None = None
    key_flagged: int = 0
    read_at: str | None = None
    read_by: int | None = None
    quantity: str | None = None
    unit_name: str | None = None  # joined when the item's record lists every report
    files: int = 0  # how many attachments, in that same list


@dataclass(frozen=True, slots=True)
class Extension:
    """A request to move the deadline (延期) and, once decided, its decision."""

    id: int
    item_id: int
    unit_id: int
    person_id: int
    old_deadline: str
    new_deadline: str
    reason: str
    requested_at: str
    decision: str | None = None  # granted | refused
    decided_by: int | None = None
    decided_at: str | None = None
    refusal_reason: str | None = None


@dataclass(frozen=True, slots=True)
class Invite:
    """A one-time invitation, known only by its code's hash."""

    id: int
    code_hash: str
    role: str
    expires_at: str
    created_at: str
    unit_id: int | None = None
    liaison_kind: str | None = None
    created_by: int | None = None
    used_at: str | None = None
    used_by: int | None = None


@dataclass(frozen=True, slots=True)
class Verification:
    """An on-site check ordered on a completion report, and what it found."""

    id: int
    item_id: int
    report_id: int
    verifier: str
    planned_on: str
    ordered_by: int
    ordered_at: str
    finding: str | None = None
    recorded_by: int | None = None
    recorded_at: str | None = None


@dataclass(frozen=True, slots=True)
class Revisit:
    """A revisit (回访) of a closed item: when it falls due and how far it has got."""

    id: int
    item_id: int
    due_on: str
    state: str  # scheduled | asked | answered | done | reopened | dropped
    asked_at: str | None = None
    report_id: int | None = None
    decided_by: int | None = None
    decided_at: str | None = None
    reason: str | None = None
    answered_at: str | None = None  # joined: when and by whom it was answered,
    answered_by: str | None = None
    decided_name: str | None = None  # and who decided, for the refusals that name them


@dataclass(frozen=True, slots=True)
class Event:
    """One line of an item's audit trail, with the names of who acted and on which unit."""

    at: str
    action: str
    detail: str  # JSON
    who: str | None = None
    unit: str | None = None

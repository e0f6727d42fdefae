"""The cells of a plan sheet, read one at a time: text, dates typed many ways, exact quantities,
yes/no flags, choices and milestone lists. A reader returns the value or raises `Bad` with the
problem in words the office understands; the row reader adds the line and column."""

from __future__ import annotations

import itertools
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import TypeVar

from domain.models import Category, Period
from domain.plan.rules import MAX_QUANTITY, Milestone, decimals, normal

E = TypeVar("E", bound=StrEnum)

_DATE = re.compile(r"^(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?$")
_MILESTONE = re.compile(r"^(\S+?日?)(?:\s+(.*))?$")
YES = {"是", "y", "yes", "1", "√", "✓", "重点"}
NO = {"", "否", "n", "no", "0", "×"}


class Bad(Exception):
    """One cell's problem, raised by a cell reader and collected by the row reader."""


def text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def short(value: object) -> str:
    written = text(value)
    return written if len(written) <= 30 else written[:30] + "…"


def day(value: object) -> date | None:
    if value is None or text(value) == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = _DATE.match(text(value))
    if match:
        try:
            return date(*(int(g) for g in match.groups()))
        except ValueError:
            pass
    raise Bad(f"日期格式不对：“{short(value)}”（请写成 2026-06-30）")


def quantity(value: object) -> Decimal | None:
    written = text(value).replace(",", "").replace("，", "")
    if written == "":
        return None
    try:
        number = Decimal(str(value)) if isinstance(value, (int, float)) else Decimal(written)
    except InvalidOperation:
        raise Bad(f"“{short(value)}”不是数字") from None
    if not number.is_finite():
        raise Bad(f"“{short(value)}”不是数字")
    if number < 0:
        raise Bad(f"目标数量不能为负数（填的是 {short(value)}）")
    if number == 0:
        raise Bad("目标数量须大于0；没有量化指标请留空")
    if number > MAX_QUANTITY or decimals(normal(number)) > 4:
        raise Bad(f"“{short(value)}”超出范围（最多4位小数，不超过1万亿）")
    return normal(number)


def flag(value: object) -> bool:
    written = text(value).lower()
    if written in YES:
        return True
    if written in NO:
        return False
    raise Bad(f"“{short(value)}”应填“是”或“否”")


def choice(value: object, kind: type[E], default: E) -> E:
    written = text(value)
    if not written:
        return default
    try:
        return kind(written)
    except ValueError:
        allowed = "、".join(m.value for m in kind)
        raise Bad(f"“{short(value)}”不是可选值（可选：{allowed}）") from None


def category(value: object) -> Category:
    found = choice(value, Category, Category.ORDER)
    if found is Category.REFERENCE:
        raise Bad("参阅性事项不下发，大事要事请选“批办性”或“指导性”")
    return found


def period(value: object) -> Period:
    return choice(value, Period, Period.MONTHLY)


def milestones(value: object) -> tuple[Milestone, ...]:
    found = []
    for part in re.split(r"[；;\n]+", text(value)):
        if not part.strip():
            continue
        match = _MILESTONE.match(part.strip())
        try:
            due = day(match.group(1)) if match else None
        except Bad:
            due = None
        if match is None or due is None:
            raise Bad(f"节点“{short(part)}”应写成“日期 说明”，例如 2026-06-30 完成选址")
        found.append(Milestone(due, (match.group(2) or "").strip()[:60]))
    if any(b.due <= a.due for a, b in itertools.pairwise(found)):
        raise Bad("节点日期须从早到晚排列，且不能重复")
    return tuple(found)

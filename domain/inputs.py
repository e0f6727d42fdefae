"""What a typed answer must look like: each parser returns a clean value or a Refusal.

Limits are generous for real answers and small enough that a pasted novel is refused with a
message instead of a Telegram 400 further down the line.
"""

from __future__ import annotations

import re
from datetime import date

from domain.errors import Refusal
from domain.workdays import WorkdayCalendar

LIMITS = {
    "name": 20,
    "title_of_person": 30,
    "item_title": 100,
    "instruction": 2000,
    "leader": 30,
    "reason": 500,
    "search": 30,
}
MAX_WORKDAYS = 500
_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$")
_ISO = re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})$")
_CN_FULL = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?$")
_CN_SHORT = re.compile(r"^(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?$")
_WORKDAYS = re.compile(r"^(\d{1,4})\s*个?\s*工作日(?:内)?$")


def text(value: str | None, field: str, label: str) -> str:
    """Trimmed, non-empty, within the field's limit."""
    cleaned = (value or "").strip()
    if not cleaned:
        raise Refusal("empty_text", label=label)
    limit = LIMITS[field]
    if len(cleaned) > limit:
        raise Refusal("text_too_long", label=label, limit=limit, length=len(cleaned))
    return cleaned


def phone(value: str | None) -> str:
    """A mainland mobile (11 digits) or a landline with area code; spaces and dashes allowed."""
    cleaned = re.sub(r"[\s()（）]", "", value or "").replace("+86", "")
    if re.fullmatch(r"1[\d-]{10,12}", cleaned):  # a mobile: 138-0013-8000 is 13800138000
        cleaned = cleaned.replace("-", "")
    if not _PHONE.match(cleaned):
        raise Refusal("bad_phone", value=(value or "")[:30])
    return cleaned


def deadline(value: str | None, today: date, calendar: WorkdayCalendar) -> date:
    """A date (2026-12-31, 2026年12月31日, 12月31日) or 'N个工作日' counted from today."""
    raw = (value or "").strip().replace("　", " ")
    if match := _WORKDAYS.match(raw):
        n = int(match.group(1))
        if not 1 <= n <= MAX_WORKDAYS:
            raise Refusal("bad_workdays", value=raw, limit=MAX_WORKDAYS)
        return calendar.add_workdays(today, n)
    result = _parse_date(raw, today)
    if result is None:
        raise Refusal("bad_date", value=raw[:30])
    if result <= today:
        raise Refusal("date_not_future", value=result.isoformat())
    if result.year > today.year + 5:
        raise Refusal("date_too_far", value=result.isoformat())
    return result


def planned_date(value: str | None, today: date) -> date:
    """A day for something to happen: today or later, within a year."""
    raw = (value or "").strip()
    result = _parse_date(raw, today)
    if result is None or result < today or result.year > today.year + 1:
        raise Refusal("bad_planned_date", value=raw[:30])
    return result


def _parse_date(raw: str, today: date) -> date | None:
    """2026-12-31, 2026/12/31, 2026年12月31日, or 12月31日 (the next such day from today)."""
    if match := _ISO.match(raw) or _CN_FULL.match(raw):
        y, m, d = (int(g) for g in match.groups())
    elif match := _CN_SHORT.match(raw):
        y, (m, d) = today.year, (int(g) for g in match.groups())
        this_year = _safe_date(y, m, d)
        if this_year and this_year < today:
            y += 1
    else:
        return None
    return _safe_date(y, m, d)


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None

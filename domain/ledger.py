"""The ledger as storage reads it for the office's papers: one line per (item, unit) for the
台账 export and the monthly 通报, and the difficulties the weekly summary quotes.

Plain values, column for column with the queries in `storage/ledger_rows.py`,
`storage/monthly.py` and `storage/summaries.py`: dates stay ISO text, as the papers print them.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.items import Status


@dataclass(frozen=True, slots=True)
class LedgerLine:
    """One (item, unit) of the 台账, with its people, dates and the latest progress report."""

    item_id: int
    title: str
    source: str
    instructing_leader: str
    category: str
    is_key: int
    deadline: str
    status: Status
    returns: int
    unit_id: int
    unit_name: str
    role: str  # lead | co
    year: int | None = None
    serial: int | None = None
    plan_code: str | None = None
    target_id: int | None = None
    closed_at: str | None = None
    sent_at: str | None = None
    signed_at: str | None = None
    responsible_name: str | None = None
    responsible_title: str | None = None
    responsible_phone: str | None = None
    lead_unit: str | None = None
    co_units: str | None = None  # joined with 、
    liaison: str | None = None  # the primary liaison's name and phone
    progress: str | None = None
    percent: int | None = None
    difficulties: str | None = None


@dataclass(frozen=True, slots=True)
class UnitAssignment:
    """A unit and one item sent to it (all None for a unit with none), for the monthly 通报."""

    unit_id: int
    unit_name: str
    item_id: int | None = None
    status: Status | None = None
    deadline: str | None = None
    sent_at: str | None = None
    closed_at: str | None = None
    returns: int = 0
    role: str | None = None
    signed_at: str | None = None
    reports: int = 0  # first versions of its progress reports


@dataclass(frozen=True, slots=True)
class Difficulty:
    """A progress report's difficulties, with the item they hold up."""

    item_id: int
    unit_id: int
    difficulties: str
    submitted_at: str
    unit_name: str
    title: str
    is_key: int
    year: int | None = None
    serial: int | None = None
    plan_code: str | None = None

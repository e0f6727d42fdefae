"""The monthly 通报: units compared on the same measures, best first, laggards named."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from domain.items import RUNNING
from domain.office import Office
from storage import monthly


@dataclass
class UnitFigures:
    unit: str
    assigned: int = 0
    closed_on_time: int = 0
    closed_late: int = 0
    overdue: int = 0
    returned: int = 0
    sign_days: list[int] = field(default_factory=list)
    reports: int = 0
    in_progress: int = 0  # led, open and not yet overdue: the chart's 办理中

    @property
    def average_sign_days(self) -> float | None:
        days = self.sign_days
        return round(sum(days) / len(days), 1) if days else None

    @property
    def on_time_rate(self) -> int | None:
        closed = self.closed_on_time + self.closed_late
        return round(100 * self.closed_on_time / closed) if closed else None

    @property
    def rank_key(self) -> tuple[int, int, int, float]:
        """Fewest overdue first, then most closed on time, fewest returns, fastest 签收."""
        return (
            self.overdue,
            -self.closed_on_time,
            self.returned,
            self.average_sign_days if self.average_sign_days is not None else 99,
        )


async def figures(office: Office) -> list[UnitFigures]:
    today = office.clock.today()
    async with office.db.read() as conn:
        rows = await monthly.unit_rows(conn)
    by_unit: dict[int, UnitFigures] = {}
    for r in rows:
        f = by_unit.setdefault(r.unit_id, UnitFigures(r.unit_name))
        if r.item_id is None or r.deadline is None or r.sent_at is None:
            continue  # a unit with no item this month: the three are NULL together
        f.assigned += 1
        f.reports += r.reports
        deadline = date.fromisoformat(r.deadline)
        if r.signed_at:
            f.sign_days.append(
                (date.fromisoformat(r.signed_at[:10]) - date.fromisoformat(r.sent_at[:10])).days
            )
        if r.role != "lead":
            continue
        f.returned += r.returns
        if r.closed_at:
            on_time = date.fromisoformat(r.closed_at[:10]) <= deadline
            f.closed_on_time += on_time
            f.closed_late += not on_time
        elif r.status in RUNNING and deadline < today:
            f.overdue += 1
        elif r.status in RUNNING:
            f.in_progress += 1
    return sorted((f for f in by_unit.values() if f.assigned), key=lambda f: f.rank_key)

"""What every action needs: the database, the clock, the calendar and the office's rules."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from domain.errors import Refusal
from domain.models import Item, Person, Role
from domain.workdays import WorkdayCalendar
from storage import people
from storage.db import Database


class Clock(Protocol):
    def now(self) -> datetime: ...

    def today(self) -> date: ...


@dataclass
class Office:
    db: Database
    clock: Clock
    calendar: WorkdayCalendar
    invite_ttl_days: int = 7
    supervisor_may_approve: bool = True
    serial_format: str = "督办〔{year}〕{n}号"
    revisit_days: tuple[int, ...] = (30, 90)
    render_letter: Callable[[Item], str] | None = None

    def now(self) -> str:
        return self.clock.now().isoformat(timespec="seconds")

    def serial_label(self, item: Item) -> str:
        return serial_label(item, self.serial_format)

    async def person(self, tg_user_id: int) -> Person | None:
        async with self.db.read() as conn:
            return await people.active_by_tg(conn, tg_user_id)


def serial_label(item: Item, fmt: str = "督办〔{year}〕{n}号") -> str:
    """督办〔2026〕12号 once approved; before that the draft number, so it can still be named."""
    if item.serial is None:
        return f"草稿#{item.id}"
    return fmt.format(year=item.year, n=item.serial)


def require(person: Person | None, *roles: Role) -> Person:
    """The person, if registered, active and in one of the roles; otherwise a Refusal."""
    if person is None or not person.active:
        raise Refusal("not_registered")
    if roles and person.role not in roles:
        raise Refusal("wrong_role_for", roles="、".join(r.label for r in roles))
    return person

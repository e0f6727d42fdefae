"""What every action needs: the database, the clock, the calendar and the office's rules."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol, TypeVar

from domain.errors import Refusal
from domain.models import Item, Person, Role
from domain.workdays import WorkdayCalendar
from storage import people
from storage.db import Conn, Database, found

T = TypeVar("T")
# What the caller queues in the action's own transaction: the messages the action causes to
# people other than the one acting (outbox rows), and the letters it renders and stores, so
# they commit, or vanish, with it.
Then = Callable[[Conn, Any], Awaitable[Any]]


async def after(then: Then | None, conn: Conn, result: T) -> T:
    """Run the caller's `then` on the result, inside the transaction, and hand the result on."""
    if then is not None:
        await then(conn, result)
    return result


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

    def now(self) -> str:
        return self.clock.now().isoformat(timespec="seconds")

    def serial_label(self, item: Item) -> str:
        return serial_label(item, self.serial_format)

    def label(
        self, year: int | None, serial: int | None, item_id: int, code: str | None = None
    ) -> str:
        return item_label(year, serial, item_id, code, self.serial_format)

    async def person(self, tg_user_id: int) -> Person | None:
        async with self.db.read() as conn:
            return await people.active_by_tg(conn, tg_user_id)

    async def remember_menu(self, person: Person, menu: str) -> None:
        """The command menu now set in the person's chat: not sent again until it changes."""
        async with self.db.transaction() as conn:
            await people.set_menu(conn, person.id, menu)


def serial_label(item: Item, fmt: str = "督办〔{year}〕{n}号") -> str:
    """督办〔2026〕12号 once approved; before that the draft number, so it can still be named."""
    return item_label(item.year, item.serial, item.id, item.plan_code, fmt)


def item_label(
    year: int | None,
    serial: int | None,
    item_id: int,
    plan_code: str | None = None,
    fmt: str = "督办〔{year}〕{n}号",
) -> str:
    """The one way an item is named: its letter's serial, its 任务书's 编号, or its draft number."""
    if serial is not None:
        return fmt.format(year=year, n=serial)
    if plan_code:
        return f"任务书{plan_code}"
    return f"草稿#{item_id}"


def labeller(fmt: str) -> Callable[[int | None, int | None, int, str | None], str]:
    """`label(year, serial, item_id, plan_code)` for rows read straight from storage."""
    return lambda y, n, i, code: item_label(y, n, i, code, fmt)


def unit_of(liaison: Person) -> int:
    """A liaison's unit: registration gives every liaison one."""
    return found(liaison.unit_id, f"the unit of liaison {liaison.id}")


def require(person: Person | None, *roles: Role) -> Person:
    """The person, if registered, active and in one of the roles; otherwise a Refusal."""
    if person is None or not person.active:
        raise Refusal("not_registered")
    if roles and person.role not in roles:
        raise Refusal("wrong_role_for", roles="、".join(r.label for r in roles))
    return person

"""A liaison who leaves: the supervisor deactivates them, with a reason, before (or without)
a successor registering. The unit then has no liaison until someone registers by invitation;
letters for the unit are held meanwhile (the sender finds nobody to give them to).
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import Refusal
from domain.models import Person, Role, Unit
from domain.office import Office, Then, after, require
from storage import audit, people, units
from storage.db import Conn


@dataclass(frozen=True)
class Liaison:
    person: Person
    unit: Unit

    @property
    def label(self) -> str:
        kind = self.person.liaison_kind
        return f"{self.unit.label}{kind.label if kind else Role.LIAISON.label} {self.person.name}"


@dataclass(frozen=True)
class Deactivated:
    liaison: Liaison
    by: Person
    reason: str
    remaining: list[Person]  # the unit's liaisons still active: none means no liaison at all


async def active_liaisons(office: Office, person: Person | None) -> list[Liaison]:
    """Every active liaison, by unit, primary first: whom the supervisor may deactivate."""
    require(person, Role.SUPERVISOR)
    async with office.db.read() as conn:
        by_id = {u.id: u for u in await units.all_units(conn)}
        found = await people.all_liaisons(conn)
    return [Liaison(p, by_id[p.unit_id]) for p in found if p.unit_id in by_id]


async def to_deactivate(office: Office, person: Person | None, liaison_id: int) -> Liaison:
    """The liaison a supervisor is about to deactivate, checked before a reason is typed."""
    require(person, Role.SUPERVISOR)
    async with office.db.read() as conn:
        return await _active_liaison(conn, liaison_id)


async def deactivate(
    office: Office,
    person: Person | None,
    liaison_id: int,
    reason: str,
    then: Then | None = None,
) -> Deactivated:
    """Deactivate the liaison and audit it, in one transaction with the caller's notices."""
    supervisor = require(person, Role.SUPERVISOR)
    now = office.now()
    async with office.db.transaction() as conn:
        liaison = await _active_liaison(conn, liaison_id)
        await people.deactivate(conn, liaison_id, now)
        await audit.record(
            conn,
            at=now,
            person_id=supervisor.id,
            action="停用联络员",
            unit_id=liaison.unit.id,
            liaison=liaison_id,
            name=liaison.person.name,
            reason=reason,
        )
        remaining = await people.liaisons(conn, liaison.unit.id)
        return await after(then, conn, Deactivated(liaison, supervisor, reason, remaining))


async def _active_liaison(conn: Conn, liaison_id: int) -> Liaison:
    found = await people.get(conn, liaison_id)
    if found is None or found.role is not Role.LIAISON or not found.active or not found.unit_id:
        raise Refusal("liaison_gone")
    unit = await units.get(conn, found.unit_id)
    if unit is None:
        raise Refusal("liaison_gone")
    return Liaison(found, unit)

"""Invitations and registration: nobody becomes a user of the bot except through a code.

A code is random, single-use, bound to one role (and, for liaisons, one unit and kind),
expires, and is stored only as its SHA-256: the database never holds a usable link.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from domain import letters
from domain.errors import Refusal
from domain.items import SIGNABLE
from domain.models import Item, LiaisonKind, Person, Role, Unit
from domain.office import Office, Then, after
from storage import audit, invites, items, outbox, people, units
from storage.db import Conn

CODE_BYTES = 18  # 24 url-safe characters: deep-link payloads allow [A-Za-z0-9_-]{1,64}


def hash_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


@dataclass(frozen=True)
class Invitation:
    role: Role
    unit: Unit | None
    kind: LiaisonKind | None
    expires_at: str

    @property
    def label(self) -> str:
        if self.role is Role.LIAISON and self.unit and self.kind:
            return f"{self.unit.name}{self.kind.label}"
        return self.role.label


@dataclass
class Registered:
    person: Person
    invitation: Invitation
    replaced: Person | None = None
    supervisors: list[Person] = field(default_factory=list)
    pending_letters: list[Item] = field(default_factory=list)
    queued: int = 0  # held pushes released and letters handed over: the sender has work


async def create_invite(
    office: Office,
    creator: Person | None,
    role: Role,
    unit_id: int | None = None,
    kind: LiaisonKind | None = None,
) -> tuple[str, Invitation]:
    """A new one-time code; `creator` is None when the office issues it from the CLI."""
    if creator is not None and creator.role is not Role.SUPERVISOR:
        raise Refusal("wrong_role_for", roles=Role.SUPERVISOR.label)
    if (role is Role.LIAISON) != (unit_id is not None and kind is not None):
        raise ValueError("a liaison invite needs a unit and a kind; others need neither")
    code = secrets.token_urlsafe(CODE_BYTES)
    now = office.clock.now()
    expires = (now + timedelta(days=office.invite_ttl_days)).isoformat(timespec="seconds")
    async with office.db.transaction() as conn:
        unit = await units.get(conn, unit_id) if unit_id is not None else None
        if unit_id is not None and unit is None:
            raise Refusal("unknown_unit")
        await invites.create(
            conn,
            code_hash=hash_code(code),
            role=role,
            unit_id=unit_id,
            liaison_kind=kind,
            created_by=creator.id if creator else None,
            now=office.now(),
            expires_at=expires,
        )
        await audit.record(
            conn,
            at=office.now(),
            person_id=creator.id if creator else None,
            action="发出邀请",
            unit_id=unit_id,
            role=role.value,
            kind=kind.value if kind else None,
        )
    return code, Invitation(role, unit, kind, expires)


async def check_invite(office: Office, code: str) -> Invitation:
    """What the code invites to, or a Refusal if it is unknown, used or expired."""
    async with office.db.read() as conn:
        return await _valid_invite(office, conn, code)


async def _valid_invite(office: Office, conn: Conn, code: str) -> Invitation:
    row = await invites.by_hash(conn, hash_code(code.strip()))
    if row is None:
        raise Refusal("invite_unknown")
    if row.used_at is not None:
        raise Refusal("invite_used")
    if datetime.fromisoformat(row.expires_at) <= office.clock.now():
        raise Refusal("invite_expired")
    unit = await units.get(conn, row.unit_id) if row.unit_id else None
    kind = LiaisonKind(row.liaison_kind) if row.liaison_kind else None
    return Invitation(Role(row.role), unit, kind, row.expires_at)


async def register(
    office: Office,
    code: str,
    *,
    tg_user_id: int,
    chat_id: int,
    username: str,
    name: str,
    title: str,
    phone: str,
    then: Then | None = None,
) -> Registered:
    """Claim the code and create the person; a new primary liaison replaces the old one."""
    now = office.now()
    async with office.db.transaction() as conn:
        invitation = await _valid_invite(office, conn, code)
        existing = await people.active_by_tg(conn, tg_user_id)
        if existing is not None:
            raise Refusal("already_registered", role=existing.role.label)
        replaced = None
        if invitation.unit is not None and invitation.kind is LiaisonKind.PRIMARY:
            current = [
                p
                for p in await people.liaisons(conn, invitation.unit.id)
                if p.liaison_kind is LiaisonKind.PRIMARY
            ]
            if current:
                replaced = current[0]
                await people.deactivate(conn, replaced.id, now)
        person_id = await people.add(
            conn,
            tg_user_id=tg_user_id,
            chat_id=chat_id,
            role=invitation.role,
            name=name,
            title=title,
            phone=phone,
            username=username,
            unit_id=invitation.unit.id if invitation.unit else None,
            liaison_kind=invitation.kind,
            now=now,
        )
        row = await invites.by_hash(conn, hash_code(code.strip()))
        if row is None or not await invites.mark_used(conn, row.id, person_id, now):
            raise Refusal("invite_used")
        unit_id = invitation.unit.id if invitation.unit else None
        await audit.record(
            conn,
            at=now,
            person_id=person_id,
            action="注册",
            unit_id=unit_id,
            role=invitation.role.value,
            kind=invitation.kind.value if invitation.kind else None,
            replaced=replaced.id if replaced else None,
        )
        person = await people.known(conn, person_id)
        supervisors = [
            p for p in await people.with_role(conn, Role.SUPERVISOR) if p.id != person_id
        ]
        pending, queued = [], 0
        if unit_id is not None:
            queued = await outbox.release_held(conn, unit_id)
            waiting = await items.search(conn, statuses=SIGNABLE, unit_id=unit_id)
            pending = [
                i for i in waiting if any(u.unit_id == unit_id and not u.signed_at for u in i.units)
            ]
            queued += await _hand_over(office, conn, pending, unit_id, person)
        done = Registered(person, invitation, replaced, supervisors, pending, queued)
        return await after(then, conn, done)


async def _hand_over(
    office: Office, conn: Conn, pending: list[Item], unit_id: int, person: Person
) -> int:
    """A new liaison gets the letters the unit has not signed yet, unless the held one for
    the whole unit (just released) is about to reach them anyway."""
    added = 0
    for item in pending:
        if not await outbox.queued_for_unit(conn, "letter", item.id, unit_id):
            added += await outbox.add(
                conn, letters.letter_push(item, unit_id, person), office.now()
            )
    return added

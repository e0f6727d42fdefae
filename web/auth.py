"""Who is reading: one-time links from /web, sessions, CSRF, and Telegram Mini App initData.

Links and sessions live in the database (storage/web.py) as SHA-256 hashes of random secrets,
so a restart keeps people logged in and a copy of the database opens nothing. The session only
names a person: their role is read from the database again on every request.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qsl

from domain.models import Person
from domain.office import Office
from storage import people
from storage import web as store

LINK_TTL = 10 * 60  # a /web link is good for ten minutes, once
SESSION_TTL = 8 * 3600  # a working day
INIT_DATA_MAX_AGE = 3600  # a Mini App's initData older than this is refused
CLOCK_SKEW = 60


@dataclass(frozen=True)
class Session:
    person: Person
    csrf: str


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _now(office: Office) -> int:
    return int(office.clock.now().timestamp())


async def issue_link(office: Office, person: Person) -> str:
    """A fresh one-time login token for this person (the link's last part)."""
    token = secrets.token_urlsafe(32)
    now = _now(office)
    async with office.db.transaction() as conn:
        await store.add_link(conn, digest(token), person.id, now, now + LINK_TTL)
    return token


async def spend_link(office: Office, token: str) -> tuple[str, Person | None]:
    """Spend the link: (store.LINK_OK, the active person) or why not (spent, expired, unknown)."""
    async with office.db.transaction() as conn:
        state, person_id = await store.spend_link(conn, digest(token), _now(office))
        person = await people.get(conn, person_id) if person_id is not None else None
    if state == store.LINK_OK and (person is None or not person.active):
        return store.LINK_UNKNOWN, None
    return state, person


async def open_session(office: Office, person: Person) -> str:
    """A new session for the person; the returned id goes into the cookie, its hash to disk."""
    session_id = secrets.token_urlsafe(32)
    now = _now(office)
    async with office.db.transaction() as conn:
        await store.add_session(
            conn, digest(session_id), person.id, secrets.token_urlsafe(24), now, now + SESSION_TTL
        )
    return session_id


async def current(office: Office, session_id: str | None) -> Session | None:
    """The session's person as the database has them now (None: no session, or they left)."""
    if not session_id:
        return None
    async with office.db.read() as conn:
        row = await store.session(conn, digest(session_id), _now(office))
        person = await people.get(conn, row.person_id) if row is not None else None
    if row is None or person is None or not person.active:
        return None
    return Session(person, row.csrf)


async def close_session(office: Office, session_id: str) -> None:
    async with office.db.transaction() as conn:
        await store.drop_session(conn, digest(session_id))


def csrf_ok(given: object, session: Session) -> bool:
    """`given` is what the form sent, if anything: a text field, or a file a forger posted."""
    return isinstance(given, str) and bool(given) and hmac.compare_digest(given, session.csrf)


def init_data_user(init_data: str, bot_token: str, now: int) -> int | None:
    """The Telegram user id in a Mini App's initData if Telegram signed it and it is fresh.

    https://core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app: the
    key is HMAC_SHA256("WebAppData", bot_token); the hash signs the other fields, sorted, one
    `key=value` a line.
    """
    try:
        pairs = parse_qsl(init_data, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        return None
    fields = dict(pairs)
    received = fields.pop("hash", "")
    if len(fields) + 1 != len(pairs) or not received:
        return None  # a field twice, or no signature
    check = "\n".join(f"{k}={v}" for k, v in sorted(fields.items()))
    key = hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()
    expected = hmac.new(key, check.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, received):
        return None
    try:
        signed_at = int(fields["auth_date"])
        user_id = int(json.loads(fields["user"])["id"])
    except (KeyError, ValueError, TypeError):
        return None
    if not now - INIT_DATA_MAX_AGE <= signed_at <= now + CLOCK_SKEW:
        return None
    return user_id

"""What every page shares: the app's keys, the person reading, and rendering a template."""

from __future__ import annotations

from typing import Any

import jinja2
from aiohttp import web

from bot.render import Renderer
from bot.settings import Settings
from domain import queries
from domain.errors import Refusal
from domain.models import Event, Item, Person, Role
from domain.office import Office
from web.auth import Session
from web.ledger import Lights

OFFICE = web.AppKey("office", Office)
SETTINGS = web.AppKey("settings", Settings)
RENDER = web.AppKey("render", Renderer)  # the bot's templates: refusals read the same
PAGES = web.AppKey("pages", jinja2.Environment)
LIGHTS = web.AppKey("lights", Lights)
SESSION = web.RequestKey[Session | None]("session")  # None when nobody is logged in
SESSION_COOKIE = "duban_session"
NAV = (
    ("/ledger", "台账", (Role.SUPERVISOR, Role.LEADER, Role.LIAISON)),
    ("/plan", "大事要事", (Role.SUPERVISOR, Role.LEADER)),
    ("/units", "单位", (Role.SUPERVISOR, Role.LEADER)),
)


class NotLoggedIn(Exception):
    """No session, an expired one, or its person no longer active."""


def office(request: web.Request) -> Office:
    return request.app[OFFICE]


def session(request: web.Request) -> Session:
    """The reader's session, with their person read from the database for this request."""
    found = request.get(SESSION)
    if found is None:
        raise NotLoggedIn
    return found


def require(request: web.Request, *roles: Role) -> Session:
    found = session(request)
    if roles and found.person.role not in roles:
        raise Refusal("wrong_role_for", roles="、".join(r.label for r in roles))
    return found


async def readable_item(office: Office, viewer: Person, item_id: int) -> tuple[Item, list[Event]]:
    """The item and its history, by the bot's rule (a liaison: their own unit's items); on the
    web a liaison sees an item only once it was sent, as in their ledger."""
    found, timeline = await queries.item_record_by_id(office, viewer, item_id)
    if viewer.role is Role.LIAISON and found.sent_at is None:
        raise Refusal("not_your_item")
    return found, timeline


def render(
    request: web.Request, template: str, /, status: int = 200, **context: Any
) -> web.Response:
    """An HTML page; the layout gets the reader (if any) and the menu their role may use."""
    found = request.get(SESSION)
    role = found.person.role if found else None
    nav = [(href, label) for href, label, roles in NAV if role in roles]
    page = request.app[PAGES].get_template(f"{template}.j2")
    html = page.render(
        viewer=found.person if found else None,
        csrf=found.csrf if found else "",
        nav=nav,
        here=request.path,
        office_name=request.app[SETTINGS].office_name,
        **context,
    )
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")


def message(request: web.Request, key: str, status: int, detail: str = "") -> web.Response:
    """A page with one message, its words in templates/message.j2 (`detail`: words that come
    from elsewhere, such as a refusal the bot's own templates word)."""
    return render(request, "message", status=status, key=key, detail=detail)

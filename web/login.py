"""Getting in and out: the /web link, the Mini App's initData, and logout (POST + CSRF)."""

from __future__ import annotations

import logging

from aiohttp import web

from web import auth
from web.view import OFFICE, SESSION, SESSION_COOKIE, SETTINGS, message, render, session

log = logging.getLogger(__name__)


def _set_cookie(request: web.Request, response: web.StreamResponse, session_id: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        max_age=auth.SESSION_TTL,
        path="/",
        httponly=True,
        samesite="Strict",
        secure=request.app[SETTINGS].web_url.startswith("https://"),
    )


async def login(request: web.Request) -> web.Response:
    """Spend the link and open a session. The page then moves on by itself (a meta refresh,
    not a redirect: a SameSite=Strict cookie is not sent on a redirect begun in Telegram)."""
    office = request.app[OFFICE]
    state, person = await auth.spend_link(office, request.match_info["token"][:100])
    if person is None:
        log.info("web login refused: %s link", state)
        return message(request, f"link_{state}", 403)
    log.info("web login: person %s by link", person.id)
    response = render(request, "login", person=person)
    _set_cookie(request, response, await auth.open_session(office, person))
    return response


async def mini_app(request: web.Request) -> web.Response:
    """The Mini App's first page: its script posts Telegram's initData to /app/login."""
    return render(request, "app")


async def mini_app_login(request: web.Request) -> web.Response:
    form = await request.post()
    office = request.app[OFFICE]
    now = int(office.clock.now().timestamp())
    token = request.app[SETTINGS].token.get_secret_value()
    user_id = auth.init_data_user(str(form.get("init_data", "")), token, now) if token else None
    person = await office.person(user_id) if user_id is not None else None
    if person is None:
        log.info("web login refused: Mini App initData not valid or not a person")
        return web.json_response({"error": "无法验证您的身份，请在机器人中发送 /web。"}, status=403)
    log.info("web login: person %s by Mini App", person.id)
    response = web.json_response({"next": "/ledger"})
    _set_cookie(request, response, await auth.open_session(office, person))
    return response


async def logout(request: web.Request) -> web.Response:
    found = session(request)
    form = await request.post()
    if not auth.csrf_ok(form.get("csrf"), found):
        return message(request, "logout_stale", 403)
    await auth.close_session(request.app[OFFICE], request.cookies[SESSION_COOKIE])
    request[SESSION] = None
    response = message(request, "logged_out", 200)
    response.del_cookie(SESSION_COOKIE, path="/")
    return response

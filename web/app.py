"""The web ledger's aiohttp application: routes, the reader's session, security headers.

Built from the same Office (database, clock, calendar) and Settings the bot uses, so it
reads exactly what the bot reads. `serve()` runs it in the current event loop: beside the bot
in `duban run`, or alone in `duban web`.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import jinja2
from aiohttp import web

from bot.render import Renderer, show
from bot.settings import Settings, SettingsError
from domain.errors import Refusal
from domain.office import Office
from web import auth, downloads, login, pages
from web.ledger import Lights
from web.view import (
    LIGHTS,
    OFFICE,
    PAGES,
    RENDER,
    SESSION,
    SESSION_COOKIE,
    SETTINGS,
    NotLoggedIn,
    message,
)

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
MINI_APP = "/app"
NOT_FOUND = {"item_unknown", "unknown_unit", "plan_unknown"}
CSP = "default-src 'self'; base-uri 'none'; form-action 'self'; object-src 'none'"
TELEGRAM_FRAMES = "frame-ancestors https://web.telegram.org"


@web.middleware
async def reader(request: web.Request, handler):
    """Every request: the session's person, read from the database now (None if none)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    request[SESSION] = await auth.current(request.app[OFFICE], cookie)
    return await handler(request)


@web.middleware
async def refusals(request: web.Request, handler):
    """A refusal, an unknown page or no session: a clear Chinese page with its status."""
    try:
        return await handler(request)
    except NotLoggedIn:
        return message(request, "login_first", 403)
    except Refusal as refusal:
        status = 404 if refusal.key in NOT_FOUND else 403
        text = request.app[RENDER].refusal(refusal, plain=True)
        return message(request, "refused", status, text)
    except web.HTTPNotFound:
        return message(request, "not_found", 404)
    except web.HTTPMethodNotAllowed:
        return message(request, "read_only", 405)


async def headers(request: web.Request, response: web.StreamResponse) -> None:
    """CSP without inline script everywhere; framing only for the Mini App's page; nothing
    but the stylesheet and script kept in a cache."""
    mini = request.path == MINI_APP
    response.headers["Content-Security-Policy"] = (
        f"{CSP}; {TELEGRAM_FRAMES}" if mini else f"{CSP}; frame-ancestors 'none'"
    )
    if not mini:
        response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"  # a login link never leaks onward
    if request.path.startswith("/static/"):
        response.headers["Cache-Control"] = "public, max-age=3600"
    else:
        response.headers["Cache-Control"] = "no-store"


def templates() -> jinja2.Environment:
    """Every value escaped, an undefined name an error, quantities shown as the bot shows them."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["qty"] = show
    return env


async def home(request: web.Request) -> web.Response:
    raise web.HTTPSeeOther("/ledger")


def create_app(office: Office, settings: Settings, render: Renderer | None = None):
    """The web ledger over this office's database, with the office's own templates for
    refusals (the same words the bot uses)."""
    app = web.Application(middlewares=[refusals, reader], client_max_size=64 * 1024)
    app[OFFICE] = office
    app[SETTINGS] = settings
    app[RENDER] = render or Renderer(settings.template_dir)
    app[PAGES] = templates()
    app[LIGHTS] = Lights()
    app[downloads.CHART_LOCK] = asyncio.Lock()
    app.on_response_prepare.append(headers)
    app.add_routes(
        [
            web.get("/", home),
            web.get("/login/{token}", login.login),
            web.get(MINI_APP, login.mini_app),
            web.post("/app/login", login.mini_app_login),
            web.post("/logout", login.logout),
            web.get("/ledger", pages.ledger),
            web.get("/ledger.xlsx", downloads.workbook),
            web.get(r"/item/{item_id:\d{1,9}}", pages.item),
            web.get(r"/file/{file_id:\d{1,9}}", downloads.attachment),
            web.get("/plan", pages.plan),
            web.get("/units", pages.units),
            web.get("/chart.png", downloads.chart_png),
            web.static("/static", HERE / "static"),
        ]
    )
    return app


async def serve(app: web.Application, host: str, port: int) -> web.AppRunner:
    """Start serving in this event loop; `await runner.cleanup()` stops it. A port that cannot
    be had is one clear line (no access log: a login link's token must not reach a log)."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as exc:
        await runner.cleanup()
        raise SettingsError(f"网页台账无法监听 {host}:{port}：{exc.strerror or exc}") from None
    log.info("web ledger on http://%s:%s", host, port)
    return runner

"""The pages, each thin: read the query, ask storage or the domain, render a template."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import asdict
from urllib.parse import urlencode

from aiohttp import web
from markupsafe import Markup

from domain import monthly, queries
from domain.items import REPORTING, Status
from domain.models import Category, Role
from domain.office import Office
from domain.plan import views as plan_views
from domain.reminders import behind_on_reports
from domain.review import CHECKS
from storage import ledger_state, reports
from storage import web as store
from web import ledger as ledger_q
from web.view import LIGHTS, office, readable_item, render, require

READERS = (Role.SUPERVISOR, Role.LEADER)
LETTER_TAGS = frozenset({"b", "strong", "i", "em", "u", "ins", "s", "del", "code", "pre"})
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)([^<>]*)>")
_BARE_AMP = re.compile(r"&(?!(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);)")


async def ledger(request: web.Request) -> web.Response:
    """台账: filters, sort, search, counts per light, 100 a page."""
    viewer = require(request).person
    units, leaders = await ledger_q.choices(office(request))
    q = ledger_q.parse(request.query, viewer, units, leaders)
    found = await ledger_q.ledger(office(request), q, request.app[LIGHTS])

    def link(**change: str | None) -> str:
        params = {k: v for k, v in {**q.kept, **change}.items() if v}
        return "/ledger" + ("?" + urlencode(params) if params else "")

    return render(
        request,
        "ledger",
        ledger=found,
        q=q,
        link=link,
        columns=ledger_q.COLUMNS,
        lights=ledger_q.LIGHTS,
        units=[u for u in units if viewer.sees_unit(u.id)],
        leaders=leaders,
        categories=[c.value for c in Category],
        statuses=list(Status),
    )


def letter_html(stored: str | None) -> Markup:
    """The letter as the bot sent it (Telegram HTML, its texts already escaped): Telegram's
    plain formatting tags kept without attributes, every other tag dropped, and any stray
    `<`, `>`, `"` or bare `&` escaped."""
    stored = stored or ""
    parts, done = [], 0
    for tag in _TAG.finditer(stored):
        parts.append(_letter_text(stored[done : tag.start()]))
        closing, name, rest = tag.groups()
        if name.lower() in LETTER_TAGS and not rest.strip():
            parts.append(f"<{closing}{name.lower()}>")
        done = tag.end()
    parts.append(_letter_text(stored[done:]))
    return Markup("".join(parts))


def _letter_text(text: str) -> str:
    text = _BARE_AMP.sub("&amp;", text)
    return text.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _note(detail: str) -> str:
    data = json.loads(detail or "{}")
    return str(data.get("reason") or data.get("note") or data.get("name") or "")


async def item(request: web.Request) -> web.Response:
    """One item: the letter, the whole 办理过程, reports with attachments, reviews."""
    viewer = require(request).person
    the_office = office(request)
    found, timeline = await readable_item(the_office, viewer, int(request.match_info["item_id"]))
    async with the_office.db.read() as conn:
        sent = [r for r in await reports.for_item(conn, found.id) if viewer.sees_unit(r.unit_id)]
        files = await store.item_attachments(conn, found.id)
        checked = await store.reviews(conn, found.id)
    shown = {r.id for r in sent}
    return render(
        request,
        "item",
        item=found,
        serial=the_office.serial_label(found),
        light=(await queries.lights(the_office, [found.id])).get(found.id),
        letter=letter_html(found.letter_html),
        timeline=[asdict(r) | {"note": _note(r.detail)} for r in timeline],
        reports=sent,
        files=[f for f in files if f.report_id in shown],
        reviews=[asdict(r) | {"checks": json.loads(r.checks or "{}")} for r in checked],
        check_names=[c.name for c in CHECKS],
        planned=await plan_views.for_item(the_office, found),
    )


async def plan(request: web.Request) -> web.Response:
    """大事要事: each task's targets, quantity against time, milestones."""
    viewer = require(request, *READERS).person
    year = request.query.get("year", "")
    the_office = office(request)
    chosen = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else None
    tasks = await plan_views.overview(the_office, viewer, chosen)
    return render(
        request,
        "plan",
        tasks=tasks,
        year=chosen or the_office.clock.today().year,
        tally=plan_views.tally(tasks),
        today=the_office.clock.today(),
    )


async def _late_reports(the_office: Office) -> Counter:
    """Per unit, how many of its items are behind on reports (the rule the lights use)."""
    today = the_office.clock.today()
    async with the_office.db.read() as conn:
        found = await ledger_state.assignments(conn, REPORTING, lambda *_: "")
    return Counter(a.unit_id for a in found if behind_on_reports(a, today, the_office.calendar))


async def units(request: web.Request) -> web.Response:
    """单位: items, on-time rate, reports late, liaisons (phones for supervisors only)."""
    viewer = require(request, *READERS).person
    the_office = office(request)
    rows = await queries.units_overview(the_office, viewer)
    figures = {f.unit: f for f in await monthly.figures(the_office)}
    return render(
        request,
        "units",
        rows=rows,
        figures=figures,
        late=await _late_reports(the_office),
        phones=viewer.role is Role.SUPERVISOR,
    )

"""Files: a report's attachment (role-checked), the ledger workbook, the monthly chart."""

from __future__ import annotations

import asyncio
from io import BytesIO
from pathlib import Path
from urllib.parse import quote

from aiohttp import web

from bot import chart, ledger_xlsx
from domain import monthly, queries
from domain.models import Role
from storage import web as store
from web.view import OFFICE, SETTINGS, message, readable_item, require

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHART_LOCK = web.AppKey("chart_lock", asyncio.Lock)  # pyplot draws one figure at a time


def _download(body: bytes, name: str, content_type: str) -> web.Response:
    """A file to save, never to show: its name in UTF-8, its type fixed by us."""
    return web.Response(
        body=body,
        content_type=content_type,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


async def attachment(request: web.Request) -> web.Response:
    """A report's file, for whoever may see that report (a liaison: their own unit's)."""
    viewer = require(request).person
    office = request.app[OFFICE]
    async with office.db.read() as conn:
        row = await store.attachment(conn, int(request.match_info["file_id"]))
    if row is None or row.item_id is None:  # every report belongs to an item
        raise web.HTTPNotFound
    await readable_item(office, viewer, row.item_id)  # the item's own check
    if not viewer.sees_unit(row.unit_id):
        return message(request, "other_unit_file", 403)
    folder = request.app[SETTINGS].attachments_path
    path = Path(row.local_path) if row.local_path else None
    if path is None or not _inside(path, folder) or not path.is_file():
        return message(request, "file_elsewhere", 404)
    body = await asyncio.to_thread(path.read_bytes)
    return _download(body, row.file_name or path.name, "application/octet-stream")


async def workbook(request: web.Request) -> web.Response:
    """The same 台账 workbook /export sends (supervisors and leaders)."""
    viewer = require(request, Role.SUPERVISOR, Role.LEADER).person
    office = request.app[OFFICE]
    rows = await queries.ledger(office, viewer)
    body = await ledger_xlsx.build(office, rows)
    return _download(body, f"督办台账_{office.clock.today():%Y%m%d}.xlsx", XLSX)


async def chart_png(request: web.Request) -> web.Response:
    """This month's per-unit chart, drawn off the event loop."""
    require(request, Role.SUPERVISOR, Role.LEADER)
    office = request.app[OFFICE]
    found = await monthly.figures(office)
    if not found:
        return message(request, "no_chart", 404)
    today = office.clock.today()
    buffer = BytesIO()
    font = request.app[SETTINGS].font_path
    try:
        async with request.app[CHART_LOCK]:
            title = f"{today.year}年{today.month}月各单位办结情况"
            await asyncio.to_thread(lambda: chart.unit_chart(found, title, buffer, font))
    except chart.NoChineseFont as exc:
        return message(request, "chart_failed", 503, str(exc))
    return web.Response(body=buffer.getvalue(), content_type="image/png")

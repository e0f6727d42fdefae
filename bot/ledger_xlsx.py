"""The 台账 as an XLSX workbook: one row per item and unit, and a sheet of unit figures.

Filters on, header frozen, widths from the content (a CJK character counts double), dates as
real dates, long text wrapped — a file the office can sort, print and file as it is.

Every text people typed stays text: one starting like a formula (`=HYPERLINK(…)`, `+1`, `@x`) is
stored as a string cell marked quote-prefixed, so neither Excel nor LibreOffice evaluates it,
not even after the cell is edited; characters XML cannot hold (a pasted vertical tab) are
dropped rather than failing the whole export.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from io import BytesIO
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot import worker, xlsx
from domain import monthly, queries
from domain.ledger import LedgerLine
from domain.monthly import UnitFigures
from domain.office import Office, item_label
from domain.plan import views as plan_views
from domain.plan.views import TaskView
from domain.traffic import Light

HEADERS = (
    "督办编号",
    "标题",
    "来源",
    "批示领导",
    "类别",
    "重点",
    "牵头单位",
    "配合单位",
    "本行单位",
    "承办责任人",
    "联络员",
    "办理时限",
    "状态",
    "红黄绿",
    "最新进展",
    "存在问题",
    "签收时间",
    "办结时间",
    "退回次数",
)
STATS = (
    "单位",
    "承办事项",
    "按期办结",
    "逾期办结",
    "逾期未办结",
    "审核退回次数",
    "平均签收用时（天）",
    "按期办结率（%）",
    "报送进展次数",
)
PLAN = (
    "任务编号",
    "任务名称",
    "分管领导",
    "牵头单位",
    "目标编号",
    "目标内容",
    "责任单位",
    "重点",
    "期限类型",
    "目标数量",
    "计量单位",
    "累计完成",
    "完成%",
    "时间进度%",
    "红黄绿",
    "当前节点",
    "完成期限",
    "督办编号",
    "状态",
)
WRAP = {"标题", "最新进展", "存在问题", "配合单位", "任务名称", "目标内容", "当前节点"}
MAX_WIDTH = 50
DATE_TEXT = "2026-11-24 10:00"  # how wide a date or time shows
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_WIDE = re.compile("[^\x00-\u2e80]")
WRAPPED = Alignment(wrap_text=True, vertical="top")  # one style object for every wrapped cell
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _width(value: object) -> int:
    """Columns a value needs: a CJK character (from U+2E81) counts double."""
    text = str(value or "")
    return len(text) + len(_WIDE.findall(text))


def _append(sheet: Worksheet, values: list[xlsx.Cell]) -> None:
    """Append a row, its texts without the characters an xlsx cannot hold."""
    sheet.append([_NOT_XML.sub("", v) if isinstance(v, str) else v for v in values])


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value).replace(tzinfo=None) if value else None


IN_PROCESS_ROWS = 2000  # below this, a thread: starting a process costs more than it saves


async def build(office: Office, found: Sequence[LedgerLine]) -> bytes:
    """The workbook for the rows `domain.queries.ledger` returned.

    The database is read here, on the event loop; the workbook is built and saved off it (a
    ledger of thousands of rows in a child process: bot.worker), so everyone else's replies
    do not wait for it.
    """
    lights = await queries.lights(office, {r.item_id for r in found})
    figures = await monthly.figures(office)
    tasks = await plan_views.every_year(office)
    heavy = len(found) >= IN_PROCESS_ROWS
    args = (found, lights, figures, tasks, office.serial_format)
    return await worker.run(workbook, *args, heavy=heavy)


def workbook(
    found: Sequence[LedgerLine],
    lights: dict[int, Light | None],
    figures: Sequence[UnitFigures],
    tasks: Sequence[TaskView],
    serial_format: str,
) -> bytes:
    """The file's bytes from what was read: no database, no event loop."""
    book, sheet = xlsx.workbook("督办台账")
    sheet.append(HEADERS)
    for r in found:
        serial = item_label(r.year, r.serial, r.item_id, r.plan_code, serial_format)
        progress = f"{r.progress}（{r.percent}%）" if r.progress else ""
        _append(
            sheet,
            [
                serial,
                r.title,
                r.source,
                r.instructing_leader,
                r.category,
                "是" if r.is_key else "",
                r.lead_unit,
                r.co_units or "",
                f"{r.unit_name}（{'牵头' if r.role == 'lead' else '配合'}）",
                " ".join(
                    x for x in (r.responsible_name, r.responsible_title, r.responsible_phone) if x
                ),
                r.liaison or "（未注册）",
                date.fromisoformat(r.deadline),
                r.status.label,
                _light(lights.get(r.item_id)),
                progress,
                r.difficulties or "",
                _when(r.signed_at),
                _when(r.closed_at),
                r.returns,
            ],
        )
    _dress(sheet, HEADERS)
    stats = book.create_sheet("单位统计")
    stats.append(STATS)
    for f in figures:
        _append(
            stats,
            [
                f.unit,
                f.assigned,
                f.closed_on_time,
                f.closed_late,
                f.overdue,
                f.returned,
                f.average_sign_days,
                f.on_time_rate,
                f.reports,
            ],
        )
    _dress(stats, STATS)
    _plan_sheet(tasks, book)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _light(light: Light | None) -> str:
    """红/黄/绿, or a dash for an item with nothing to judge (a draft, withdrawn, not begun)."""
    return str(light) if light else "—"


def _plan_sheet(tasks, book: Workbook) -> None:
    """大事要事: every target of every year with its numbers against time (if there is a plan)."""
    if not tasks:
        return
    sheet = book.create_sheet("大事要事")
    sheet.append(PLAN)
    for t in tasks:
        for g in t.targets:
            current = f"{g.current.due} {g.current.title}".strip() if g.current else ""
            _append(
                sheet,
                [
                    t.code,
                    t.title,
                    t.leader,
                    t.lead_unit,
                    g.code,
                    g.title,
                    g.unit,
                    "是" if g.is_key or t.is_key else "",
                    str(g.shape),
                    g.quantity,
                    g.measure,
                    g.reached,
                    g.percent,
                    g.elapsed,
                    str(g.light) if g.light else "未开始",
                    current,
                    g.deadline,
                    g.label,
                    g.status.label if g.status else "",
                ],
            )
    _dress(sheet, PLAN)


def _dress(sheet: Worksheet, headers: tuple[str, ...]) -> None:
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for index, title in enumerate(headers, start=1):
        letter = get_column_letter(index)
        column = sheet[letter]
        widest = max(
            _width(c.value if not isinstance(c.value, datetime | date) else "2026-11-24 10:00")
            for c in column
        )
        sheet.column_dimensions[letter].width = min(MAX_WIDTH, max(8, widest + 2))
        for cell in column[1:]:
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
                cell.data_type = "s"  # openpyxl took it for a formula
                cell.quotePrefix = True  # text even after someone edits the cell in Excel
            elif isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
            if title in WRAP:
                cell.alignment = WRAPPED


async def write(office: Office, path: Path) -> Path:
    path.write_bytes(await build(office, await queries.ledger(office, system=True)))
    return path

"""Reading the year's 大事要事 plan from the office's spreadsheet: every row checked, every
problem reported with its line and column, and the plan returned whole or not at all.

One row per 目标 (target). Task columns (任务名称, 类别, 分管领导, 牵头单位, 任务重点) are given on
a task's first row and may be left blank on its later rows; if repeated they must agree.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TypeVar, overload

from openpyxl.utils import get_column_letter

from domain import xlsx_guard
from domain.models import Category, Period
from domain.plan import cells as cell
from domain.plan.rules import Milestone, Shape

T = TypeVar("T")
MAX_ROWS = 2000  # targets
MAX_LINES = MAX_ROWS + 1000  # header, targets and blank lines: reading stops here
MAX_COLUMNS = 50  # the 17 columns, with room for the office's own notes
REQUIRED = ("任务编号", "目标编号", "目标内容", "责任单位")
TASK_COLUMNS = ("任务名称", "类别", "分管领导", "牵头单位", "任务重点")
ALL_COLUMNS = (
    "任务编号",
    "任务名称",
    "类别",
    "分管领导",
    "牵头单位",
    "任务重点",
    "目标编号",
    "目标内容",
    "责任单位",
    "目标数量",
    "计量单位",
    "期限类型",
    "开始日期",
    "完成期限",
    "节点",
    "报送周期",
    "目标重点",
)
LIMITS = {"任务名称": 100, "目标内容": 200, "分管领导": 30, "计量单位": 10}
_CODE = re.compile(r"^[A-Za-z0-9._-]{1,20}$")
Table = list[tuple[int, dict[str, tuple[str, object]]]]


@dataclass(frozen=True)
class Problem:
    line: int
    column: str
    header: str
    message: str

    def __str__(self) -> str:
        where = f"第{self.line}行" if self.line else "文件"
        if self.header:
            where += f" {self.column}列（{self.header}）" if self.column else f"（{self.header}）"
        return f"{where}：{self.message}"


class PlanError(Exception):
    """Every problem in the sheet, in reading order, so the office fixes the file in one go."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.line, p.column))
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class TaskRow:
    line: int
    code: str
    title: str
    category: Category
    leader: str
    lead_unit_id: int
    is_key: bool


@dataclass(frozen=True)
class TargetRow:
    line: int
    task_code: str
    code: str
    title: str
    unit_id: int
    quantity: Decimal | None
    measure: str
    shape: Shape
    start: date | None
    deadline: date
    milestones: tuple[Milestone, ...]
    period: Period
    is_key: bool


@dataclass(frozen=True)
class Plan:
    tasks: tuple[TaskRow, ...]
    targets: tuple[TargetRow, ...]


# ---- reading the file ------------------------------------------------------------------------


def read_table(source: Path | bytes) -> Table:
    """(line, {header: (column letter, raw value)}) for every non-empty row under the header."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    try:
        lines = xlsx_guard.read_rows(
            data, "计划表", max_lines=MAX_LINES, max_columns=MAX_COLUMNS, sheet="大事要事"
        )
    except xlsx_guard.Refused as exc:
        raise PlanError([Problem(0, "", "", str(exc))]) from None
    header = lines[0] if lines else ()
    index: dict[str, int] = {}
    for i, name in enumerate(header):
        if name is not None and str(name).strip():
            index.setdefault(str(name).strip(), i)
    missing = [h for h in REQUIRED if h not in index]
    if missing:
        raise PlanError(
            [
                Problem(
                    1,
                    "",
                    "",
                    f"表头缺少必填列：{'、'.join(missing)}（可用 duban tasks template 生成模板）",
                )
            ]
        )
    table: Table = []
    for line, values in enumerate(lines[1:], start=2):
        if not any(cell.text(v) for v in values):
            continue
        cells = {
            name: (get_column_letter(i + 1), values[i] if i < len(values) else None)
            for name, i in index.items()
        }
        table.append((line, cells))
        if len(table) > MAX_ROWS:
            raise PlanError([Problem(line, "", "", f"计划表最多{MAX_ROWS}行目标，请分批导入")])
    return table


# ---- rows ------------------------------------------------------------------------------------


class _Row:
    """One line's cells, collecting a Problem for each bad cell instead of stopping."""

    def __init__(self, line: int, cells: dict[str, tuple[str, object]], problems: list[Problem]):
        self.line, self.cells, self.problems = line, cells, problems

    def raw(self, header: str) -> object:
        return self.cells.get(header, ("", None))[1]

    def bad(self, header: str, message: str) -> None:
        column = self.cells.get(header, ("", None))[0]
        self.problems.append(Problem(self.line, column, header, message))

    @overload
    def get(self, header: str) -> str | None: ...
    @overload
    def get(self, header: str, reader: Callable[[object], T]) -> T | None: ...
    @overload
    def get(self, header: str, reader: Callable[[object], T], default: T) -> T: ...

    def get(
        self, header: str, reader: Callable[[object], object] = cell.text, default: object = None
    ) -> object:
        """The cell as `reader` reads it, or `default` (with the problem noted) if it cannot."""
        try:
            value = reader(self.raw(header))
        except cell.Bad as exc:
            self.bad(header, str(exc))
            return default
        limit = LIMITS.get(header)
        if limit and isinstance(value, str) and len(value) > limit:
            self.bad(header, f"最多{limit}字（现有{len(value)}字）")
            return default
        return value

    def code(self, header: str) -> str | None:
        value = self.get(header)
        if not value:
            self.bad(header, "必填")
            return None
        if not _CODE.match(value):
            self.bad(header, f"“{cell.short(value)}”只能由字母、数字和 - _ . 组成，最长20位")
            return None
        return value

    def unit(self, header: str, units: Mapping[str, int]) -> int | None:
        name = self.get(header)
        if not name:
            self.bad(header, "必填")
            return None
        if name not in units:
            self.bad(
                header, f"找不到单位“{cell.short(name)}”（请先用 duban units import 导入单位）"
            )
            return None
        return units[name]


def parse(table: Table, units: Mapping[str, int], year: int) -> Plan:
    """Validate every row; raise PlanError with every problem, or return the whole plan."""
    problems: list[Problem] = []
    tasks: dict[str, TaskRow] = {}
    seen: dict[str, int] = {}
    targets = []
    for line, cells in table:
        row = _Row(line, cells, problems)
        before = len(problems)
        task_code = row.code("任务编号")
        task = _task(row, task_code, tasks, units) if task_code else None
        if task is not None:
            tasks.setdefault(task.code, task)  # even if flawed: later rows must not cascade
        target = _target(row, task_code, units, year, seen)
        if target is not None and len(problems) == before:
            targets.append(target)
    if problems:
        raise PlanError(problems)
    return Plan(tuple(tasks.values()), tuple(targets))


def _task(
    row: _Row, code: str, tasks: dict[str, TaskRow], units: Mapping[str, int]
) -> TaskRow | None:
    first = tasks.get(code)
    if first is None:
        title = row.get("任务名称")
        if not cell.text(row.raw("任务名称")):
            row.bad("任务名称", f"任务“{code}”第一次出现时必须填写任务名称")
        lead = row.unit("牵头单位", units)
        found = TaskRow(
            row.line,
            code,
            title or "",
            row.get("类别", cell.category, Category.ORDER),
            row.get("分管领导") or "",
            lead or 0,
            row.get("任务重点", cell.flag, False),
        )
        return found
    given: tuple[tuple[str, object, Callable[[object], object]], ...] = (
        ("任务名称", first.title, cell.text),
        ("类别", first.category, cell.category),
        ("分管领导", first.leader, cell.text),
        ("任务重点", first.is_key, cell.flag),
    )
    for header, mine, reader in given:
        if cell.text(row.raw(header)) == "":
            continue
        if row.get(header, reader, mine) != mine:
            row.bad(header, f"与第{first.line}行（任务“{code}”）不一致；同一任务的后续行可留空")
    if cell.text(row.raw("牵头单位")) and row.unit("牵头单位", units) not in (
        None,
        first.lead_unit_id,
    ):
        row.bad("牵头单位", f"与第{first.line}行（任务“{code}”）不一致；同一任务的后续行可留空")
    return first


def _target(
    row: _Row, task_code: str | None, units: Mapping[str, int], year: int, seen: dict[str, int]
) -> TargetRow | None:
    code = row.code("目标编号")
    if code and code in seen:
        row.bad("目标编号", f"“{code}”与第{seen[code]}行重复")
    elif code:
        seen[code] = row.line
    title = row.get("目标内容")
    if not cell.text(row.raw("目标内容")):
        row.bad("目标内容", "必填")
    unit_id = row.unit("责任单位", units)
    quantity = row.get("目标数量", cell.quantity)
    measure = row.get("计量单位") or ""
    if quantity is not None and not measure:
        row.bad("计量单位", "填写了目标数量，请同时填写计量单位（如 亿元、人、公里）")
    before = len(row.problems)
    shape = row.get("期限类型", lambda v: cell.choice(v, Shape, Shape.YEARLY), Shape.YEARLY)
    start = row.get("开始日期", cell.day)
    deadline = row.get("完成期限", cell.day)
    milestones: tuple[Milestone, ...] = row.get("节点", cell.milestones, ())
    if len(row.problems) == before:  # a bad cell is reported once, not again as a bad shape
        deadline = _check_dates(row, shape, start, deadline, milestones, year)
    else:
        deadline = None
    if task_code is None or code is None or title is None or unit_id is None or deadline is None:
        return None
    return TargetRow(
        row.line,
        task_code,
        code,
        title,
        unit_id,
        quantity,
        measure if quantity is not None else "",
        shape,
        start if shape is Shape.WITHIN_YEAR else None,
        deadline,
        milestones,
        row.get("报送周期", cell.period, Period.MONTHLY),
        row.get("目标重点", cell.flag, False),
    )


def _check_dates(
    row: _Row,
    shape: Shape,
    start: date | None,
    deadline: date | None,
    milestones: tuple[Milestone, ...],
    year: int,
) -> date | None:
    """The deadline each shape implies, or None (with the problem noted)."""
    if shape is Shape.MULTI_YEAR:
        years = [m.due.year for m in milestones]
        if len(milestones) < 2 or len(set(years)) != len(years):
            row.bad(
                "节点",
                "跨年度目标须填写至少两个节点，每年一个（如 2026-12-31 完成主体；2027-12-31 建成）",
            )
            return None
        if deadline is not None and deadline != milestones[-1].due:
            row.bad("完成期限", "跨年度目标的完成期限应与最后一个节点相同（也可留空）")
            return None
        return milestones[-1].due
    if shape is Shape.YEARLY and deadline is None:
        deadline = date(year, 12, 31)
    if deadline is None:
        row.bad("完成期限", "年内目标必须填写完成期限")
        return None
    if deadline.year != year:
        row.bad("完成期限", f"{shape.value}目标的完成期限应在{year}年内（跨年的请选“跨年度”）")
        return None
    if start is not None and start >= deadline:
        row.bad("开始日期", "开始日期应早于完成期限")
        return None
    first = start or date(year, 1, 1)
    if any(not first <= m.due <= deadline for m in milestones):
        row.bad("节点", "节点日期应在开始日期与完成期限之间")
        return None
    return deadline


def load(source: Path | bytes, units: Mapping[str, int], year: int) -> Plan:
    return parse(read_table(source), units, year)

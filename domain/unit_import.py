"""Loading the office's list of units from CSV or XLSX: all rows valid, or nothing changes.

Headers may be Chinese or English (名称/name, 简称/short_name, 类型/kind, 上级单位/parent).
Re-importing updates units by name and never duplicates.
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from domain import xlsx_guard
from domain.models import UnitKind
from domain.office import Office
from storage import audit, units

HEADERS = {
    "name": {"名称", "单位名称", "单位", "name"},
    "short_name": {"简称", "short_name", "short"},
    "kind": {"类型", "单位类型", "kind", "type"},
    "parent": {"上级", "上级单位", "parent"},
}
KIND_ALIASES = {
    "部门": UnitKind.DEPARTMENT.value,
    "下级党委政府": UnitKind.LOCAL.value,
    "下级党委/政府": UnitKind.LOCAL.value,
    "下级党委、政府": UnitKind.LOCAL.value,
    "department": UnitKind.DEPARTMENT.value,
    "local": UnitKind.LOCAL.value,
}
MAX_NAME = 60
MAX_LINES = 5000  # an office has hundreds of units; reading a sheet stops here
MAX_COLUMNS = 20


class ImportError_(Exception):
    """Every bad row, by line number, so the office fixes the file in one go."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class UnitRow:
    line: int
    name: str
    short_name: str
    kind: str
    parent: str | None


def read_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """(line number, {column: text}) for every non-empty data row of a CSV or XLSX file."""
    if not path.is_file():
        raise ImportError_([f"文件不存在：{path}"])
    if path.suffix.lower() == ".xlsx":
        table = _xlsx(path)
    elif path.suffix.lower() == ".csv":
        table = _csv(path)
    else:
        raise ImportError_(["只支持 .csv 或 .xlsx 文件"])
    if not table:
        raise ImportError_(["文件是空的"])
    header = [str(c or "").strip().lower() for c in table[0]]
    columns: dict[str, int] = {}
    for key, names in HEADERS.items():
        for index, title in enumerate(header):
            if title in names:
                columns[key] = index
    if "name" not in columns or "kind" not in columns:
        raise ImportError_(["第1行：表头须包含“名称”和“类型”（可选“简称”“上级单位”）"])
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        values = {
            k: str(cells[i]).strip() if i < len(cells) and cells[i] is not None else ""
            for k, i in columns.items()
        }
        if any(values.values()):
            rows.append((number, values))
    return rows


def _csv(path: Path) -> list[Sequence[object]]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return list(csv.reader(io.StringIO(raw.decode(encoding))))
        except UnicodeDecodeError:
            continue
    raise ImportError_(["无法识别文件编码（请另存为 UTF-8 的 CSV）"])


def _xlsx(path: Path) -> list[Sequence[object]]:
    try:
        lines = xlsx_guard.read_rows(
            path.read_bytes(), "单位表", max_lines=MAX_LINES, max_columns=MAX_COLUMNS
        )
    except xlsx_guard.Refused as exc:
        raise ImportError_([str(exc)]) from None
    return [list(r) for r in lines]


def validate(rows: list[tuple[int, dict[str, str]]], known: set[str]) -> list[UnitRow]:
    problems: list[str] = []
    result: list[UnitRow] = []
    seen: dict[str, int] = {}
    names_in_file = {v.get("name", "") for _, v in rows}
    for line, values in rows:
        name, kind = values.get("name", ""), values.get("kind", "")
        parent = values.get("parent", "") or None
        if not name:
            problems.append(f"第{line}行：缺少单位名称")
            continue
        if len(name) > MAX_NAME:
            problems.append(f"第{line}行：单位名称超过{MAX_NAME}字")
        if name in seen:
            problems.append(f"第{line}行：单位“{name}”与第{seen[name]}行重复")
        seen.setdefault(name, line)
        if kind not in KIND_ALIASES:
            problems.append(f"第{line}行：类型“{kind}”无效，应为“部门”或“下级党委政府”")
        if parent and parent not in known and parent not in names_in_file:
            problems.append(f"第{line}行：上级单位“{parent}”不存在")
        if parent == name:
            problems.append(f"第{line}行：上级单位不能是自己")
        result.append(
            UnitRow(line, name, values.get("short_name", ""), KIND_ALIASES.get(kind, kind), parent)
        )
    if problems:
        raise ImportError_(problems)
    return _parents_first(result)


def _parents_first(rows: list[UnitRow]) -> list[UnitRow]:
    ordered, placed, pending = [], set(), list(rows)
    in_file = {r.name for r in rows}
    while pending:
        ready = [
            r for r in pending if not r.parent or r.parent not in in_file or r.parent in placed
        ]
        if not ready:
            raise ImportError_([f"第{r.line}行：上级单位形成循环" for r in pending])
        for r in ready:
            ordered.append(r)
            placed.add(r.name)
        pending = [r for r in pending if r not in ready]
    return ordered


async def import_units(office: Office, path: Path) -> tuple[int, int]:
    """Validate the whole file, then write it in one transaction; returns (created, updated)."""
    rows = await asyncio.to_thread(read_rows, path)  # a large sheet must not stop the bot
    async with office.db.transaction() as conn:
        valid = validate(rows, await units.names(conn))
        created, updated = await units.upsert(
            conn, [(r.name, r.short_name, r.kind, r.parent) for r in valid], office.now()
        )
        await audit.record(
            conn,
            at=office.now(),
            person_id=None,
            action="导入单位",
            file=path.name,
            created=created,
            updated=updated,
        )
    return created, updated

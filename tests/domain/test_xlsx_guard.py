"""Uploaded sheets that could hold the bot up: a false dimension, rows and cells far beyond the
caps, blank rows used to slip past them, and zip bombs — each refused in one clear line, at once.

"At once" is checked by what a bomb would cost, not by a clock (machines here are shared):
each file is read within a few MB of memory, where the dimension bomb took 71 s and the zip
bomb 42 s before, inflating what they claim.
"""

from __future__ import annotations

import tracemalloc
import zipfile
from collections.abc import Callable
from io import BytesIO
from typing import TypeVar

import pytest
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from domain import unit_import
from domain.plan.sheet import MAX_COLUMNS, MAX_LINES, PlanError, read_table
from tests.plan_sheet import sample_rows, workbook
from tests.xlsx_bombs import add_rows, blank_rows, claim, text_cell, zip_bomb

PLAN = workbook(sample_rows())
PEAK_MB = 32  # a bomb inflated would take gigabytes; reading what it really holds takes a few
T = TypeVar("T")


def frugally(read: Callable[[], T]) -> T:
    """`read()`, checked to stay within PEAK_MB of memory at its peak."""
    tracemalloc.start()
    try:
        return read()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < PEAK_MB * 2**20, f"{peak / 2**20:.0f} MB"


def refusal(data: bytes) -> str:
    """The one problem reported for `data`, read frugally."""
    with pytest.raises(PlanError) as caught:
        frugally(lambda: read_table(data))
    [problem] = caught.value.problems
    return str(problem)


def test_a_false_dimension_is_ignored_and_the_real_rows_read():
    bomb = claim(PLAN)
    assert len(bomb) < 10_000
    table = frugally(lambda: read_table(bomb))
    assert len(table) == 30 and table[-1][0] == 31
    assert max(len(cells) for _, cells in table) == 17


def test_content_at_the_far_corner_of_a_claimed_range_is_refused():
    bomb = add_rows(PLAN, text_cell("XFD60000", "x"))
    assert len(bomb) < 10_000
    assert refusal(bomb) == (
        f"文件：计划表超过{MAX_LINES}行（空行也计算在内），未读取；请删除多余的行或分批导入"
    )


def test_a_cell_beyond_the_last_column_is_refused_with_its_line():
    assert refusal(add_rows(PLAN, text_cell("XFD40", "备注"))) == (
        f"文件：第40行在AX列之后还有内容，计划表最多{MAX_COLUMNS}列；请删除多余的列"
    )


def test_blank_rows_count_towards_the_line_cap():
    """Before, blank rows were skipped before counting, so any number of them was read."""
    bomb = add_rows(PLAN, blank_rows(40, MAX_LINES + 1))
    assert "计划表超过3000行" in refusal(bomb)


def test_trailing_blank_rows_and_cells_within_the_caps_are_ignored():
    styled = blank_rows(40, MAX_LINES) + '<row r="35"><c r="XFD35" s="0"/></row>'
    table = read_table(add_rows(PLAN, styled))
    assert len(table) == 30


def test_many_styled_cells_far_to_the_right_spend_a_budget_not_minutes():
    rows = "".join(f'<row r="{r}"><c r="XFD{r}" s="0"/></row>' for r in range(40, 2040))
    assert "单元格过多" in refusal(add_rows(PLAN, rows))


def test_a_zip_bomb_is_refused_before_parsing():
    bomb = zip_bomb(PLAN, 60)
    assert len(bomb) < 1024 * 1024
    assert refusal(bomb).startswith("文件：文件解压后约60MB，超过50MB的上限，未读取")


def test_a_part_that_inflates_a_thousandfold_is_refused():
    bomb = zip_bomb(PLAN, 20)  # under 50 MB, but no sheet deflates like that
    ratios = [p.file_size / p.compress_size for p in zipfile.ZipFile(BytesIO(bomb)).infolist()]
    assert max(ratios) > 500
    assert "文件压缩比异常" in refusal(bomb)


def test_a_zip_that_is_not_a_workbook_is_refused():
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("hello.txt", "hi")
    assert refusal(out.getvalue()) == "文件：无法读取该文件，请上传 Excel（.xlsx）格式的计划表"


def test_a_units_sheet_gets_the_same_guard(tmp_path):
    path = tmp_path / "units.xlsx"
    path.write_bytes(add_rows(workbook([["住建局"]]), text_cell("XFD60000", "x")))
    with pytest.raises(unit_import.ImportError_) as caught:
        unit_import.read_rows(path)
    assert caught.value.problems == [
        f"单位表超过{unit_import.MAX_LINES}行（空行也计算在内），未读取；请删除多余的行或分批导入"
    ]


def test_a_chart_sheet_under_the_plans_name_is_refused():
    book = Workbook()
    book.active.append([1])
    chart = BarChart()
    chart.add_data(Reference(book.active, min_col=1, min_row=1, max_row=1))
    book.create_chartsheet("大事要事").add_chart(chart)
    saved = BytesIO()
    book.save(saved)
    assert refusal(saved.getvalue()) == "文件：工作表“大事要事”不是表格，无法读取"

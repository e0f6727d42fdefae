"""Reading the plan sheet: the whole plan, or every problem with its line and column."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from domain.models import Category, Period
from domain.plan.rules import Milestone, Shape
from domain.plan.sheet import PlanError, load, read_table
from tests.plan_sheet import COLUMN, HEADERS, sample_rows, set_cell, workbook

UNITS = {"住建局": 1, "交通局": 2, "环境局": 3, "甲区": 4, "市交通运输局": 2}


def problems(rows, units=UNITS, year=2026) -> list[str]:
    with pytest.raises(PlanError) as caught:
        load(workbook(rows), units, year)
    return [str(p) for p in caught.value.problems]


def test_the_sample_plan_parses_whole():
    found = load(workbook(sample_rows()), UNITS, 2026)
    assert len(found.tasks) == 8 and len(found.targets) == 30
    t01 = found.tasks[0]
    assert (t01.code, t01.title, t01.category, t01.leader, t01.lead_unit_id, t01.is_key) == (
        "T01",
        "老旧小区改造",
        Category.ORDER,
        "赵主任",
        1,
        True,
    )
    assert found.tasks[5].leader == "" and found.tasks[4].category is Category.GUIDANCE
    by_code = {t.code: t for t in found.targets}
    money = by_code["T01-02"]
    assert (money.quantity, money.measure, money.is_key) == (Decimal("10"), "亿元", True)
    assert (money.shape, money.deadline, money.period) == (
        Shape.YEARLY,
        date(2026, 12, 31),
        Period.MONTHLY,
    )
    assert by_code["T01-04"].quantity == Decimal("45.5")  # a float cell, exactly
    assert by_code["T06-01"].quantity == Decimal("2.5")
    seasonal = by_code["T03-02"]
    assert (seasonal.shape, seasonal.start, seasonal.deadline) == (
        Shape.WITHIN_YEAR,
        date(2026, 5, 1),
        date(2026, 9, 30),
    )
    road = by_code["T04-01"]
    assert road.shape is Shape.MULTI_YEAR and road.deadline == date(2027, 12, 31)
    assert road.milestones == (
        Milestone(date(2026, 12, 31), "完成主体"),
        Milestone(date(2027, 12, 31), "建成通车"),
    )
    assert by_code["T02-03"].milestones == (Milestone(date(2026, 6, 30), "上半年6场"),)
    assert by_code["T05-03"].period is Period.ONCE
    assert by_code["T03-01"].quantity is None and by_code["T03-01"].measure == ""


def test_the_five_kinds_of_bad_rows_are_all_reported():
    rows = sample_rows()
    set_cell(rows, "T01-02", "责任单位", "")
    set_cell(rows, "T02-01", "责任单位", "市不存在局")
    set_cell(rows, "T03-01", "完成期限", "2026年13月45日")
    set_cell(rows, "T05-02", "目标数量", -20)
    set_cell(rows, "T08-03", "目标编号", "T08-02")
    assert problems(rows) == [
        f"第3行 {COLUMN['责任单位']}列（责任单位）：必填",
        f"第6行 {COLUMN['责任单位']}列（责任单位）：找不到单位“市不存在局”"
        "（请先用 duban units import 导入单位）",
        f"第9行 {COLUMN['完成期限']}列（完成期限）：日期格式不对：“2026年13月45日”"
        "（请写成 2026-06-30）",
        f"第17行 {COLUMN['目标数量']}列（目标数量）：目标数量不能为负数（填的是 -20）",
        f"第30行 {COLUMN['目标编号']}列（目标编号）：“T08-02”与第29行重复",
    ]


@pytest.mark.parametrize(
    ("code", "header", "value", "expected"),
    [
        ("T02-02", "任务名称", "另一个名字", "与第6行（任务“T02”）不一致"),
        ("T02-02", "类别", "指导性", "与第6行（任务“T02”）不一致"),
        ("T02-02", "牵头单位", "环境局", "与第6行（任务“T02”）不一致"),
        ("T01-01", "类别", "参阅性", "参阅性事项不下发"),
        ("T01-01", "类别", "批示性", "不是可选值"),
        ("T01-01", "任务重点", "也许", "应填“是”或“否”"),
        ("T01-01", "计量单位", "", "请同时填写计量单位"),
        ("T01-01", "目标数量", "很多", "不是数字"),
        ("T01-01", "目标数量", 0, "须大于0"),
        ("T01-01", "目标数量", "1.23456", "最多4位小数"),
        ("T01-01", "目标编号", "T01 01", "只能由字母、数字"),
        ("T01-01", "目标内容", "长" * 201, "最多200字"),
        ("T01-01", "期限类型", "季度", "不是可选值"),
        ("T01-01", "完成期限", "2027-06-30", "应在2026年内"),
        ("T01-04", "完成期限", "", "年内目标必须填写完成期限"),
        ("T03-02", "开始日期", "2026-10-01", "开始日期应早于完成期限"),
        ("T02-03", "节点", "2026-06-30 上半年；2026-03-01 一季度", "从早到晚"),
        ("T02-03", "节点", "六月底 完成", "应写成“日期 说明”"),
        ("T04-01", "节点", "2026-06-30 一期；2026-12-31 二期", "每年一个"),
        ("T04-01", "节点", "2026-12-31 一期", "至少两个节点"),
        ("T04-01", "完成期限", "2027-06-30", "应与最后一个节点相同"),
        ("T01-01", "报送周期", "每季度", "不是可选值"),
    ],
)
def test_each_kind_of_bad_cell_is_named(code, header, value, expected):
    rows = sample_rows()
    line = next(i for i, r in enumerate(rows, start=2) if r[6] == code)
    set_cell(rows, code, header, value)
    found = problems(rows)
    assert len(found) == 1, found
    assert expected in found[0]
    assert found[0].startswith(f"第{line}行 {COLUMN[header]}列（{header}）")


def test_a_broken_first_row_does_not_cascade_onto_the_task():
    rows = sample_rows()
    set_cell(rows, "T01-01", "牵头单位", "不存在")
    assert problems(rows) == [
        f"第2行 {COLUMN['牵头单位']}列（牵头单位）：找不到单位“不存在”"
        "（请先用 duban units import 导入单位）"
    ]


def test_later_rows_may_repeat_task_fields_and_dates_may_be_typed_many_ways():
    rows = sample_rows()
    set_cell(rows, "T02-02", "任务名称", "稳就业")
    set_cell(rows, "T02-02", "牵头单位", "市交通运输局")  # the same unit by its full name
    set_cell(rows, "T01-04", "完成期限", "2026/9/30")
    set_cell(rows, "T07-03", "完成期限", "2026年5月31日")
    set_cell(rows, "T07-04", "完成期限", datetime(2026, 4, 30))
    set_cell(rows, "T02-01", "目标数量", "5,000")
    set_cell(rows, "T01-01", "任务重点", "√")
    found = {t.code: t for t in load(workbook(rows), UNITS, 2026).targets}
    assert found["T01-04"].deadline == date(2026, 9, 30)
    assert found["T07-03"].deadline == date(2026, 5, 31)
    assert found["T07-04"].deadline == date(2026, 4, 30)
    assert found["T02-01"].quantity == Decimal("5000")


def test_numeric_codes_and_float_quantities_stay_exact():
    rows = sample_rows()
    for r in rows:
        if r[0] == "T01":
            r[0] = 2026
    set_cell(rows, "T01-01", "目标数量", 10.0)
    found = load(workbook(rows), UNITS, 2026)
    assert found.tasks[0].code == "2026"
    assert found.targets[0].task_code == "2026"
    assert str(found.targets[0].quantity) == "10"


def test_not_a_workbook_and_missing_headers():
    assert problems_of(b"plain text") == ["文件：无法读取该文件，请上传 Excel（.xlsx）格式的计划表"]
    rows = [r[1:] for r in sample_rows()]
    from io import BytesIO

    from openpyxl import Workbook

    book = Workbook()
    book.active.append(HEADERS[1:])
    for r in rows:
        book.active.append(r)
    data = BytesIO()
    book.save(data)
    assert problems_of(data.getvalue()) == [
        "第1行：表头缺少必填列：任务编号（可用 duban tasks template 生成模板）"
    ]


def problems_of(data: bytes) -> list[str]:
    with pytest.raises(PlanError) as caught:
        read_table(data)
    return [str(p) for p in caught.value.problems]


def test_empty_rows_are_skipped_and_unknown_columns_ignored():
    rows = sample_rows()
    rows.insert(3, [None] * len(HEADERS))
    found = load(workbook(rows), UNITS, 2026)
    assert len(found.targets) == 30
    assert found.targets[3].line == 6  # lines are the sheet's own, blank row included

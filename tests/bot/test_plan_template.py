"""The plan template the bot hands out: it parses back cleanly with every target shape, and it
offers a dropdown for every column with fixed answers."""

from __future__ import annotations

from datetime import date

from openpyxl import load_workbook

from bot.plan_template import write_template
from domain.plan.rules import Shape
from domain.plan.sheet import ALL_COLUMNS, parse, read_table
from tests.plan_sheet import HEADERS

UNITS = {"住建局": 1, "交通局": 2, "环境局": 3, "甲区": 4, "市交通运输局": 2}  # as in the sample


def test_the_template_reparses_cleanly(tmp_path):
    path = write_template(tmp_path / "模板.xlsx", 2027)
    found = parse(read_table(path), UNITS, 2027)  # its example units are the sample list's
    assert len(found.tasks) == 4 and len(found.targets) == 5
    assert {t.shape for t in found.targets} == set(Shape)
    assert found.targets[-1].milestones[-1].due == date(2028, 12, 31)
    book = load_workbook(path)
    assert book.sheetnames == ["大事要事", "填写说明"]
    guide = [r[0] for r in book["填写说明"].iter_rows(min_row=2, values_only=True)]
    assert tuple(guide) == ALL_COLUMNS


def test_the_template_offers_dropdowns_for_every_fixed_answer(tmp_path):
    sheet = load_workbook(write_template(tmp_path / "模板.xlsx", 2027))["大事要事"]
    found = {}
    for rule in sheet.data_validations.dataValidation:
        for cells in rule.sqref.ranges:
            found[HEADERS[cells.min_col - 1]] = (rule.type, rule.formula1, cells.coord)
    assert found == {
        "类别": ("list", '"批办性,指导性"', "C2:C2001"),
        "任务重点": ("list", '"是,否"', "F2:F2001"),
        "期限类型": ("list", '"年度,年内,跨年度"', "L2:L2001"),
        "报送周期": ("list", '"每周,每两周,每月,一次性"', "P2:P2001"),
        "目标重点": ("list", '"是,否"', "Q2:Q2001"),
    }
    examples = list(sheet.iter_rows(min_row=2, values_only=True))
    for column in ("类别", "任务重点", "期限类型", "报送周期", "目标重点"):
        allowed = found[column][1].strip('"').split(",")
        assert all(r[HEADERS.index(column)] in [*allowed, None] for r in examples)

"""The sample plan sheet the office fills in (`duban tasks template`, `/import`), and the one
writer of plan sheets that tests and the demo share. Reading is `domain.plan.sheet`'s job."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from io import BytesIO
from pathlib import Path

from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from bot.xlsx import Cell, workbook
from domain.models import Category, Period
from domain.plan.rules import Shape
from domain.plan.sheet import ALL_COLUMNS, MAX_ROWS

# The columns with a fixed set of answers get a dropdown, so a typo cannot fail the import.
CHOICES = {
    "类别": (Category.ORDER, Category.GUIDANCE),
    "期限类型": tuple(Shape),
    "报送周期": tuple(Period),
    "任务重点": ("是", "否"),
    "目标重点": ("是", "否"),
}

GUIDE = (
    (
        "任务编号",
        "必填",
        "大事要事任务的编号；同一任务的各目标行填相同编号。重新导入按编号更新",
        "2026-01",
    ),
    ("任务名称", "任务首行必填", "同一任务的后续行可留空（沿用首行）", "老旧小区改造"),
    ("类别", "选填", "批办性（发督办函）或指导性（发任务书），默认批办性", "批办性"),
    ("分管领导", "选填", "分管该任务的领导姓名；该领导已注册时，目标逾期会同时提醒他", "赵主任"),
    ("牵头单位", "任务首行必填", "单位全称或简称，须已导入", "住建局"),
    ("任务重点", "选填", "是/否：整项任务列为重点", "是"),
    ("目标编号", "必填", "全表唯一；重新导入按编号更新，不会重复", "2026-01-01"),
    ("目标内容", "必填", "该目标要完成什么，200字以内", "完成老旧小区改造"),
    ("责任单位", "必填", "承担该目标的单位（全称或简称）", "住建局"),
    ("目标数量", "选填", "量化指标，大于0，最多4位小数；填报进展时要求报累计完成量", "120"),
    ("计量单位", "有数量时必填", "如 亿元、人、公里、个", "个"),
    (
        "期限类型",
        "选填",
        "年度（年底前，按季度检查）、年内（指定日期，可带开始日期）、跨年度（每年一个节点）",
        "年度",
    ),
    ("开始日期", "选填", "年内目标的开始日期：季节性目标在此之前不催报", "2026-05-01"),
    ("完成期限", "年内必填", "年度默认12月31日；跨年度为最后一个节点日期（可留空）", "2026-09-30"),
    (
        "节点",
        "跨年度必填",
        "“日期 说明”，多个用分号隔开；跨年度每年一个，办结当年节点后自动开启下一年",
        "2026-12-31 完成主体；2027-12-31 建成",
    ),
    ("报送周期", "选填", "每周、每两周、每月、一次性，默认每月", "每月"),
    ("目标重点", "选填", "是/否：单个目标列为重点", "否"),
)


def sample_rows(year: int) -> list[list[Cell]]:
    n = year + 1
    return [
        [
            "2026-01",
            "老旧小区改造",
            "批办性",
            "赵主任",
            "住建局",
            "是",
            "2026-01-01",
            "完成改造投资",
            "住建局",
            10,
            "亿元",
            "年度",
            None,
            None,
            None,
            "每月",
            "是",
        ],
        [
            "2026-01",
            None,
            None,
            None,
            None,
            None,
            "2026-01-02",
            "加装电梯",
            "甲区",
            300,
            "部",
            "年度",
            None,
            None,
            f"{year}-06-30 完成150部",
            "每月",
            None,
        ],
        [
            "2026-02",
            "蓝天保卫战",
            "指导性",
            "钱副市长",
            "环境局",
            "否",
            "2026-02-01",
            "新建空气质量监测站",
            "环境局",
            20,
            "个",
            "年度",
            None,
            None,
            None,
            "每月",
            None,
        ],
        [
            "2026-03",
            "高标准农田建设",
            "批办性",
            "",
            "甲区",
            "否",
            "2026-03-01",
            "春播前完成农田整治",
            "甲区",
            2.5,
            "万亩",
            "年内",
            f"{year}-03-01",
            f"{year}-05-31",
            None,
            "每两周",
            None,
        ],
        [
            "2026-04",
            "城市快速路",
            "批办性",
            "孙副市长",
            "交通局",
            "是",
            "2026-04-01",
            "快速路一期",
            "交通局",
            30,
            "亿元",
            "跨年度",
            None,
            None,
            f"{year}-12-31 完成主体工程；{n}-12-31 建成通车",
            "每月",
            None,
        ],
    ]


def to_xlsx(rows: Iterable[Sequence[Cell]], sheet_name: str = "大事要事") -> bytes:
    """A plan sheet with the standard header row (for tests, the demo and the template)."""
    book, sheet = workbook(sheet_name)
    sheet.append(list(ALL_COLUMNS))
    for row in rows:
        sheet.append(list(row))
    data = BytesIO()
    book.save(data)
    return data.getvalue()


def add_dropdowns(sheet: Worksheet) -> None:
    """A list validation on every row the importer reads; a value outside it is refused by
    Excel and WPS with the allowed answers named (a blank cell keeps the default)."""
    for name, values in CHOICES.items():
        allowed = "、".join(values)
        rule = DataValidation(
            type="list",
            formula1='"' + ",".join(values) + '"',
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=name,
            error=f"请从下拉列表中选择：{allowed}",
            showInputMessage=True,
            promptTitle=name,
            prompt=f"请选择：{allowed}",
        )
        letter = get_column_letter(ALL_COLUMNS.index(name) + 1)
        rule.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
        sheet.add_data_validation(rule)


def write_template(path: Path, year: int) -> Path:
    """The sheet the office fills in, with examples of the three deadline shapes, and a
    second sheet explaining every column."""
    book, sheet = workbook("大事要事")
    sheet.append(list(ALL_COLUMNS))
    for row in sample_rows(year):
        sheet.append([v.replace("2026-", f"{year}-") if isinstance(v, str) else v for v in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    add_dropdowns(sheet)
    wide = {
        "任务名称": 18,
        "目标内容": 24,
        "节点": 40,
        "期限类型": 10,
        "开始日期": 12,
        "完成期限": 12,
    }
    for i, name in enumerate(ALL_COLUMNS):
        sheet.column_dimensions[get_column_letter(i + 1)].width = wide.get(name, 12)
    guide = book.create_sheet("填写说明")
    guide.append(["列名", "是否必填", "说明", "示例"])
    for line in GUIDE:
        guide.append(list(line))
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCD", (12, 14, 70, 36), strict=True):
        guide.column_dimensions[letter].width = width
    for row in guide.iter_rows(min_row=2):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path

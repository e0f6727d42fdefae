"""The plan template's example units are units of the README's sample list, so a new office
that imports both sees the sample plan import without an error."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from bot import plan_template

README = Path(__file__).parents[1] / "README.md"


def sample_units() -> set[str]:
    block = re.search(r"```csv\n(名称,简称.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert block, "README has no sample unit list"
    rows = list(csv.DictReader(io.StringIO(block.group(1))))
    return {r["名称"] for r in rows} | {r["简称"] for r in rows if r["简称"]}


def test_the_plan_templates_units_are_in_the_readmes_sample_list(tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "plan.xlsx"
    plan_template.write_template(path, 2026)
    sheet = load_workbook(path).worksheets[0]
    headers = [c.value for c in sheet[1]]
    columns = [headers.index(h) for h in ("牵头单位", "责任单位")]
    named = {
        row[i] for row in sheet.iter_rows(min_row=2, values_only=True) for i in columns if row[i]
    }
    assert named and named <= sample_units(), named - sample_units()

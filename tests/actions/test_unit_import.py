"""The office's list of units comes from a CSV or Excel file: every row valid, or nothing
changes. Re-importing updates units by name and never duplicates them."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from domain import unit_import
from domain.unit_import import ImportError_

HEADER = "名称,简称,类型,上级单位"
GOOD = [
    "市住房和城乡建设局,住建局,部门,",
    "甲区委,甲区,下级党委政府,",
    "甲区住建局,,部门,甲区委",
]


def write_csv(path: Path, lines: list[str], encoding: str = "utf-8-sig") -> Path:
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


async def table(office) -> list[tuple]:
    async with office.db.read() as conn:
        rows = await conn.all(
            "SELECT u.name, u.short_name, u.kind, p.name FROM units u"
            " LEFT JOIN units p ON p.id = u.parent_id ORDER BY u.name"
        )
    return [tuple(r) for r in rows]


EXPECTED = [
    ("市住房和城乡建设局", "住建局", "部门", None),
    ("甲区住建局", "", "部门", "甲区委"),
    ("甲区委", "甲区", "下级党委政府", None),
]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
async def test_a_csv_in_any_usual_encoding(office, tmp_path, encoding):
    path = write_csv(tmp_path / "units.csv", [HEADER, *GOOD], encoding)
    assert await unit_import.import_units(office, path) == (3, 0)
    assert await table(office) == EXPECTED


async def test_an_excel_file(office, tmp_path):
    path = write_xlsx(
        tmp_path / "units.xlsx",
        [
            ["名称", "简称", "类型", "上级单位"],
            ["市住房和城乡建设局", "住建局", "部门", None],
            ["甲区委", "甲区", "下级党委政府", None],
            [None, None, None, None],  # a blank row in the middle is skipped
            ["甲区住建局", None, "部门", "甲区委"],
        ],
    )
    assert await unit_import.import_units(office, path) == (3, 0)
    assert await table(office) == EXPECTED


async def test_english_headers_and_kind_aliases(office, tmp_path):
    path = write_csv(
        tmp_path / "units.csv",
        [
            "Name,Short_Name,Kind,Parent",
            "市交通运输局,交通局,department,",
            "乙县委,,下级党委/政府,",
        ],
    )
    assert await unit_import.import_units(office, path) == (2, 0)
    assert await table(office) == [
        ("乙县委", "", "下级党委政府", None),
        ("市交通运输局", "交通局", "部门", None),
    ]


async def test_reimporting_updates_by_name_and_never_duplicates(office, tmp_path):
    await unit_import.import_units(office, write_csv(tmp_path / "a.csv", [HEADER, *GOOD]))
    async with office.db.read() as conn:
        ids_before = {r["name"]: r["id"] for r in await conn.all("SELECT id, name FROM units")}

    # the same file again: nothing new, nothing changed
    again = write_csv(tmp_path / "b.csv", [HEADER, *GOOD])
    assert await unit_import.import_units(office, again) == (0, 0)

    # a corrected file: a new short name, a new unit
    corrected = write_csv(
        tmp_path / "c.csv",
        [
            HEADER,
            "市住房和城乡建设局,市住建局,部门,",
            "甲区委,甲区,下级党委政府,",
            "市交通运输局,,部门,",
        ],
    )
    assert await unit_import.import_units(office, corrected) == (1, 1)
    async with office.db.read() as conn:
        ids_after = {r["name"]: r["id"] for r in await conn.all("SELECT id, name FROM units")}
        assert await conn.scalar("SELECT count(*) FROM units") == 4
    assert {k: ids_after[k] for k in ids_before} == ids_before  # same rows, same ids
    assert ("市住房和城乡建设局", "市住建局", "部门", None) in await table(office)


async def test_a_parent_may_come_later_in_the_file(office, tmp_path):
    path = write_csv(
        tmp_path / "units.csv",
        [HEADER, "甲区住建局,,部门,甲区委", "甲区委,甲区,下级党委政府,"],
    )
    assert await unit_import.import_units(office, path) == (2, 0)
    assert ("甲区住建局", "", "部门", "甲区委") in await table(office)


async def test_a_parent_may_already_be_in_the_database(office, tmp_path):
    await unit_import.import_units(office, write_csv(tmp_path / "a.csv", [HEADER, *GOOD[:2]]))
    more = write_csv(tmp_path / "b.csv", [HEADER, "甲区交通局,,部门,甲区委"])
    assert await unit_import.import_units(office, more) == (1, 0)
    assert ("甲区交通局", "", "部门", "甲区委") in await table(office)


async def test_every_bad_row_is_listed_by_line_and_nothing_is_written(office, tmp_path):
    await unit_import.import_units(office, write_csv(tmp_path / "ok.csv", [HEADER, GOOD[0]]))
    before = await table(office)
    async with office.db.read() as conn:
        audit_before = await conn.scalar("SELECT count(*) FROM audit")

    path = write_csv(
        tmp_path / "bad.csv",
        [
            HEADER,
            "市交通运输局,交通局,部门,",  # line 2: fine, but must not be written either
            ",无名,部门,",  # line 3: no name
            "市生态环境局,环境局,局,",  # line 4: bad kind
            "丙镇党委,,下级党委政府,不存在的县",  # line 5: unknown parent
            "市交通运输局,交通,部门,",  # line 6: duplicate of line 2
        ],
    )
    with pytest.raises(ImportError_) as caught:
        await unit_import.import_units(office, path)

    problems = caught.value.problems
    assert len(problems) == 4
    assert problems[0].startswith("第3行") and "名称" in problems[0]
    assert problems[1].startswith("第4行") and "“局”" in problems[1]
    assert problems[2].startswith("第5行") and "不存在的县" in problems[2]
    assert problems[3].startswith("第6行") and "第2行" in problems[3]
    assert str(caught.value) == "\n".join(problems)

    assert await table(office) == before
    async with office.db.read() as conn:
        assert await conn.scalar("SELECT count(*) FROM audit") == audit_before


async def test_a_unit_cannot_be_its_own_parent_and_cycles_are_refused(office, tmp_path):
    own = write_csv(tmp_path / "own.csv", [HEADER, "甲区委,,下级党委政府,甲区委"])
    with pytest.raises(ImportError_, match="第2行：上级单位不能是自己"):
        await unit_import.import_units(office, own)

    cycle = write_csv(tmp_path / "cycle.csv", [HEADER, "甲,,部门,乙", "乙,,部门,甲"])
    with pytest.raises(ImportError_) as caught:
        await unit_import.import_units(office, cycle)
    assert caught.value.problems == ["第2行：上级单位形成循环", "第3行：上级单位形成循环"]
    assert await table(office) == []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("units.txt", b"whatever", "只支持 .csv 或 .xlsx 文件"),
        ("empty.csv", b"", "文件是空的"),
        ("noheader.csv", "单位,简称\n甲,乙\n".encode(), "表头须包含"),
        ("broken.xlsx", b"PK\x03\x04 not really a workbook", "无法读取该文件"),
    ],
)
async def test_unreadable_files_are_refused_with_a_reason(office, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ImportError_, match=message):
        await unit_import.import_units(office, path)
    assert await table(office) == []


async def test_a_missing_file_is_named(office, tmp_path):
    with pytest.raises(ImportError_, match="文件不存在"):
        await unit_import.import_units(office, tmp_path / "nowhere.xlsx")


async def test_an_import_is_audited(office, tmp_path):
    await unit_import.import_units(office, write_csv(tmp_path / "units.csv", [HEADER, *GOOD]))
    async with office.db.read() as conn:
        row = await conn.one("SELECT action, detail FROM audit")
    assert row["action"] == "导入单位"
    assert '"created": 3' in row["detail"] and '"file": "units.csv"' in row["detail"]

"""What people type reaches the exported 台账 as text: never a live formula, and never a
character that makes the workbook impossible to write."""

from __future__ import annotations

import zipfile
from io import BytesIO

from openpyxl import load_workbook

from tests.e2e.steps import answer, fill_new_item

TITLE = '=HYPERLINK("http://x","y")'


async def _item_with_hostile_texts(staffed) -> None:
    sup, leader, zj = staffed["sup"], staffed["leader"], staffed["zj"]
    await fill_new_item(sup, title=TITLE + "\x0b报告")
    await sup.press("提交")
    await leader.expect("请审定督办函")
    await leader.press("同意下发")
    await zj.expect("督 办 函")
    await zj.press("签收")
    await zj.expect("已签收")
    await zj.send("/report")
    await zj.expect("第1步/共5步")
    await answer(
        zj,
        ("send", "+完成一半", "完成进度"),
        ("send", "50%", "困难和问题"),
        ("send", "@张三 资金缺口\x0b较大", "下步打算"),
        ("send", "-月底前完成", "附件"),
        ("press", "完成", "请核对"),
        ("press", "提交", "已报送进展"),
    )


async def test_formulas_and_control_characters_export_as_plain_text(office, staffed):
    sup = staffed["sup"]
    await _item_with_hostile_texts(staffed)
    await sup.send("/export")
    message = await sup.expect("督办台账")
    data = message.document_bytes
    sheet = load_workbook(BytesIO(data))["督办台账"]
    header = [c.value for c in sheet[1]]
    lead = {h: c for h, c in zip(header, sheet[2], strict=True)}
    assert lead["标题"].value == TITLE + "报告"  # the vertical tab dropped, the rest kept
    assert lead["最新进展"].value == "+完成一半（50%）"
    assert lead["存在问题"].value == "@张三 资金缺口较大"
    for title in ("标题", "最新进展", "存在问题"):
        assert lead[title].data_type == "s" and lead[title].quotePrefix
    assert lead["来源"].quotePrefix is False  # ordinary text is left as it was
    xml = zipfile.ZipFile(BytesIO(data)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in xml and b"HYPERLINK" in xml

"""The 台账 exported as XLSX, read back with openpyxl."""

from __future__ import annotations

from io import BytesIO

from openpyxl import load_workbook

from tests.e2e.steps import signed_item


async def test_export_sends_the_ledger(office, staffed):
    sup, zj = staffed["sup"], staffed["zj"]
    await signed_item(office, staffed)
    await sup.send("/export")
    message = await sup.expect("督办台账")
    assert message.document["file_name"].startswith("督办台账_2026")
    book = load_workbook(BytesIO(message.document_bytes))
    sheet = book["督办台账"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:3] == ("督办编号", "标题", "来源") and "红黄绿" in header
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    lead = dict(zip(header, rows[1], strict=True))
    assert lead["督办编号"] == "督办〔2026〕1号" and lead["重点"] == "是"
    assert lead["本行单位"] == "市住房和城乡建设局（牵头）" and lead["配合单位"] == "市交通运输局"
    assert lead["签收时间"] is not None and lead["联络员"].startswith("市住房联络员")
    assert len(rows) == 3  # one row per item and unit
    stats = list(book["单位统计"].iter_rows(values_only=True))
    assert stats[0][0] == "单位" and len(stats) == 3
    await zj.send("/export")
    await zj.expect("仅限督查员、领导使用")

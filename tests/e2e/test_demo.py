"""`duban demo` runs the whole month and leaves its records behind."""

from __future__ import annotations

import logging
import os
import re
import sqlite3

import pytest
from docx import Document
from matplotlib import image
from openpyxl import load_workbook

from bot import browser, demo
from domain.items import Status


@pytest.mark.slow
async def test_demo_plays_the_month(tmp_path, capsys):
    await demo.run(tmp_path)
    transcript = capsys.readouterr().out
    for line in (
        "督查员王明 ▸ /new",
        "赵书记 ▸ [同意下发]",
        "住建局联络员李华 ▸ [签收]",
        "已退回补充",
        "已通过办结",
    ):
        assert line in transcript, line
    db = sqlite3.connect(tmp_path / "duban.db")
    statuses = dict(db.execute("SELECT title, status FROM items"))
    assert statuses["关于加快老旧小区改造的批示"] == Status.CLOSED
    revisits = [r[0] for r in db.execute("SELECT state FROM revisits ORDER BY due_on")]
    assert revisits == ["done", "scheduled"]
    weekly = db.execute("SELECT count(*) FROM outbox WHERE rule = 'weekly' AND state = 'sent'")
    assert weekly.fetchone()[0] >= 4
    assert "已确认回访完成" in transcript and "督办工作周调度" in transcript
    assert "2026年11月督办工作通报" in transcript
    ledger = load_workbook(tmp_path / "督办台账.xlsx")
    assert ledger["督办台账"].max_row == 10 and ledger["单位统计"].max_row == 6
    letter = Document(tmp_path / "督办函_督办〔2026〕1号.docx")
    assert [p.text for p in letter.paragraphs[:2]] == ["市委督查室", "督办〔2026〕1号"]
    plan = dict(db.execute("SELECT plan_code, status FROM items WHERE plan_code IS NOT NULL"))
    assert len(plan) == 5 and plan["D01-01"] == Status.IN_PROGRESS
    assert "计划已导入" in transcript and "累计完成：3.5亿元（目标10亿元，完成35%）" in transcript
    assert "赵书记：分管目标逾期" in transcript  # D01-02 overdue, told to its 分管领导
    chart = image.imread(tmp_path / "月度通报图表.png")
    assert chart.shape[1] == 1080 and chart.shape[0] >= 400  # phone-width PNG
    assert "督查员王明 ▸ /web" in transcript
    link = (tmp_path / demo.LINK_FILE).read_text(encoding="utf-8")
    assert "DUBAN_WEB_PORT=8080 duban web" in link and "http://127.0.0.1:8080/login/" in link
    shots = [tmp_path / f"网页台账_{width}.png" for width in ("phone", "desktop")]
    if browser.executable() or os.environ.get("CI"):  # the month's 台账 as Chromium shows it
        assert [image.imread(shot).shape[1] for shot in shots] == [390, 1440]
    else:
        assert "未生成网页台账截图：未找到 Chromium" in transcript


def _dates(transcript: str) -> list[tuple[int, int]]:
    """The (month, day) of every section header and every line someone types, in order."""
    found = []
    for line in transcript.splitlines():
        if line.startswith("——"):
            found += [(int(m), int(d)) for m, d in re.findall(r"(\d+)月(\d+)日", line)]
        elif said := re.match(r"(\d\d)-(\d\d) \d\d:\d\d ", line):
            found.append((int(said[1]), int(said[2])))
    return found


@pytest.mark.slow
async def test_the_demo_runs_again_in_the_same_folder_in_date_order(tmp_path, capsys, caplog):
    (tmp_path / "duban.db").write_bytes(b"")  # a folder some older demo left behind
    (tmp_path / "单位名单.csv").write_text("名称\n", encoding="utf-8")
    (tmp_path / "attachments").mkdir()
    await demo.run(tmp_path)
    first = capsys.readouterr().out
    assert "是上次演示留下的，已清空，重新开始" in first
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    await demo.run(tmp_path)
    again = capsys.readouterr().out
    assert "是上次演示留下的，已清空，重新开始" in again
    assert "督查员王明 ▸ /new" in again and "已确认回访完成" in again
    dates = _dates(again)
    assert len(dates) > 40 and dates == sorted(dates)
    assert (11, 2) in dates and (12, 1) in dates


def test_the_demo_will_not_empty_a_folder_it_did_not_write(tmp_path):
    (tmp_path / "论文.docx").write_bytes(b"mine")
    with pytest.raises(demo.FolderInUse):
        demo.prepare(tmp_path)
    assert (tmp_path / "论文.docx").read_bytes() == b"mine"

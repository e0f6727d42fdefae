"""Hostile spreadsheets sent to /import: refused in one clear line, nothing imported, and the
sheet read in a worker thread so every other chat is answered while it is read."""

from __future__ import annotations

import threading

from domain.plan import sheet as plan_sheet
from tests.plan_sheet import sample_rows, workbook
from tests.xlsx_bombs import add_rows, text_cell, zip_bomb

PLAN = workbook(sample_rows())


async def test_a_dimension_bomb_and_a_zip_bomb_are_refused_in_the_chat(office, staffed):
    sup = staffed["sup"]
    await sup.send("/import")
    await sup.expect("导入大事要事计划")
    await sup.send_document(add_rows(PLAN, text_cell("XFD60000", "x")), "计划.xlsx")
    refused = await sup.expect("未导入任何内容")
    assert "计划表超过3000行（空行也计算在内），未读取" in refused.text
    sup.mark()
    await sup.send_document(zip_bomb(PLAN, 60), "计划2.xlsx")
    refused = await sup.expect("未导入任何内容")
    assert "文件解压后约60MB，超过50MB的上限，未读取" in refused.text
    assert await office.scalar("SELECT count(*) FROM plan_tasks") == 0


async def test_others_are_answered_while_a_sheet_is_read(office, staffed, monkeypatch):
    """The read is held open until the leader has had an answer: if it ran on the event loop,
    holding it would stop the leader's answer too, and the hold would run out instead."""
    sup, leader = staffed["sup"], staffed["leader"]
    reading, release, released = threading.Event(), threading.Event(), []
    real_load = plan_sheet.load

    def held_load(*args):
        reading.set()
        released.append(release.wait(20))
        return real_load(*args)

    monkeypatch.setattr(plan_sheet, "load", held_load)
    await sup.send("/import")
    await sup.expect("导入大事要事计划")
    sup.mark()
    await sup.send_document(add_rows(PLAN, text_cell("XFD60000", "x")), "计划.xlsx")
    await office.emu.wait_until(reading.is_set, 10)
    await leader.send("/plan")
    await leader.expect("还没有导入大事要事计划")
    release.set()
    await sup.expect("计划表超过3000行")
    assert released == [True]

"""The whole first slice of the chain: invited → registered → 立项 → 审定 → 下发 → 签收."""

from __future__ import annotations

from domain.items import Status
from domain.workdays import WorkdayCalendar
from tests.e2e.steps import fill_new_item


async def test_item_goes_from_new_to_signed(office, staffed):
    sup, leader, zj, jt = (staffed[k] for k in ("sup", "leader", "zj", "jt"))

    await fill_new_item(sup)
    preview = sup.last
    assert "市交通运输局" in preview.text and "重点事项：是" in preview.text
    expected = WorkdayCalendar().add_workdays(office.clock.today(), 15)
    assert f"{expected.year}年{expected.month}月{expected.day}日" in preview.text
    await sup.press("提交")
    await sup.expect("已提交审定")
    assert await office.scalar("SELECT status FROM items") == Status.PENDING_APPROVAL

    card = await leader.expect("请审定督办函")
    assert "王书记" in card.text and "审定" in card.text
    await leader.press("同意下发")
    done = await leader.expect("已审定同意")
    assert "督办〔2026〕1号" in done.text
    await sup.expect("已审定同意")

    letter = await zj.expect("督 办 函")
    assert "督办〔2026〕1号" in letter.text
    assert "市住房和城乡建设局" in letter.text and "牵头办理" in letter.text
    assert letter.button_texts == ["签收"]
    await jt.expect("督 办 函")

    await zj.press("签收")
    await zj.expect("已签收")
    assert await office.scalar("SELECT status FROM items") == Status.IN_PROGRESS
    await sup.expect("已签收")
    await zj.press("现在填写承办责任人")
    await zj.expect("姓名")
    await zj.send("李四")
    await zj.expect("职务")
    await zj.send("城建科科长")
    await zj.expect("电话")
    await zj.send("010-66668888")
    await zj.expect("已报送承办责任人")

    await jt.press("签收")
    await jt.expect("已签收")
    await jt.send("/responsible")
    await jt.expect("姓名")
    await jt.send("周五")
    await jt.expect("职务")
    await jt.send("规划科科长")
    await jt.expect("电话")
    await jt.send("13912345678")
    await jt.expect("已报送承办责任人")

    units = await office.rows(
        "SELECT u.name, iu.signed_at, iu.responsible_name FROM item_units iu"
        " JOIN units u ON u.id = iu.unit_id ORDER BY iu.role = 'lead' DESC"
    )
    assert [(u["name"], u["responsible_name"]) for u in units] == [
        ("市住房和城乡建设局", "李四"),
        ("市交通运输局", "周五"),
    ]
    assert all(u["signed_at"] for u in units)

    await sup.send("/item 1")
    record = await sup.expect("办理过程")
    for step in ("立项", "审定同意", "签收", "报送承办责任人"):
        assert step in record.text
    assert "李四（城建科科长，010-66668888）" in record.text

    await zj.send("/mytasks")
    tasks = await zj.expect("本单位督办事项")
    assert "督办〔2026〕1号" in tasks.text and "按期报送进展" in tasks.text


async def test_reference_item_is_recorded_without_letter(office, staffed):
    sup, leader = staffed["sup"], staffed["leader"]
    await fill_new_item(sup, category="参阅性", co=())
    assert "仅登记备查" in sup.last.text
    await sup.press("提交")
    await sup.expect("已登记参阅性事项")
    await leader.settle()
    assert not [m for m in leader.inbox if "请审定" in m.text]
    assert await office.scalar("SELECT status FROM items") == Status.RECORDED


async def test_returned_letter_is_revised_and_resubmitted(office, staffed):
    sup, leader, zj = staffed["sup"], staffed["leader"], staffed["zj"]
    await fill_new_item(sup)
    await sup.press("提交")
    await leader.expect("请审定督办函")
    await leader.press("退回修改")
    await leader.expect("退回修改的理由")
    await leader.send("请写明具体完成标准")
    await leader.expect("已退回修改")
    note = await sup.expect("督办函被退回修改")
    assert "请写明具体完成标准" in note.text
    await sup.press("修改后重新提交")
    await sup.expect("退回意见：请写明具体完成标准")
    await sup.press("修改")
    await sup.expect("请选择要修改的项目")
    await sup.press("批示内容")
    await sup.expect("批示内容")
    await sup.send("请住建局牵头，年底前完成120个小区改造。")
    await sup.expect("120个小区")
    await sup.press("提交")
    await sup.expect("已提交审定")
    card = await leader.expect("已按退回意见修改")
    assert "120个小区" in card.text
    await leader.press("同意下发")
    await zj.expect("督 办 函")
    assert await office.scalar("SELECT count(*) FROM items") == 1
    assert await office.scalar("SELECT serial FROM items") == 1

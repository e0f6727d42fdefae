"""The paths a busy office takes that a one-item test never does: a liaison with several items
picks which one a command is about, a supervisor picks the unit to invite, a reason prompt is
cancelled or overtaken, and a failure inside a handler still gets the user a polite answer."""

from __future__ import annotations

from domain.items import Status
from tests.e2e.steps import approved_item, fill_new_item


async def two_signed_items(office, staffed) -> None:
    zj = staffed["zj"]
    for _ in range(2):
        for user in (staffed["leader"], zj):  # wait for new messages, not the first's edits
            user.mark()
        await approved_item(office, staffed, co=())
        await zj.press("签收")
        await zj.expect("已签收")


async def test_a_liaison_with_two_items_picks_one_for_each_form(office, staffed):
    zj = staffed["zj"]
    await two_signed_items(office, staffed)
    for command, prompt, then in (
        ("/report", "请选择要报送进展的事项", "第1步/共5步"),
        ("/responsible", "请选择要报送承办责任人的事项", "姓名"),
        ("/extend", "请选择要申请延期的事项", "新的办理时限"),
    ):
        await zj.send(command)
        picker = await zj.expect(prompt)
        assert [b.split()[0] for b in picker.button_texts] == ["督办〔2026〕1号", "督办〔2026〕2号"]
        await zj.press(picker.button_texts[1], message=picker)
        await zj.expect(then)
        assert any("督办〔2026〕2号" in m.text for m in zj.inbox[-2:])  # the one picked
        await zj.send("/cancel")
        await zj.expect("已取消")


async def test_a_completion_picked_among_two_carries_its_evidence_file(office, staffed):
    zj, sup = staffed["zj"], staffed["sup"]
    await two_signed_items(office, staffed)
    await zj.send("/complete")
    picker = await zj.expect("请选择要申请办结的事项")
    await zj.press(picker.button_texts[0], message=picker)
    await zj.expect("第1步/共2步")
    await zj.send("改造全部完工，验收合格。")
    await zj.expect("第2步/共2步")
    await zj.send_document(b"%PDF-1.4 acceptance", "验收报告.pdf")
    await zj.expect("验收报告.pdf")
    await zj.press("完成")
    preview = await zj.expect("请核对办结报告")
    assert "附件：验收报告.pdf" in preview.text
    await zj.press("提交")
    await zj.expect("已提交办结报告（第1次）")
    card = await sup.expect("办结审核")
    assert "督办〔2026〕1号" in card.text
    stored = await office.scalar(
        "SELECT count(*) FROM attachments a JOIN reports r ON r.id = a.report_id"
        " WHERE r.kind = 'completion' AND r.item_id = 1"
    )
    assert stored == 1


async def test_invite_without_a_unit_offers_the_units(office, staffed):
    sup = staffed["sup"]
    await sup.send("/invite")
    picker = await sup.expect("请选择要邀请联络员的单位")
    assert picker.button_texts[:2] == ["住建局", "交通局"]  # short names fit a phone
    await sup.press("环境局", message=picker)
    await sup.expect("请选择邀请的身份")
    await sup.send("/invite 局")
    narrowed = await sup.expect("请选择要邀请联络员的单位（含“局”）")
    assert all("局" in b for b in narrowed.button_texts if "页" not in b)


async def test_a_long_unit_list_turns_its_page_in_place(office, staffed):
    streets = "".join(f"第{n}街道办事处,{n}街道,下级党委政府,\n" for n in range(1, 9))
    await office.import_units("名称,简称,类型,上级单位\n" + streets)  # 12 units: two pages
    sup = staffed["sup"]
    await sup.send("/invite")
    picker = await sup.expect("请选择要邀请联络员的单位")
    assert "住建局" in picker.button_texts and "1/2" in picker.button_texts
    press = await sup.press("下一页 ▶", message=picker)
    turned = await sup.expect(lambda m: "2/2" in m.button_texts)
    assert turned.message_id == picker.message_id  # the same message, not a new one
    assert "住建局" not in turned.button_texts and "◀ 上一页" in turned.button_texts
    assert (await press.answered()).answer == ""


async def test_a_failure_inside_a_handler_gets_a_polite_answer_and_the_bot_goes_on(office, staffed):
    sup = staffed["sup"]
    async with office.db.transaction() as conn:  # as if the database file were damaged
        await conn.execute("ALTER TABLE units RENAME TO units_lost")
    await sup.send("/units")
    answer = await sup.expect("抱歉，处理时出现问题")
    assert "units_lost" not in answer.text and "sqlite" not in answer.text.lower()
    async with office.db.transaction() as conn:
        await conn.execute("ALTER TABLE units_lost RENAME TO units")
    await sup.send("/units")
    await sup.expect("注册情况")


async def test_a_reason_prompt_can_be_cancelled_or_overtaken(office, staffed):
    sup, leader = staffed["sup"], staffed["leader"]
    await fill_new_item(sup, co=())
    await sup.press("提交")
    card = await leader.expect("请审定督办函")
    await leader.press("退回修改", message=card)
    await leader.expect("请输入退回修改的理由")
    await leader.send("/cancel")
    await leader.expect("已取消")
    assert await office.scalar("SELECT status FROM items") == Status.PENDING_APPROVAL

    # asked for a reason, the leader approves on the same card instead, then types it
    await leader.press("退回修改", message=card)
    await leader.expect("请输入退回修改的理由")
    await leader.press("同意下发", message=card)
    await leader.expect("已审定同意")
    await leader.send("标题有误")
    await leader.expect("不能执行“退回修改”")
    assert await office.scalar("SELECT status FROM items") == Status.AWAITING_SIGN
    returned = await office.scalar("SELECT count(*) FROM audit WHERE action = '退回修改'")
    assert returned == 0

"""People come and go: a handover tells the replaced liaison, a supervisor deactivates a
liaison who left (from /units, with a reason), and only the 督查室 marks reports read."""

from __future__ import annotations

from domain import progress
from tests.e2e.conftest import invite_liaison
from tests.e2e.steps import answer, signed_item


async def test_handover_tells_the_replaced_liaison(office, staffed, emu):
    code = await invite_liaison(office, staffed["sup"], "市住房和城乡建设局")
    await office.register(emu.user(303, "新住建联络员"), code, "李新", title="办公室主任")
    told = await staffed["zj"].expect("您的联络员身份")
    assert "您的联络员身份（市住房和城乡建设局主联络员）已移交给李新（办公室主任）" in told.text
    assert "/mytasks" not in told.text
    rows = await office.rows("SELECT rule FROM outbox WHERE person_id = 3")
    assert [r["rule"] for r in rows] == ["liaison_replaced"]


async def test_supervisor_deactivates_a_liaison_from_units(office, staffed):
    sup, zj = staffed["sup"], staffed["zj"]
    await sup.send("/units")
    await sup.expect("各单位联络员注册情况")
    await sup.press("停用联络员")
    picker = await sup.expect("请选择要停用的联络员")
    assert picker.button_texts == [
        "住建局主联络员 市住房联络员",
        "交通局主联络员 市交通联络员",
    ]
    await sup.press("住建局主联络员 市住房联络员")
    await sup.expect("请输入停用住建局主联络员 市住房联络员的理由")
    await sup.send("调往区里工作")
    done = await sup.expect("已停用")
    assert "市住房和城乡建设局现在没有联络员" in done.text
    assert "/invite 市住房和城乡建设局" in done.text

    told = await zj.expect("督查室已停用您的市住房和城乡建设局主联络员身份")
    assert "调往区里工作" in told.text
    audit = await office.rows(
        "SELECT person_id, unit_id, detail FROM audit WHERE action = '停用联络员'"
    )
    assert len(audit) == 1 and audit[0]["person_id"] == 1 and audit[0]["unit_id"] == 1
    assert "调往区里工作" in audit[0]["detail"]
    assert await office.scalar("SELECT active FROM people WHERE name = '市住房联络员'") == 0

    sup.mark()
    await sup.send("/units")
    listing = await sup.expect("各单位联络员注册情况")
    assert "❗ 市住房和城乡建设局：无主联络员" in listing.text
    assert "市住房联络员" not in listing.text
    again = await sup.press("住建局主联络员 市住房联络员", message=picker)
    await again.answered()
    assert "已停用或已由新联络员接替" in again.answer
    zj.mark()
    await zj.send("/mytasks")
    await zj.expect("请联系督查室获取邀请链接")


async def test_only_a_supervisor_deactivates(office, staffed):
    leader = staffed["leader"]
    await leader.send("/units")
    listing = await leader.expect("各单位联络员注册情况")
    assert listing.button_texts == []
    for data in ("v1:lvp:0:new", "v1:lvo:3"):
        pressed = await leader.press_data(data, message=listing)
        await pressed.answered()
        assert "仅限督查员使用" in pressed.answer
    assert await office.scalar("SELECT count(*) FROM people WHERE active = 0") == 0


async def test_only_a_supervisor_marks_a_progress_report_read(office, staffed):
    zj, sup, leader = staffed["zj"], staffed["sup"], staffed["leader"]
    await signed_item(office, staffed)
    await zj.send("/report")
    await answer(
        zj,
        ("send", "已完成32个小区外墙改造", "完成进度"),
        ("send", "30%", "困难和问题"),
        ("send", "无", "下步打算"),
        ("send", "继续推进", "附件"),
        ("press", "完成", "请核对"),
        ("press", "提交", "已报送进展"),
    )
    notice = await sup.expect("报送进展")
    forged = await leader.press_data("v1:rd:1", message=None)
    await forged.answered()
    assert "仅限督查员使用" in forged.answer
    assert await office.scalar("SELECT read_at FROM reports WHERE id = 1") is None
    read = await sup.press("已阅", message=notice)
    await read.answered()
    assert read.answer == "已阅"
    assert await office.scalar("SELECT read_by FROM reports WHERE id = 1") == 1


async def test_a_completion_report_is_reviewed_not_marked_read(office, staffed):
    await signed_item(office, staffed)
    liaison = await office.office.person(301)
    done = await progress.submit_completion(office.office, liaison, 1, "全部完成")
    pressed = await staffed["sup"].press_data(f"v1:rd:{done.report_id}", message=None)
    await pressed.answered()
    assert "按钮已失效" in pressed.answer
    assert await office.scalar("SELECT read_at FROM reports WHERE kind = 'completion'") is None

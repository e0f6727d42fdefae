"""Every wrong or hostile input gets a clear Chinese answer and changes nothing."""

from __future__ import annotations

from domain.items import Status
from domain.models import Role
from tests.e2e.conftest import invite_liaison
from tests.e2e.steps import approved_item, fill_new_item


async def test_stranger_is_refused_politely_everywhere(office, emu):
    stranger = emu.user(999, "路人")
    for text in ("/items", "/new", "你好", "/start"):
        await stranger.send(text)
        await stranger.expect("请联系督查室获取邀请链接")
    result = await stranger.press_data("v1:ap:1", message=None)
    await result.answered()
    assert "邀请链接" in result.answer
    assert await office.scalar("SELECT count(*) FROM people") == 0


async def test_wrong_role_is_refused(office, staffed):
    await staffed["zj"].send("/new")
    await staffed["zj"].expect("此功能仅限督查员使用")
    await staffed["zj"].send("/units")
    await staffed["zj"].expect("仅限督查员、领导使用")
    await staffed["sup"].send("/mytasks")
    await staffed["sup"].expect("仅限联络员使用")
    await staffed["leader"].send("/invite 住建局")
    await staffed["leader"].expect("仅限督查员使用")


async def test_supervisor_cannot_approve_when_a_leader_exists(office, staffed):
    await fill_new_item(staffed["sup"])
    await staffed["sup"].press("提交")
    await staffed["leader"].expect("请审定督办函")
    result = await staffed["sup"].press_data("v1:ap:1", message=staffed["sup"].last)
    await result.answered()
    assert "须由领导审定" in result.answer
    assert await office.scalar("SELECT status FROM items") == Status.PENDING_APPROVAL


async def test_forged_and_stale_buttons_change_nothing(office, staffed):
    await approved_item(office, staffed, co=())
    zj, jt = staffed["zj"], staffed["jt"]
    letter = zj.last
    for data, expected in (
        ("v1:sg:999", "找不到该督办事项"),
        ("garbage", "按钮已失效"),
        ("v1:sg:abc", "按钮已失效"),
        ("v9:sg:1", "按钮已失效"),
    ):
        result = await zj.press_data(data, message=letter)
        await result.answered()
        assert expected in result.answer, data
    # a unit that is not on the item
    result = await jt.press_data("v1:sg:1", message=letter)
    await result.answered()
    assert "不属于您所在单位" in result.answer
    # the real button twice: the first signs, the forged second is told it is done
    await zj.press("签收")
    await zj.expect("已签收")
    result = await zj.press_data("v1:sg:1", message=letter)
    await result.answered()
    assert "无需重复签收" in result.answer
    assert await office.scalar("SELECT count(*) FROM audit WHERE action = '签收'") == 1
    # a liaison pressing the leader's approve button
    result = await zj.press_data("v1:ap:1", message=letter)
    await result.answered()
    assert "仅限领导、督查员使用" in result.answer


async def test_bad_date_and_oversized_text_are_asked_again(office, staffed):
    sup = staffed["sup"]
    await sup.send("/new")
    await sup.expect("标题")
    await sup.send("长" * 101)
    await sup.expect("最多100字（您输入了101字）")
    await sup.send("正常标题")
    await sup.expect("批示内容")
    await sup.send("内容")
    await sup.expect("批示领导")
    await sup.send("王书记")
    await sup.expect("来源")
    await sup.send("领导批示")  # typed instead of pressed
    await sup.expect("请点击上方按钮选择")
    await sup.press("领导批示")
    await sup.expect("类别")
    await sup.press("批办性")
    await sup.expect("牵头单位")
    await sup.send("不存在的单位")
    await sup.expect("共0个单位")
    await sup.send("住建")
    await sup.expect("共1个单位")
    await sup.press("住建局")
    await sup.expect("配合单位")
    await sup.press("无配合单位")
    await sup.expect("办理时限")
    for bad, message in (
        ("明天", "不是有效的日期"),
        ("2026-02-30", "不是有效的日期"),
        ("2026-11-01", "不在今天之后"),
        ("0个工作日", "工作日数应在"),
    ):
        await sup.send(bad)
        await sup.expect(message)
    await sup.send("2026-12-31")
    await sup.expect("反馈周期")
    assert await office.scalar("SELECT count(*) FROM items") == 0


async def test_stale_form_button_from_an_earlier_step(office, staffed):
    sup = staffed["sup"]
    await sup.send("/new")
    await sup.expect("标题")
    await sup.send("标题")
    await sup.expect("批示内容")
    await sup.send("内容")
    await sup.expect("批示领导")
    await sup.send("王书记")
    source_question = await sup.expect("来源")
    await sup.press("会议议定")
    await sup.expect("类别")
    result = await sup.press_data("v1:op:source:0", message=source_question)
    await result.answered()
    assert "按钮已失效" in result.answer


async def test_invite_codes_are_single_use_and_expire(office, staffed, emu):
    code = await invite_liaison(office, staffed["sup"], "市生态环境局")
    first, second = emu.user(401, "甲"), emu.user(402, "乙")
    await office.register(first, code, "甲某")
    await second.send(f"/start {code}")
    await second.expect("已被使用")
    await second.send("/start notacode")
    await second.expect("邀请链接无效")
    late = await office.cli_invite(Role.LEADER)
    office.clock.advance(days=8)
    await second.send(f"/start {late}")
    await second.expect("已过期")
    assert await office.scalar("SELECT count(*) FROM people WHERE tg_user_id = 402") == 0


async def test_new_primary_liaison_takes_over_the_unit(office, staffed, emu):
    await approved_item(office, staffed, co=())
    code = await invite_liaison(office, staffed["sup"], "市住房和城乡建设局")
    newcomer = emu.user(303, "新住建联络员")
    await office.register(newcomer, code, "新联络员")
    note = await staffed["sup"].expect("已停用")
    assert "原主联络员" in note.text
    letter = await newcomer.expect("督 办 函")
    await newcomer.press("签收")
    await newcomer.expect("已签收")
    await staffed["zj"].send("/mytasks")
    await staffed["zj"].expect("请联系督查室获取邀请链接")
    assert "督办〔2026〕1号" in letter.text
    assert await office.scalar("SELECT count(*) FROM people WHERE unit_id = 1") == 2


async def test_half_filled_form_survives_a_restart(office, staffed):
    sup = staffed["sup"]
    await sup.send("/new")
    await sup.expect("标题")
    await sup.send("重启前的标题")
    await sup.expect("批示内容")
    await sup.send("重启前的内容")
    await sup.expect("批示领导")
    await office.restart()
    await sup.send("王书记")
    await sup.expect("来源")
    for action, answer, question in (
        (sup.press, "领导批示", "类别"),
        (sup.press, "批办性", "牵头单位"),
        (sup.press, "住建局", "配合单位"),
        (sup.press, "无配合单位", "办理时限"),
        (sup.send, "2026-12-31", "反馈周期"),
        (sup.press, "每月", "重点事项"),
    ):
        await action(answer)
        await sup.expect(question)
    await sup.press("否")
    preview = await sup.expect("请核对督办事项")
    assert "重启前的标题" in preview.text and "重启前的内容" in preview.text


async def test_cancel_works_at_every_step_and_saves_nothing(office, staffed):
    sup = staffed["sup"]
    await sup.send("/new")
    await sup.expect("标题")
    await sup.send("标题")
    await sup.send("/cancel")
    await sup.expect("已取消")
    await sup.send("内容")
    await sup.expect("没有理解")
    assert await office.scalar("SELECT count(*) FROM items") == 0


async def test_foreign_groups_are_left(office, emu):
    emu.group(-100777, "无关群", type="supergroup")
    await emu.wait_until(lambda: any(c.method == "leaveChat" for c in emu.calls))


async def test_a_stranger_who_blocks_the_bot_is_not_answered(office, emu, caplog):
    stranger = emu.user(998, "路人")
    await stranger.send("你好")
    await stranger.expect("请联系督查室获取邀请链接")
    stranger.block()  # Telegram tells the bot with a my_chat_member update
    await emu.wait_delivered()
    await emu.settle()
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"
    assert len(stranger.inbox) == 1

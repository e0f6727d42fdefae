"""Nothing typed that could be chosen: each command sent without its argument offers what
this person may act on, a pick does what the typed argument does, a bad argument is answered
with that command's own example, and a forged pick from the wrong role changes nothing."""

from __future__ import annotations

from domain.items import Status
from domain.pushes import mute_choices
from tests.e2e.steps import approved_item, fill_new_item


async def only_zj_item(office, staffed) -> None:
    """督办〔2026〕1号 with 住建局 alone: 交通局 may neither see it nor download its letter."""
    await approved_item(office, staffed, co=())


async def test_item_and_letter_pick_among_what_the_person_may_see(office, staffed):
    sup, zj, jt = staffed["sup"], staffed["zj"], staffed["jt"]
    await only_zj_item(office, staffed)
    await zj.send("/item 1")
    typed = await zj.expect("督办〔2026〕1号")
    zj.mark()
    await zj.send("/item")
    picker = await zj.expect("请选择要查看的事项")
    assert [b.split()[0] for b in picker.button_texts] == ["督办〔2026〕1号"]
    await zj.press(picker.button_texts[0], message=picker)
    picked = await zj.expect(lambda m: m is not picker and "督办〔2026〕1号" in (m.text or ""))
    assert picked.text == typed.text

    await zj.send("/letter")
    picker = await zj.expect("请选择要下载督办函的事项")
    await zj.press(picker.button_texts[0], message=picker)
    letter = await zj.expect(lambda m: m.document is not None)
    assert letter.document["file_name"] == "督办函_督办〔2026〕1号.docx"

    await jt.send("/item")  # nothing of 交通局's yet
    await jt.expect("目前没有可以查看的事项")
    for data in ("v1:vi:1", "v1:lt:1"):  # forged picks of another unit's item
        refused = await jt.press_data(data, message=jt.last)
        await refused.answered()
        assert "不属于您所在单位" in refused.answer
    assert not [m for m in jt.inbox if m.document is not None]

    for command in ("item", "letter", "suspend"):
        await sup.send(f"/{command} 第一号")
        bad = await sup.expect("不是有效的督办编号")
        assert f"/{command} 12" in bad.text and "只发送" in bad.text
    await sup.send("/letter 9")
    await sup.expect("只发送 /letter 可从列表中选择")


async def test_suspend_resume_revoke_pick_the_items_they_apply_to(office, staffed):
    sup, zj = staffed["sup"], staffed["zj"]
    await only_zj_item(office, staffed)
    await sup.send("/resume")
    await sup.expect("目前没有可以恢复的事项")
    await zj.send("/suspend")
    await zj.expect("仅限督查员使用")
    forged = await zj.press_data("v1:su:1", message=zj.last)
    await forged.answered()
    assert "仅限督查员使用" in forged.answer

    await sup.send("/suspend")
    picker = await sup.expect("请选择要暂停的事项")
    await sup.press(picker.button_texts[0], message=picker)
    await sup.expect("请输入暂停的理由")
    await sup.send("等待审计结论")
    await sup.expect("已暂停")
    assert await office.scalar("SELECT status FROM items") == Status.SUSPENDED

    await sup.send("/resume")
    picker = await sup.expect("请选择要恢复的事项")
    forged = await zj.press_data("v1:ru:1", message=zj.last)
    await forged.answered()
    assert "仅限督查员使用" in forged.answer
    assert await office.scalar("SELECT status FROM items") == Status.SUSPENDED
    await sup.press(picker.button_texts[0], message=picker)
    await sup.expect("已恢复")
    assert await office.scalar("SELECT status FROM items") == Status.AWAITING_SIGN


async def test_key_and_unkey_an_ordinary_item_with_a_reason(office, staffed):
    sup, zj = staffed["sup"], staffed["zj"]
    await fill_new_item(sup, co=(), key="否")
    await sup.press("提交")
    await staffed["leader"].press("同意下发", message=await staffed["leader"].expect("请审定"))
    await zj.expect("督 办 函")
    forged = await zj.press_data("v1:ki:1", message=zj.last)
    await forged.answered()
    assert "仅限督查员使用" in forged.answer
    await sup.send("/unkey")
    await sup.expect("目前没有标为重点的事项")

    await sup.send("/key")
    picker = await sup.expect("请选择要设为重点的事项、任务或目标")
    await sup.press(picker.button_texts[0], message=picker)
    await sup.expect("请输入设为重点的理由")
    await sup.send("市委督查重点")
    await sup.expect("已将事项“督办〔2026〕1号")
    assert await office.scalar("SELECT is_key FROM items") == 1
    await sup.send("/items 重点")
    assert "★" in (await sup.expect("在办督办事项")).text
    await zj.send("/item 1")
    await zj.expect("★ 重点事项")

    await sup.send("/unkey 1 年中调整")  # typed: the same change, at once
    await sup.expect("取消事项“督办〔2026〕1号")
    assert await office.scalar("SELECT is_key FROM items") == 0
    audits = await office.rows(
        "SELECT action, item_id, detail FROM audit WHERE action IN ('设为重点', '取消重点')"
    )
    assert [(a["action"], a["item_id"]) for a in audits] == [("设为重点", 1), ("取消重点", 1)]
    assert "市委督查重点" in audits[0]["detail"]
    await sup.send("/key 不存在")
    await sup.expect("只发送 /key 可从列表中选择")


async def test_a_draft_is_not_offered_to_key(office, staffed):
    sup = staffed["sup"]
    await fill_new_item(sup, co=(), key="否")
    await sup.press("提交")
    await staffed["leader"].expect("请审定")
    await sup.send("/key")
    await sup.expect("目前没有可以设为重点的事项")
    forged = await sup.press_data("v1:ki:1", message=sup.last)  # a draft's key waits for 审定
    await forged.answered()
    assert "不能执行“设为重点”" in forged.answer


async def test_mute_picks_a_unit_then_a_date(office, staffed):
    sup, zj = staffed["sup"], staffed["zj"]
    jt_unit = await office.unit_id("市交通运输局")
    forged = await zj.press_data(f"v1:md:{jt_unit}:5", message=zj.last)
    await forged.answered()
    assert "仅限督查员使用" in forged.answer
    assert await office.scalar("SELECT count(*) FROM mutes") == 0

    await sup.send("/mute")
    units = await sup.expect("请选择要暂停推送提醒的单位")
    await sup.press("交通局", message=units)
    dates = await sup.expect("请选择暂停向 市交通运输局 推送提醒到哪一天")
    assert [b.split("（")[0] for b in dates.button_texts] == [
        "3个工作日",
        "5个工作日",
        "10个工作日",
        "至月底",
        "取消暂停",
    ]
    await sup.press(dates.button_texts[1], message=dates)
    await sup.expect("已暂停向 市交通运输局 推送提醒")
    today = office.clock.today()
    until = mute_choices(today, office.office.calendar)["5"]
    assert await office.scalar("SELECT until FROM mutes") == until.isoformat()

    await sup.send("/mute 交通局")
    dates = await sup.expect("请选择暂停向 市交通运输局 推送提醒到哪一天")
    await sup.press("取消暂停", message=dates)
    await sup.expect("已恢复向 市交通运输局 推送提醒")
    assert await office.scalar("SELECT until FROM mutes") < today.isoformat()


async def test_plan_overview_offers_its_tasks_and_key_lists_them(planned):
    _, people = planned
    sup, leader = people["sup"], people["leader"]
    await leader.send("/plan")
    overview = await leader.expect("大事要事")
    first = overview.button_texts[0]
    assert first.startswith("T0")
    await leader.press(first, message=overview)
    detail = await leader.expect(lambda m: m is not overview and first.split()[0] in (m.text or ""))
    assert detail.text != overview.text
    await sup.send("/key")
    picker = await sup.expect("请选择要设为重点的事项、任务或目标")
    assert picker.button_texts[0].startswith("任务 T0")

"""回访 through the emulator: due → the lead unit's form → 回访完成 or 重办 with a reason.

The item is opened, approved, signed and closed through the domain (the closing UI is
tested in test_progress_review.py); from the revisit on, everything goes through Telegram.
"""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta

from bot import scheduler
from bot.revisit_tick import ask_due_revisits
from domain import letters, revisits
from domain.items import Status
from domain.models import Category, Draft, Period, Source
from storage import items
from tests.e2e.conftest import TZ, Office, invite_liaison
from tests.letters import letter_fixed


async def closed_key_item(
    office: Office, lead: str = "市住房和城乡建设局", title: str = "老旧小区改造"
) -> int:
    """A key item led by `lead` with 交通局 or 住建局 as co-unit, closed today."""
    domain = office.office
    sup, leader = await domain.person(101), await domain.person(201)
    co = "市交通运输局" if lead != "市交通运输局" else "市住房和城乡建设局"
    draft = Draft(
        title=title,
        instruction="年底前完成改造。",
        instructing_leader="王书记",
        source=Source.INSTRUCTION,
        category=Category.ORDER,
        lead_unit_id=await office.unit_id(lead),
        co_unit_ids=(await office.unit_id(co),),
        deadline=domain.clock.today() + timedelta(days=20),
        period=Period.WEEKLY,
        is_key=True,
    )
    item_id = (await letters.open_item(domain, sup, draft)).item.id
    await letters.approve(domain, leader, item_id, then=letter_fixed)
    for tg in (301, 302):
        await letters.sign(domain, await domain.person(tg), item_id)
    async with domain.db.transaction() as conn:
        await items.set_status(conn, item_id, Status.CLOSED, domain.now(), closed_at=domain.now())
        await revisits.schedule(conn, domain, await items.get(conn, item_id), domain.clock.today())
    return item_id


async def fill_form(
    zj, sustained: str, current: str, problems: str | None, button: str = "填写回访情况"
) -> None:
    """The liaison's three answers and 提交, as on a phone (problems None = the 无 button)."""
    await zj.press(button)
    await zj.expect("措施是否持续落实")
    await zj.send("好的")  # typed where a button is expected: asked again, with the buttons
    again = await zj.expect("请点击下方按钮回答")
    assert again.button_texts == ["是", "否"]
    await zj.press(sustained, message=again)
    await zj.expect("现状")
    await zj.send(current)
    await zj.expect("存在什么问题")
    if problems is None:
        await zj.press("无")
    else:
        await zj.send(problems)
    preview = await zj.expect("请核对回访情况")
    assert current in preview.text
    await zj.press("提交", message=preview)
    await zj.expect("已报送回访情况")


async def audit_actions(office: Office) -> list[str]:
    return [r["action"] for r in await office.rows("SELECT action FROM audit ORDER BY id")]


async def test_revisit_answered_then_reopened_with_a_reason(office, staffed):
    sup, zj, jt = staffed["sup"], staffed["zj"], staffed["jt"]
    await closed_key_item(office)
    office.clock.advance(days=29)
    assert await ask_due_revisits(office.app) == 0
    office.clock.advance(days=1, hours=-3)  # the due day, 07:00: not yet office hours
    assert await ask_due_revisits(office.app) == 0
    office.clock.advance(hours=3)
    for user in (zj, jt, sup):
        user.mark()
    assert await ask_due_revisits(office.app) == 1
    assert await ask_due_revisits(office.app) == 0  # the next tick: nothing new
    invite = await zj.expect("回访（回头看）")
    assert invite.button_texts == ["填写回访情况"] and "老旧小区改造" in invite.text
    assert not any("回访" in m.text for m in jt.inbox)  # the co-unit is not asked
    assert await office.scalar("SELECT status FROM items") == Status.REVISITING

    await fill_form(zj, "否", "部分小区外墙脱落", "维修资金未到位")
    card = await sup.expect("回访情况")
    for part in (
        "市住房和城乡建设局",
        "措施是否持续落实：否",
        "部分小区外墙脱落",
        "维修资金未到位",
    ):
        assert part in card.text, part
    assert card.button_texts == ["回访完成", "重办"]
    report = (await office.rows("SELECT * FROM reports WHERE kind = 'revisit'"))[0]
    assert (report["period_key"], report["version"], report["sustained"]) == ("revisit-1", 1, 0)
    assert (report["progress"], report["difficulties"]) == ("部分小区外墙脱落", "维修资金未到位")

    await sup.press("重办", message=card)
    await sup.expect("请输入重办的理由")
    await sup.send("外墙脱落问题未整改到位")
    done = await sup.expect("已重办")
    assert "机器人正在通知2名联络员" in done.text
    for user in (zj, jt):
        told = await user.expect("督办事项重办")
        assert "外墙脱落问题未整改到位" in told.text
    assert await office.scalar("SELECT status FROM items") == Status.IN_PROGRESS
    states = await office.rows("SELECT state, reason FROM revisits ORDER BY due_on")
    assert states == [
        {"state": "reopened", "reason": "外墙脱落问题未整改到位"},
        {"state": "dropped", "reason": None},
    ]
    assert (await audit_actions(office))[-3:] == ["开始回访", "报送回访情况", "重办"]
    detail = await office.scalar("SELECT detail FROM audit WHERE action = '重办'")
    assert json.loads(detail)["reason"] == "外墙脱落问题未整改到位"

    await sup.send("/item 1")
    record = await sup.expect("办理过程")
    for step in (
        "开始回访",
        "报送回访情况 · 市住房和城乡建设局",
        "重办 · 王督查：外墙脱落问题未整改到位",
    ):
        assert step in record.text, step

    stale = await sup.press_data("v1:vd:1", message=card)  # the card pressed after the decision
    await stale.answered()
    assert "无需重复处理" in stale.answer
    assert await office.scalar("SELECT status FROM items") == Status.IN_PROGRESS


async def test_revisit_finished_and_a_second_press_changes_nothing(office, staffed):
    sup, zj = staffed["sup"], staffed["zj"]
    item_id = await closed_key_item(office)
    office.clock.advance(days=30)
    assert await ask_due_revisits(office.app) == 1
    await zj.expect("回访（回头看）")

    await fill_form(zj, "是", "改造后的小区运行良好", None)
    card = await sup.expect("回访情况")
    assert "存在问题：无" in card.text
    assert await office.scalar("SELECT difficulties FROM reports WHERE kind = 'revisit'") == ""

    await sup.press("回访完成", message=card)
    await sup.expect("已确认回访完成")
    await zj.expect("督查室确认整改措施持续落实")
    assert await office.scalar("SELECT status FROM items WHERE id = ?", (item_id,)) == Status.CLOSED
    for data in ("v1:vd:1", "v1:vr:1"):  # 回访完成 again, and 重办 after it: refused at once
        stale = await sup.press_data(data, message=card)
        await stale.answered()
        assert "无需重复处理" in stale.answer
    assert await office.scalar("SELECT count(*) FROM audit WHERE action = '回访完成'") == 1
    assert await office.scalar("SELECT status FROM items WHERE id = ?", (item_id,)) == Status.CLOSED
    # the same invitation pressed again: the revisit is over
    again = await zj.press("填写回访情况")
    await again.answered()
    assert "本次回访已结束" in again.answer

    office.clock.advance(days=60)  # the 90-day revisit comes round
    assert await ask_due_revisits(office.app) == 1
    assert (
        await office.scalar("SELECT status FROM items WHERE id = ?", (item_id,))
        == Status.REVISITING
    )


async def test_only_the_lead_units_liaison_may_fill_the_form(office, staffed):
    sup, zj, jt = staffed["sup"], staffed["zj"], staffed["jt"]
    hj = office.emu.user(303, "环境联络员")
    await office.register(hj, await invite_liaison(office, sup, "市生态环境局"), "环境联络员")
    await closed_key_item(office)
    office.clock.advance(days=30)
    await ask_due_revisits(office.app)
    invite = await zj.expect("回访（回头看）")

    for user, answer in ((jt, "牵头单位的联络员填写"), (hj, "不属于您所在单位")):
        refused = await user.press_data("v1:va:1", message=invite)
        await refused.answered()
        assert answer in refused.answer
    refused = await sup.press_data("v1:va:1", message=invite)
    await refused.answered()
    assert "仅限联络员使用" in refused.answer
    assert await office.scalar("SELECT state FROM revisits WHERE id = 1") == "asked"

    # /cancel in the middle keeps nothing; the invitation still works afterwards
    await zj.press("填写回访情况")
    await zj.expect("措施是否持续落实")
    await zj.press("是")
    await zj.expect("现状")
    await zj.send_photo(b"not text")
    await zj.expect("请用文字说明现状")
    await zj.send("/cancel")
    await zj.expect("已取消")
    assert await office.scalar("SELECT count(*) FROM reports") == 0
    # a restart in the middle of the form loses nothing
    await zj.press("填写回访情况")
    await zj.expect("措施是否持续落实")
    await zj.press("是")
    await zj.expect("现状")
    await office.restart()
    await zj.send("运行良好")
    await zj.expect("存在什么问题")
    await zj.send("无")
    await zj.press("提交", message=await zj.expect("请核对回访情况"))
    await zj.expect("已报送回访情况")
    assert await office.scalar("SELECT state FROM revisits WHERE id = 1") == "answered"
    assert await office.scalar("SELECT progress FROM reports") == "运行良好"
    again = await zj.press("填写回访情况")  # a second go at the same invitation
    await again.answered()
    assert "无需重复填写" in again.answer
    assert await office.scalar("SELECT count(*) FROM reports") == 1


async def test_a_blocked_liaison_does_not_stop_the_others(office, staffed):
    sup, zj, jt = staffed["sup"], staffed["zj"], staffed["jt"]
    await closed_key_item(office, "市住房和城乡建设局")
    await closed_key_item(office, "市交通运输局", "公交线路优化")
    zj.block()
    office.clock.advance(days=30)
    jt.mark()
    assert await ask_due_revisits(office.app) == 2
    invite = await jt.expect("回访（回头看）")
    assert "公交线路优化" in invite.text
    warning = await sup.expect("联络员无法接收消息")
    assert "市住房和城乡建设局" in warning.text
    assert await office.scalar("SELECT count(*) FROM revisits WHERE state = 'asked'") == 2
    held = await office.rows("SELECT state FROM outbox WHERE rule = 'revisit' ORDER BY id")
    assert [r["state"] for r in held] == ["held", "sent"]  # kept for the unit's next liaison


async def test_a_unit_without_liaison_gets_its_invitation_when_one_registers(office, staffed):
    sup = staffed["sup"]
    await closed_key_item(office)
    async with office.db.transaction() as conn:  # the unit's only liaison has left
        await conn.execute("UPDATE people SET active = 0 WHERE tg_user_id = 301")
    office.clock.advance(days=30)
    assert await ask_due_revisits(office.app) == 1
    warning = await sup.expect("回访通知未能送达")
    assert "市住房和城乡建设局尚无注册的联络员" in warning.text
    await office.app.bot_data["services"].sender.drain()
    assert await office.scalar("SELECT state FROM outbox WHERE rule = 'revisit'") == "held"

    newcomer = office.emu.user(309, "住建新联络员")
    await office.register(newcomer, await invite_liaison(office, sup, "市住房和城乡建设局"), "新人")
    invite = await newcomer.expect("回访（回头看）")
    assert invite.button_texts == ["填写回访情况"]


async def test_an_unanswered_revisit_climbs_the_ladder_in_the_units_todo(office, staffed):
    """Reminded in 住建局's 今日待办 on working days 1, 3 and 5 after the invitation, then the
    supervisors once in their 需跟进 and, a key item, the leader channel once; answered, the
    chasing stops."""
    sup, zj = staffed["sup"], staffed["zj"]
    await closed_key_item(office)
    office.clock.advance(days=30)
    assert await ask_due_revisits(office.app) == 1
    await zj.expect("回访（回头看）")
    start = office.clock.today()
    day = start
    for _ in range(14):
        day += timedelta(days=1)
        office.clock.set(datetime.combine(day, time(10, 0), tzinfo=TZ))
        await ask_due_revisits(office.app)
        await scheduler.tick(office.app)
        await scheduler.tick(office.app)  # a second tick the same day adds nothing
    seen: dict[str, list[str]] = {}
    rows = await office.rows(
        "SELECT rule, substr(created_at, 1, 10) AS day FROM outbox"
        " WHERE rule IN ('todo', 'followup', 'revisit_remind', 'esc_revisit') ORDER BY id"
    )
    for r in rows:
        seen.setdefault(r["rule"], []).append(r["day"])
    workdays = [
        d.isoformat()
        for d in (start + timedelta(days=i) for i in range(1, 15))
        if office.office.calendar.is_workday(d)
    ]
    assert seen["todo"] == [workdays[0], workdays[2], workdays[4]]  # working days 1, 3, 5
    assert seen["followup"] == [workdays[5]]  # one supervisor, once
    assert "revisit_remind" not in seen and "esc_revisit" not in seen  # no separate reminders
    alerts = await office.rows("SELECT kind, detail FROM alerts")
    assert [(a["kind"], json.loads(a["detail"])["need"]) for a in alerts] == [
        ("escalation", "revisit")
    ]

    first = await zj.expect("今日待办")
    assert "（已过1个工作日）" in first.text and "提醒）" not in first.text
    todo = await zj.expect("（第3次提醒）")
    assert "尚未报送回访情况（已过5个工作日）" in todo.text
    followup = await sup.expect("需跟进")
    assert "市住房和城乡建设局" in followup.text and "尚未报送回访情况" in followup.text
    assert "已提醒3次" in followup.text

    (button,) = todo.button_texts
    assert button.startswith("填写回访情况：")
    await fill_form(zj, "是", "运行良好", None, button=button)  # answered: the chasing stops
    office.clock.advance(days=1)
    before = await office.scalar("SELECT count(*) FROM outbox")
    await ask_due_revisits(office.app)
    await scheduler.tick(office.app)
    assert await office.scalar("SELECT count(*) FROM outbox") == before

"""大事要事 end to end: the plan imported, sent, reported on with quantities, chased only in
its window, rolled into the next year, raised to 重点, and escalated to its 分管领导."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from bot import leader_channel, ledger_xlsx, scheduler
from bot.clock import FakeClock
from domain import progress, queries, review
from domain.items import Status
from domain.models import Role
from domain.plan import actions as plan
from domain.plan import views as plan_views
from domain.plan.sheet import PlanError
from tests.e2e.conftest import TZ, Office, drain, invite_liaison, letters_fixer, plan_office
from tests.plan_sheet import COLUMN, sample_rows, set_cell, workbook


async def _item_of(office: Office, code: str) -> dict:
    rows = await office.rows(
        "SELECT * FROM items WHERE plan_code = ? ORDER BY id DESC LIMIT 1", (code,)
    )
    return rows[0]


async def _tick_on(office: Office, day: date, at: time = time(10, 0)) -> int:
    office.clock.set(datetime.combine(day, at, tzinfo=TZ))
    return await scheduler.tick(office.app)


# ---- import -----------------------------------------------------------------------------------


async def test_import_by_chat_sends_every_target_to_its_unit(january, emu):
    office, people = january
    sup = people["sup"]
    await sup.send("/import")
    await sup.expect("导入大事要事计划")
    template = await sup.expect(lambda m: m.document is not None)
    assert template.document["file_name"] == "大事要事计划表模板_2026.xlsx"
    book = load_workbook(BytesIO(template.document_bytes))
    assert book.sheetnames == ["大事要事", "填写说明"]
    assert [c.value for c in book["大事要事"][1]][:3] == ["任务编号", "任务名称", "类别"]

    await sup.send_document(workbook(sample_rows()), "2026年大事要事.xlsx")
    reply = await sup.expect("计划已导入")
    assert "任务：新增 8 项" in reply.text and "目标：新增 30 个" in reply.text
    assert "联络员注册后自动送达：甲区委、市生态环境局" in reply.text
    assert await office.scalar("SELECT count(*) FROM plan_tasks") == 8
    assert await office.scalar("SELECT count(*) FROM plan_targets") == 30
    assert await office.scalar("SELECT count(*) FROM items WHERE target_id IS NOT NULL") == 30
    # 批办性 tasks get numbered 督办函, 指导性 ones an unnumbered 任务书
    assert await office.scalar("SELECT count(*) FROM items WHERE serial IS NOT NULL") == 22
    assert await office.scalar("SELECT max(serial) FROM items") == 22

    # the three shapes of deadline
    assert (await _item_of(office, "T01-01"))["deadline"] == "2026-12-31"  # 年度
    assert (await _item_of(office, "T01-04"))["deadline"] == "2026-09-30"  # 年内
    seasonal = await _item_of(office, "T07-01")
    assert seasonal["chase_from"] == "2026-03-01"  # 年内 with a window
    assert (await _item_of(office, "T04-01"))["deadline"] == "2026-12-31"  # 跨年度: 1st milestone
    assert (
        await office.scalar(
            "SELECT count(*) FROM plan_milestones m JOIN plan_targets g ON g.id = m.target_id"
            " WHERE g.code = 'T08-01'"
        )
        == 3
    )

    await drain(office)
    zj = people["zj"]
    letters = [m.text for m in zj.inbox if "督 办 函" in (m.text or "")]
    notices = [m.text for m in zj.inbox if "任 务 书" in (m.text or "")]
    zj_targets = sum(1 for r in sample_rows() if r[8] == "住建局")
    assert len(letters) + len(notices) == zj_targets
    assert any("工程建设项目审批时限压缩" in n and "任务书T05-01" in n for n in notices)
    assert any("赵主任分管" in t and "完成改造投资" in t for t in letters)
    # units nobody can receive yet are held, not lost
    held = await office.scalar(
        "SELECT count(*) FROM outbox WHERE rule = 'letter' AND state = 'held'"
    )
    assert held == sum(1 for r in sample_rows() if r[8] in ("环境局", "甲区"))

    await zj.press("签收")
    await zj.expect("已签收")
    await zj.send("/letter T05-01")
    notice = await zj.expect(lambda m: m.document is not None)
    assert notice.document["file_name"] == "任务书T05-01.docx"
    head = [p.text for p in Document(BytesIO(notice.document_bytes)).paragraphs[1:3]]
    assert head == ["任务书T05-01", "任 务 书"]  # 发文字号, title

    # the same sheet again changes nothing and duplicates nothing
    await sup.send_document(workbook(sample_rows()), "again.xlsx", caption="/import")
    again = await sup.expect("计划已导入")
    assert "新增 0 个" in again.text and "未变 30 个" in again.text
    assert await office.scalar("SELECT count(*) FROM items") == 30


async def test_a_liaison_registering_after_the_import_gets_each_letter_once(planned):
    office, people = planned
    hj = office.emu.user(309, "环境新联络员")
    await office.register(hj, await invite_liaison(office, people["sup"], "市生态环境局"), "新人")
    targets = sum(1 for r in sample_rows() if r[8] == "环境局")
    await office.emu.wait_until(
        lambda: sum("签收" in m.button_texts for m in hj.inbox) >= targets, 10
    )
    await drain(office)
    await hj.settle()
    letters = [m for m in hj.inbox if "督 办 函" in (m.text or "") or "任 务 书" in (m.text or "")]
    assert len(letters) == targets
    assert len({m.text for m in letters}) == targets


async def test_reimport_after_editing_two_rows_updates_just_those(planned):
    office, people = planned
    rows = sample_rows()
    set_cell(rows, "T01-01", "目标数量", 150)
    set_cell(rows, "T07-03", "完成期限", "2026-06-15")
    done = await plan.load_sheet(office.office, None, workbook(rows), letters_fixer(office))
    assert (done.targets_new, done.targets_updated, done.unchanged) == (0, 2, 28)
    assert (done.tasks_new, done.tasks_updated) == (0, 0)
    assert await office.scalar("SELECT count(*) FROM items") == 30
    assert (await _item_of(office, "T07-03"))["deadline"] == "2026-06-15"
    target = (await office.rows("SELECT * FROM plan_targets WHERE code = 'T01-01'"))[0]
    assert target["quantity"] == "150"
    assert "目标：150个" in (await _item_of(office, "T01-01"))["instruction"]
    audits = await office.rows("SELECT detail FROM audit WHERE action = '重新导入更新目标'")
    assert len(audits) == 2
    assert "2026-06-15" in audits[1]["detail"]
    await drain(office)
    told = await people["zj"].expect("目标调整通知")
    assert "完成老旧小区改造" in told.text and "目标数量：120 → 150" in told.text

    # a target cannot change hands or tasks by re-import once it is sent
    rows = sample_rows()
    set_cell(rows, "T01-03", "责任单位", "住建局")
    moved = sample_rows()
    next(r for r in moved if r[6] == "T02-03")[0] = "T01"
    for sheet, expected in ((rows, "责任单位不能通过重新导入更改"), (moved, "已属于另一项任务")):
        with pytest.raises(PlanError) as caught:
            await plan.load_sheet(office.office, None, workbook(sheet), letters_fixer(office))
        assert any(expected in str(p) for p in caught.value.problems)
    assert await office.scalar("SELECT count(*) FROM items") == 30


async def test_five_kinds_of_bad_rows_are_all_reported_and_nothing_is_imported(january):
    office, people = january
    rows = sample_rows()
    set_cell(rows, "T01-02", "责任单位", "")  # line 3
    set_cell(rows, "T02-01", "责任单位", "市不存在局")  # line 6
    set_cell(rows, "T03-01", "完成期限", "2026-13-45")  # line 9
    set_cell(rows, "T05-02", "目标数量", -20)  # line 17
    set_cell(rows, "T08-03", "目标编号", "T08-02")  # line 30, duplicates line 29
    sup = people["sup"]
    await sup.send("/import")
    await sup.expect("导入大事要事计划")
    await sup.send_document(workbook(rows), "bad.xlsx")
    reply = await sup.expect("处错误，未导入任何内容")
    expected = [
        f"第3行 {COLUMN['责任单位']}列（责任单位）：必填",
        f"第6行 {COLUMN['责任单位']}列（责任单位）：找不到单位“市不存在局”",
        f"第9行 {COLUMN['完成期限']}列（完成期限）：日期格式不对",
        f"第17行 {COLUMN['目标数量']}列（目标数量）：目标数量不能为负数",
        f"第30行 {COLUMN['目标编号']}列（目标编号）：“T08-02”与第29行重复",
    ]
    for line in expected:
        assert line in reply.text, line
    assert "5 处错误" in reply.text
    assert await office.scalar("SELECT count(*) FROM plan_tasks") == 0
    assert await office.scalar("SELECT count(*) FROM items") == 0
    assert await office.scalar("SELECT count(*) FROM outbox WHERE rule = 'letter'") == 0

    # still waiting for a good file: a typed message is told what to send
    await sup.send("好的")
    await sup.expect("请发送填好的计划表")
    await sup.send_document(b"not a workbook", "plan.xlsx")
    await sup.expect("无法读取该文件")
    await sup.send("/cancel")
    await sup.expect("已取消")
    await sup.send_document(workbook(rows), "again.xlsx")  # outside /import: told how
    await sup.expect("请先发送 /import 再发送文件")
    assert await office.scalar("SELECT count(*) FROM plan_tasks") == 0


async def test_strangers_and_liaisons_cannot_import_or_see_the_plan(planned, emu):
    office, people = planned
    zj = people["zj"]
    await zj.send("/import")
    await zj.expect("仅限")
    await zj.send("/plan")
    await zj.expect("仅限")
    await zj.send("/key T01 理由")
    await zj.expect("仅限")
    stranger = emu.user(999, "路人")
    await stranger.send_document(workbook(sample_rows()), "x.xlsx", caption="/import")
    await stranger.expect("仅供督查室")
    assert await office.scalar("SELECT count(*) FROM plan_tasks") == 8


# ---- progress with quantities -------------------------------------------------------------------


async def _report(user, progress_text: str, quantity: str) -> str:
    await user.send("/report")
    picker = await user.expect("报送进展")
    if "请选择" in picker.text or picker.button_texts:
        button = next((b for b in picker.button_texts if "完成改造投资" in b), None)
        if button:
            await user.press(button)
    await user.expect("进展情况")
    await user.send(progress_text)
    await user.expect("完成进度")
    await user.send("40")
    ask = await user.expect("累计完成")
    assert "亿元" in ask.text and "目标：10亿元" in ask.text
    await user.send(quantity)
    await user.expect("困难和问题")
    await user.press("无")
    await user.expect("下步打算")
    await user.send("继续推进")
    await user.expect("附件")
    await user.press("完成")
    preview = await user.expect("请核对")
    await user.press("提交")
    await user.expect("已报送进展")
    return preview.text


async def test_quantities_over_three_periods(planned):
    office, people = planned
    zj, sup = people["zj"], people["sup"]
    item = await _item_of(office, "T01-02")  # 完成改造投资 10 亿元, 住建局, monthly
    await zj.press_data(f"v1:sg:{item['id']}")
    await zj.expect("已签收")

    preview = await _report(zj, "一月完成投资", "3.5")
    assert "累计完成：3.5亿元（目标10亿元，完成35%）" in preview

    office.clock.set(datetime(2026, 2, 10, 10, 0, tzinfo=TZ))
    await zj.send("/report")
    await zj.expect("进展情况")
    await zj.send("二月")
    await zj.expect("完成进度")
    await zj.send("60")
    await zj.expect("累计完成")
    for bad in ("-1", "很多", "3.5公里", "1.23456"):
        await zj.send(bad)
        await zj.expect("不是有效的数量")
    await zj.press("沿用上次：3.5亿元")
    await zj.expect("困难和问题")
    await zj.send("/cancel")
    await zj.expect("已取消")
    await _report(zj, "二月完成投资", "7")

    office.clock.set(datetime(2026, 3, 10, 10, 0, tzinfo=TZ))
    await _report(zj, "三月超额完成", "11.2")

    quantities = await office.rows(
        "SELECT quantity, period_key FROM reports WHERE item_id = ? ORDER BY id", (item["id"],)
    )
    assert [q["quantity"] for q in quantities] == ["3.5", "7", "11.2"]
    assert len({q["period_key"] for q in quantities}) == 3

    await sup.send("/plan T01-02")
    detail = await sup.expect("T01 老旧小区改造")
    assert "累计 11.2/10亿元（112%）" in detail.text  # over-achieved, not capped
    assert "◀" in detail.text
    assert "季度检查点 3月31日（届时时间进度24%）" in detail.text  # 89 of 364 days

    await zj.send("/item T01-02")
    record = await zj.expect("大事要事：T01 老旧小区改造")
    assert "累计完成 11.2/10亿元（112%）" in record.text
    await zj.send("/item 任务书T05-01")
    await zj.expect("工程建设项目审批时限压缩")
    await people["jt"].send("/item T01-02")
    await people["jt"].expect("不属于您所在单位")

    await zj.send("/complete")  # the reviewer sees the numbers beside the five checks
    await zj.expect("办结报告")
    await zj.send("全年投资任务已超额完成。")
    await zj.expect("佐证材料")
    await zj.press("完成")
    await zj.press("提交", message=await zj.expect("请核对办结报告"))
    card = await sup.expect("办结审核")
    assert "量化目标：累计完成 11.2/10亿元（112%）" in card.text

    await sup.send("/export")
    exported = await sup.expect(lambda m: m.document is not None)
    sheet = load_workbook(BytesIO(exported.document_bytes))["大事要事"]
    header = [c.value for c in sheet[1]]
    rows = {
        r[4]: dict(zip(header, r, strict=True))
        for r in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert len(rows) == 30
    money = rows["T01-02"]
    assert (money["目标数量"], money["累计完成"], money["完成%"]) == (10, 11.2, 112)
    assert money["计量单位"] == "亿元" and money["督办编号"] == "督办〔2026〕2号"


# ---- seasonal windows -------------------------------------------------------------------------


async def test_a_seasonal_target_is_not_chased_before_its_window(planned):
    office, _ = planned
    seasonal = (await _item_of(office, "T07-01"))["id"]  # 住建局, window 2026-03-01
    ordinary = (await _item_of(office, "T01-01"))["id"]  # 住建局, 年度
    day = date(2026, 1, 6)
    while day <= date(2026, 3, 3):
        await _tick_on(office, day)
        day += timedelta(days=1)
    rows = await office.rows(  # the steps taken on each item, by the digests that carried them
        "SELECT item_id, day FROM chases WHERE item_id IN (?, ?)", (seasonal, ordinary)
    )
    early = [r for r in rows if r["item_id"] == seasonal and r["day"] < "2026-03-01"]
    assert early == []
    assert any(r["item_id"] == ordinary and r["day"] < "2026-02-01" for r in rows)
    first = min(r["day"] for r in rows if r["item_id"] == seasonal)
    assert first == "2026-03-02"  # 1 March 2026 is a Sunday: the first working day after

    await office.stop()  # the window outlives a restart: it is in the database
    await office.start()
    assert (await _item_of(office, "T07-01"))["chase_from"] == "2026-03-01"


# ---- multi-year roll-over ------------------------------------------------------------------------


async def _close(office: Office, people: dict, code: str, liaison: str) -> None:
    item = await _item_of(office, code)
    user = people[liaison]
    await user.press_data(f"v1:sg:{item['id']}")
    await user.expect("已签收")
    office_ = office.office
    person = await office_.person(user.id)
    done = await progress.submit_completion(office_, person, item["id"], "本年度节点已完成")
    sup = await office_.person(people["sup"].id)
    await review.pass_report(office_, sup, done.report_id, review.ALL_PASS)


async def test_a_multi_year_target_rolls_into_the_next_year(planned):
    office, people = planned
    first = await _item_of(office, "T04-01")  # 交通局, 2026-12-31 then 2027-12-31
    office.clock.set(datetime(2026, 12, 1, 10, 0, tzinfo=TZ))
    await _close(office, people, "T04-01", "jt")
    assert (await _item_of(office, "T04-01"))["status"] == Status.CLOSED

    await _tick_on(office, date(2026, 12, 21))  # closed, but 2027 has not begun
    assert (await _item_of(office, "T04-01"))["id"] == first["id"]

    await _tick_on(office, date(2027, 1, 4))
    following = await _item_of(office, "T04-01")
    assert following["id"] != first["id"]
    assert (following["deadline"], following["status"]) == ("2027-12-31", Status.AWAITING_SIGN)
    assert (following["year"], following["serial"]) == (2027, 1)  # 督办〔2027〕1号
    assert "本年度节点：2027年12月31日 建成通车" in following["instruction"]
    await drain(office)
    await people["jt"].expect("督办〔2027〕1号")

    await _tick_on(office, date(2027, 1, 5))  # once only
    assert await office.scalar("SELECT count(*) FROM items WHERE plan_code = 'T04-01'") == 2

    rows = await queries.ledger(office.office, system=True)
    book = load_workbook(BytesIO(await ledger_xlsx.build(office.office, rows)))
    titles = [(r[0], r[1]) for r in book["督办台账"].iter_rows(min_row=2, values_only=True) if r[1]]
    assert sum(1 for _, t in titles if "快速路一期" in str(t)) == 2

    overview = await plan_views.year_plan(office.office, 2027)
    assert {t.code for t in overview} >= {"T04", "T06", "T08"}  # 跨年度 tasks carry over
    assert "T02" not in {t.code for t in overview}


# ---- 重点 --------------------------------------------------------------------------------------


async def test_key_raised_and_lowered_with_a_reason_and_audit(planned):
    office, people = planned
    sup = people["sup"]
    t02 = {r["id"] for r in await office.rows("SELECT id FROM items WHERE plan_code LIKE 'T02-%'")}
    assert await office.scalar("SELECT sum(is_key) FROM items WHERE plan_code LIKE 'T02-%'") == 0

    await sup.send("/key T99 理由充分")
    await sup.expect("找不到编号为“T99”")
    await sup.send("/key T02")  # no reason: the task shown, then its reason asked
    card = await sup.expect("任务 T02「稳就业」")
    await sup.press("设为重点", message=card)
    await sup.expect("请输入设为重点的理由")
    await sup.send("列入市委年度重点工作")
    done = await sup.expect("已将任务“T02")
    assert "涉及在办事项3项" in done.text
    assert await office.scalar("SELECT sum(is_key) FROM items WHERE plan_code LIKE 'T02-%'") == 3
    await sup.send("/key T02 再设一次")
    await sup.expect("已经是重点")

    await sup.send("/items 重点")
    listing = await sup.expect("在办督办事项")
    assert "新增城镇就业" in listing.text

    svc = office.app.bot_data["services"]
    weekly = "\n".join(await leader_channel.render_weekly(svc, office.clock.now()))
    assert "钱副市长分管" in weekly and "新增城镇就业" in weekly
    assert weekly.index("赵主任分管") < weekly.index("钱副市长分管")  # first seen first

    # a key target stays key when its task is lowered
    await sup.send("/unkey T01 年中调整")
    await sup.expect("取消任务“T01")
    keys = await office.rows(
        "SELECT plan_code, is_key FROM items WHERE plan_code LIKE 'T01-%' ORDER BY plan_code"
    )
    assert [(k["plan_code"], k["is_key"]) for k in keys] == [
        ("T01-01", 0),
        ("T01-02", 1),  # 目标重点 in the sheet
        ("T01-03", 0),
        ("T01-04", 0),
    ]
    await sup.send("/unkey T02 年中调整")
    await sup.expect("取消任务“T02")
    audits = await office.rows(
        "SELECT action, item_id, detail FROM audit WHERE action IN ('设为重点', '取消重点')"
    )
    raised = [a for a in audits if a["action"] == "设为重点"]
    assert {a["item_id"] for a in raised if a["item_id"]} == t02
    assert all("列入市委年度重点工作" in a["detail"] for a in raised)
    assert sum(1 for a in audits if a["action"] == "取消重点" and a["item_id"] is None) == 2


# ---- escalation to the 分管领导 ----------------------------------------------------------------


async def test_an_overdue_target_is_escalated_to_its_leader(planned, emu):
    office, people = planned
    late = await _item_of(office, "T01-04")  # 环境局, 2026-09-30, 分管: 赵主任 (registered)
    sun_led = await _item_of(office, "T07-04")  # 交通局, 2026-04-30, 分管: 孙副市长
    # the sheet says 孙副市长; he registers as 孙伟, 副市长: surname and title match
    sun = emu.user(202, "孙伟")
    await office.register(sun, await office.cli_invite(Role.LEADER), "孙伟", title="副市长")
    day = date(2026, 10, 8)  # first ticks after the deadlines: the ladder is caught up
    while day <= date(2026, 10, 14):  # one step a day: 3 reminders, then the escalation
        await _tick_on(office, day)
        await drain(office)  # a digest still queued when its day ends is dropped, not counted
        day += timedelta(days=1)
    zhao = await office.office.person(people["leader"].id)
    sun_id = (await office.office.person(sun.id)).id
    rows = await office.rows("SELECT person_id, context FROM outbox WHERE rule = 'followup'")

    def told(person_id: int, item_id: int) -> bool:
        return any(
            r["person_id"] == person_id and f'"overdue:{item_id}:' in r["context"] for r in rows
        )

    assert told(zhao.id, late["id"]) and not told(zhao.id, sun_led["id"])
    assert told(sun_id, sun_led["id"]) and not told(sun_id, late["id"])
    sup = await office.office.person(people["sup"].id)
    assert told(sup.id, sun_led["id"]) and told(sup.id, late["id"])  # and the supervisor
    await drain(office)
    message = await people["leader"].expect(lambda m: "改造雨污管网" in (m.text or ""))
    assert "分管目标逾期" in message.text and "您分管的大事要事任务" in message.text
    assert "孙副市长" not in message.text


# ---- views and the leader channel ---------------------------------------------------------------


async def test_plan_before_any_import_says_how_to_start(january):
    _, people = january
    await people["leader"].send("/plan")
    empty = await people["leader"].expect("2026年大事要事")
    assert "还没有导入大事要事计划" in empty.text and "/import" in empty.text
    assert "🔴" not in empty.text and "查看明细" not in empty.text


async def test_plan_views_and_the_quarterly_post(planned):
    office, people = planned
    leader = people["leader"]
    office.clock.set(datetime(2026, 4, 1, 10, 0, tzinfo=TZ))
    await leader.send("/plan")
    overview = await leader.expect("2026年大事要事")
    assert "任务8项、目标30个" in overview.text
    await leader.send("/plan 2027")
    later = await leader.expect("2027年大事要事")
    assert "任务3项" in later.text  # the 跨年度 tasks T04, T06, T08 carry into 2027
    await leader.send("/plan T04")
    detail = await leader.expect("T04 城市快速路建设")
    assert "节点：" in detail.text and "▶" in detail.text

    queued = await scheduler.tick(office.app)  # 1 April: first working day of Q2
    assert queued > 0
    posts = await office.rows("SELECT dedupe_key, context FROM outbox WHERE rule = 'quarterly'")
    assert posts and posts[0]["dedupe_key"] == "quarterly:2026-Q1:1"
    assert "一季度末" in posts[0]["context"] and "重点任务" in posts[0]["context"]
    assert "任务8项、目标30个" in posts[0]["context"]  # the lights count targets, not tasks
    await scheduler.tick(office.app)
    assert await office.scalar("SELECT count(*) FROM outbox WHERE rule = 'quarterly'") == len(posts)


async def test_an_oversized_or_wrong_file_changes_nothing(tmp_path, emu):
    office = Office(
        tmp_path,
        emu,
        FakeClock(datetime(2026, 1, 5, 10, 0, tzinfo=TZ)),
        max_attachment_mb=1,
    )
    await office.start()
    try:
        await office.import_units()
        sup = emu.user(101, "督查员王")
        await office.register(sup, await office.cli_invite(Role.SUPERVISOR), "王督查")
        await sup.send("/import")
        await sup.expect("导入大事要事计划")
        await sup.send_document(b"x" * (1024 * 1024 + 1), "big.xlsx")
        await sup.expect("计划表文件太大（超过1MB）")
        await sup.send_document(b"%PDF-1.4", "plan.pdf")
        await sup.expect("请发送填好的计划表（.xlsx 文件）")
        await sup.send_photo(b"\x89PNG")
        await sup.expect("请发送填好的计划表（.xlsx 文件）")
        assert await office.scalar("SELECT count(*) FROM plan_tasks") == 0
    finally:
        await office.stop()


# ---- a plan imported late ------------------------------------------------------------------------


@pytest.fixture
async def november(tmp_path: Path, emu):
    office, people = await plan_office(tmp_path, emu, datetime(2026, 11, 16, 10, 0, tzinfo=TZ))
    yield office, people
    await office.stop()


async def test_a_plan_imported_in_november_chases_may_targets_from_the_import(november):
    office, people = november
    sup, zj = people["sup"], people["zj"]
    rows = sample_rows()
    set_cell(rows, "T01-01", "期限类型", "年内")
    set_cell(rows, "T01-01", "完成期限", "2026-05-29")  # 住建局's, due in May
    await sup.send_document(workbook(rows), "2026年大事要事.xlsx", caption="/import")
    reply = await sup.expect("计划已导入")
    assert "个目标已过期限，将从今日起按逾期跟踪" in reply.text
    assert "T01-01" in reply.text and "T07-04" in reply.text  # due 29 May and 30 April
    assert "节点日期已过" in reply.text and "T02-03 6月30日 上半年6场" in reply.text
    assert (await _item_of(office, "T01-01"))["chase_from"] == "2026-11-16"

    await drain(office)
    await zj.press("签收")
    day = date(2026, 11, 17)
    while day <= date(2026, 11, 27):  # past the ladder: reminders, then the escalation
        await _tick_on(office, day)
        await drain(office)
        day += timedelta(days=1)
    said = [m.text or "" for p in people.values() for m in p.inbox]
    late = [int(n) for text in said for n in re.findall(r"已逾期(\d+)个工作日", text)]
    assert late and max(late) <= 9  # 16–27 November: 9 working days since the import
    assert any("已逾期1个工作日" in text and "完成老旧小区改造" in text for text in zj_texts(zj))
    followups = await office.rows("SELECT context FROM outbox WHERE rule = 'followup'")
    assert followups and not any("已逾期126" in r["context"] for r in followups)


def zj_texts(person) -> list[str]:
    return [m.text or "" for m in person.inbox]


async def test_a_past_milestone_with_nothing_reported_is_not_ticked(november):
    office, people = november
    await plan.load_sheet(office.office, None, workbook(sample_rows()), letters_fixer(office))
    await people["leader"].send("/plan T02")
    detail = await people["leader"].expect("T02 稳就业")
    line = next(t for t in detail.text.splitlines() if "上半年6场" in t)
    assert "✓" not in line and "✗2026年6月30日 上半年6场" in line

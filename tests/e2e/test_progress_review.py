"""进展 with carry-over and attachments, corrections before reading, and the 五查 review."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.items import Status
from domain.models import Role
from tests.e2e.conftest import Office, invite_liaison
from tests.e2e.steps import answer, complete, fill_new_item, signed_item
from tests.emulator.support import PNG


async def test_progress_with_attachments_correction_and_second_period(office, staffed):
    zj, sup = staffed["zj"], staffed["sup"]
    await signed_item(office, staffed)

    await zj.send("/report")
    await zj.expect("第1步/共5步")
    await answer(
        zj,
        ("send", "已完成32个小区外墙改造", "完成进度"),
        ("send", "30%", "困难和问题"),
        ("send", "资金缺口较大", "下步打算"),
        ("send", "争取专项资金，12月底前完成剩余改造", "附件"),
    )
    await zj.send_document(b"%PDF-1.4 test", filename="进度表.pdf", mime_type="application/pdf")
    await zj.expect("已收到附件：进度表.pdf（共1个）")
    await zj.send_photo(PNG)
    await zj.expect("共2个")
    await zj.send_document(b"MZ", filename="virus.exe", mime_type="application/octet-stream")
    await zj.expect("不支持“virus.exe”这种文件类型")
    await zj.press("完成")
    preview = await zj.expect("请核对")
    assert "30%" in preview.text and "进度表.pdf" in preview.text
    await zj.press("提交")
    await zj.expect("已报送进展")

    notice = await sup.expect("报送进展")
    assert "重点事项反映困难" in notice.text and "资金缺口较大" in notice.text
    assert await office.scalar("SELECT count(*) FROM alerts WHERE kind = 'key_difficulty'") == 1
    files = await office.rows("SELECT * FROM attachments ORDER BY id")
    assert [f["kind"] for f in files] == ["document", "photo"]
    assert Path(files[0]["local_path"]).read_bytes() == b"%PDF-1.4 test"

    # 补充更正 before the supervisor has read it: carries everything over, changes the percent
    await zj.press("补充更正")
    carried = await zj.expect("上次报送")
    assert "已完成32个小区外墙改造" in carried.text
    await answer(
        zj,
        ("press", "沿用上次：已完成32个小区外墙改造", "完成进度"),
        ("send", "40", "困难和问题"),
        ("press", "沿用上次：资金缺口较大", "下步打算"),
        ("press", "沿用上次：争取专项资金，12月底前完成剩余改造", "附件"),
        ("press", "完成", "请核对"),
        ("press", "提交", "已补充更正"),
    )
    rows = await office.rows("SELECT version, corrects, percent, period_key FROM reports")
    assert [(r["version"], r["corrects"], r["percent"]) for r in rows] == [
        (1, None, 30),
        (2, 1, 40),
    ]
    # the supervisor reads version 2: no more corrections, and version 1 is superseded
    correction_notice = await sup.expect("补充更正了进展")
    await sup.press("已阅", message=correction_notice)
    done = next(m for m in reversed(zj.inbox) if "补充更正" in m.button_texts)
    for data, expected in (("v1:pc:2", "已阅读该报告"), ("v1:pc:1", "已有更新的版本")):
        result = await zj.press_data(data, message=done)
        await result.answered()
        assert expected in result.answer

    # a week later: a new period, a new version 1
    office.clock.advance(days=7)
    await zj.send("/report")
    await zj.expect("上次报送")
    await answer(
        zj,
        ("send", "又完成20个小区", "完成进度"),
        ("press", "推进中（50%）", "困难和问题"),
        ("press", "无", "下步打算"),
        ("send", "继续推进", "附件"),
        ("press", "完成", "请核对"),
        ("press", "提交", "本期第1版"),
    )
    periods = [r["period_key"] for r in await office.rows("SELECT period_key FROM reports")]
    assert periods[0] == periods[1] != periods[2]
    assert await office.scalar("SELECT count(*) FROM alerts") == 1  # no difficulty, no alert


async def test_completion_returned_verified_and_passed(office, staffed):
    zj, sup, jt = staffed["zj"], staffed["sup"], staffed["jt"]
    await signed_item(office, staffed)
    await jt.send("/complete")
    await jt.expect("没有可以申请办结的事项")

    await zj.send("/complete")
    await complete(zj, "改造已全部完成，验收合格。")
    card = await sup.expect("办结审核")
    assert "改造已全部完成" in card.text and "第1次报送" in card.text
    assert await office.scalar("SELECT status FROM items") == Status.UNDER_REVIEW

    result = await sup.press("通过办结", message=card)
    await result.answered()
    assert "五查未全部通过" in result.answer
    for name in ("按批示精神办理", "问题全部查清", "定性结论准确"):
        await sup.press(f"☐ {name}", message=card)
        await office.emu.wait_until(lambda n=name: f"☑ {n}" in card.button_texts)
    await sup.press("退回补充", message=card)
    await sup.expect("退回补充的理由")
    await sup.send("整改台账未附")
    await sup.expect("已退回补充")
    returned = await zj.expect("办结报告被退回补充")
    assert "整改意见不务实" in returned.text and "措施未落实到位" in returned.text
    assert "问题未全部查清" not in returned.text and "整改台账未附" in returned.text
    assert await office.scalar("SELECT returns FROM items") == 1
    assert await office.scalar("SELECT status FROM items") == Status.RETURNED_FOR_SUPPLEMENT

    await zj.press("重新报送办结报告")
    await complete(zj, "已补充整改台账。")
    second = await sup.expect("第2次报送")
    stale = await sup.press("退回补充", message=card)
    await stale.answered()
    assert "已有更新的版本" in stale.answer

    await sup.press("需实地核查", message=second)
    await answer(sup, ("send", "李科长", "核查时间"), ("send", "12月5日", "已安排实地核查"))
    assert await office.scalar("SELECT status FROM items") == Status.AWAITING_VERIFICATION
    report_id = await office.scalar("SELECT max(id) FROM reports WHERE kind = 'completion'")
    forged = await zj.press_data(f"v1:fd:{report_id}")  # a liaison may not record the finding
    await forged.answered()
    assert "仅限督查员" in forged.answer
    await sup.press("录入核查结果")
    await sup.expect("实地核查结果")
    await sup.send("现场查看，改造属实")
    third = await sup.expect("核查结果：现场查看，改造属实")
    for index in range(5):
        await sup.press(third.button_texts[index], message=third)
        await office.emu.wait_until(lambda i=index: third.button_texts[i].startswith("☑"))
    await sup.press("通过办结", message=third)
    passed = await sup.expect("已通过办结")
    assert "已安排回访" in passed.text
    await zj.expect("办结审核通过")
    assert await office.scalar("SELECT status FROM items") == Status.CLOSED
    assert await office.scalar("SELECT count(*) FROM revisits") == 2
    assert await office.scalar("SELECT count(*) FROM alerts WHERE kind = 'closed'") == 1

    await sup.send("/item 1")
    record = await sup.expect("办理过程")
    for step in ("申请办结", "退回补充", "重新报送办结", "需实地核查", "录入核查结果", "通过办结"):
        assert step in record.text, step


@pytest.fixture
async def small_files(tmp_path, emu, clock):
    running = Office(tmp_path, emu, clock, max_attachment_mb=1)
    await running.start()
    await running.import_units()
    yield running
    await running.stop()


async def test_oversized_attachment_is_refused(small_files, emu):
    sup, zj = emu.user(101, "督查员"), emu.user(301, "住建")
    await small_files.register(sup, await small_files.cli_invite(Role.SUPERVISOR), "王督查")
    await small_files.register(
        zj, await invite_liaison(small_files, sup, "市住房和城乡建设局"), "住"
    )
    await fill_new_item(sup, co=())
    await sup.press("提交")
    await sup.expect("请审定督办函")
    await sup.press("同意下发")
    await zj.expect("督 办 函")
    await zj.press("签收")
    await zj.expect("已签收")
    await zj.send("/report")
    await answer(
        zj,
        ("send", "进展", "完成进度"),
        ("send", "10", "困难和问题"),
        ("press", "无", "下步打算"),
        ("send", "下步", "附件"),
    )
    await zj.send_document(b"x" * (1024 * 1024 + 1), filename="大文件.pdf")
    await zj.expect("超过1MB")
    assert await small_files.scalar("SELECT count(*) FROM attachments") == 0

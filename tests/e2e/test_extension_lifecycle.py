"""申请延期 through /extend and the supervisor's card; 暂停 / 恢复 / 撤销 through their buttons.

The item (from the journey's /new form) is led by 住建局 with 交通局, deadline 15 working days
after Tuesday 2026-11-24.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import pytest

import bot.app
from domain.items import Status
from domain.models import Person, Role
from domain.workdays import WorkdayCalendar
from handlers import basics, extension, lifecycle
from tests.e2e.conftest import Office
from tests.e2e.steps import approved_item, signed_item

NEW = "2027-01-15"
OLD = WorkdayCalendar().add_workdays(date(2026, 11, 24), 15)  # the /new form's 15个工作日


@pytest.fixture
async def office(tmp_path, emu, clock, monkeypatch) -> AsyncIterator[Office]:
    """The running bot with /extend and the lifecycle handlers, until bot/app.py has them."""
    if not any(module is extension for module in vars(bot.app).values()):
        catch_alls = basics.build
        monkeypatch.setattr(
            basics, "build", lambda: [*extension.build(), *lifecycle.build(), *catch_alls()]
        )
    running = Office(tmp_path, emu, clock)
    await running.start()
    await running.import_units()
    yield running
    await running.stop()


def cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


async def request_extension(zj, new: str = NEW, reason: str = "需等待省住建厅批复资金") -> None:
    """The lead liaison's /extend form, answered as on a phone."""
    await zj.send("/extend")
    await zj.expect("新的办理时限")
    await zj.send(new)
    await zj.expect("延期理由")
    await zj.send(reason)
    await zj.expect("请核对延期申请")
    await zj.press("提交")
    await zj.expect("已提交延期申请")


async def test_extension_requested_and_granted(office, staffed):
    sup, zj, jt, leader = (staffed[k] for k in ("sup", "zj", "jt", "leader"))
    await signed_item(office, staffed)
    old = OLD

    await zj.send("/extend")
    asked = await zj.expect("新的办理时限")
    assert cn(old) in asked.text
    for bad, answer in (
        ("下个月", "不是有效的日期"),
        ("2026-11-01", "不在今天之后"),
        (old.isoformat(), "须晚于现在的办理时限"),
    ):
        await zj.send(bad)
        await zj.expect(answer)
    await zj.send(NEW)
    await zj.expect("延期理由")
    await zj.send("需等待省住建厅批复资金")
    preview = await zj.expect("请核对延期申请")
    assert "2027年1月15日" in preview.text
    await zj.press("提交")
    await zj.expect("已提交延期申请")
    assert await office.scalar("SELECT status FROM items") == Status.EXTENSION_REQUESTED

    card = await sup.expect("延期申请")
    for part in (cn(old), "2027年1月15日", "需等待省住建厅批复资金", "市住房和城乡建设局"):
        assert part in card.text
    assert card.button_texts == ["同意延期", "不同意延期"]
    # a liaison or a leader pressing the supervisor's button is refused
    for user in (zj, jt, leader):
        result = await user.press_data("v1:eg:1", message=card)
        await result.answered()
        assert "仅限督查员使用" in result.answer
    assert await office.scalar("SELECT status FROM items") == Status.EXTENSION_REQUESTED

    await sup.press("同意延期", message=card)
    done = await sup.expect("已同意延期")
    assert "机器人正在通知市住房和城乡建设局" in done.text
    told = await zj.expect("延期申请已同意")
    assert "调整为 2027年1月15日" in told.text
    assert await office.scalar("SELECT deadline FROM items") == NEW
    assert await office.scalar("SELECT status FROM items") == Status.IN_PROGRESS

    # the same card pressed again: refused, nothing changes
    again = await sup.press_data("v1:eg:1", message=card)
    await again.answered()
    assert "无需重复处理" in again.answer
    assert await office.scalar("SELECT count(*) FROM audit WHERE action = '同意延期'") == 1
    assert await office.scalar("SELECT deadline FROM items") == NEW

    # the deadline history: in the audit and in /item
    history = await office.rows(
        "SELECT action, detail FROM audit WHERE action IN ('申请延期', '同意延期') ORDER BY id"
    )
    assert [h["action"] for h in history] == ["申请延期", "同意延期"]
    assert f'"old_deadline": "{old.isoformat()}"' in history[1]["detail"]
    await sup.send("/item 1")
    record = await sup.expect("办理过程")
    assert "申请延期" in record.text and "需等待省住建厅批复资金" in record.text
    assert f"同意延期 · 市住房和城乡建设局 · 王督查：{old.isoformat()} → {NEW}" in record.text
    assert "办理时限：2027年1月15日" in record.text


async def test_extension_refused_with_reason(office, staffed):
    sup, zj = staffed["sup"], staffed["zj"]
    await signed_item(office, staffed)
    await request_extension(zj)
    card = await sup.expect("延期申请")
    await sup.press("不同意延期", message=card)
    await sup.expect("不同意延期的理由")
    await sup.send("资金已下达，不存在客观障碍")
    done = await sup.expect("已不同意延期")
    assert "资金已下达" in done.text
    told = await zj.expect("延期申请未获同意")
    assert "资金已下达，不存在客观障碍" in told.text and cn(OLD) in told.text
    assert await office.scalar("SELECT deadline FROM items") == OLD.isoformat()
    assert await office.scalar("SELECT status FROM items") == Status.IN_PROGRESS
    assert await office.scalar("SELECT decision FROM extensions") == "refused"
    # 不同意延期 pressed again on the same card: refused before a reason is asked
    again = await sup.press_data("v1:en:1", message=card)
    await again.answered()
    assert "无需重复处理" in again.answer


async def test_extension_after_the_deadline_is_refused(office, staffed):
    zj = staffed["zj"]
    await signed_item(office, staffed)
    office.clock.advance(days=30)
    await zj.send("/extend")
    refusal = await zj.expect("不能再申请延期")
    assert "督查" in refusal.text
    assert await office.scalar("SELECT count(*) FROM extensions") == 0
    assert await office.scalar("SELECT status FROM items") == Status.IN_PROGRESS


async def test_form_survives_a_restart_cancels_and_allows_one_open_request(office, staffed):
    zj, jt = staffed["zj"], staffed["jt"]
    await signed_item(office, staffed)
    await zj.send("/extend")
    await zj.expect("新的办理时限")
    await zj.send(NEW)
    await zj.expect("延期理由")
    await office.restart()
    await zj.send("重启前填写的延期")
    await zj.expect("请核对延期申请")
    await zj.send("/cancel")
    await zj.expect("已取消")
    assert await office.scalar("SELECT count(*) FROM extensions") == 0
    await request_extension(zj)

    await zj.send("/extend")
    await zj.expect("目前没有可以申请延期的事项")
    stale = await zj.press_data("v1:ex:1", message=zj.last)
    await stale.answered()
    assert "督查室尚未答复" in stale.answer
    # the co-unit may not ask at all
    await jt.send("/extend")
    await jt.expect("目前没有可以申请延期的事项")
    forged = await jt.press_data("v1:ex:1", message=jt.last)
    await forged.answered()
    assert "只有牵头单位" in forged.answer
    assert await office.scalar("SELECT count(*) FROM extensions") == 1


async def suspend(sup, reason: str) -> None:
    await sup.send("/suspend 1")
    card = await sup.expect("请核对事项无误")
    assert card.button_texts == ["暂停"]
    await sup.press("暂停")
    await sup.expect("暂停的理由")
    await sup.send(reason)
    await sup.expect("已暂停")


async def test_suspend_and_resume_before_and_after_signing(office, staffed):
    sup, zj, jt = staffed["sup"], staffed["zj"], staffed["jt"]
    await approved_item(office, staffed)
    letter = zj.last
    await jt.expect("督 办 函")

    await suspend(sup, "上级要求暂缓，待机构调整后实施")
    for liaison in (zj, jt):
        told = await liaison.expect("督办事项暂停办理")
        assert "上级要求暂缓，待机构调整后实施" in told.text
    assert await office.scalar("SELECT status FROM items") == Status.SUSPENDED
    assert await office.scalar("SELECT suspended_from FROM items") == Status.AWAITING_SIGN
    refused = await zj.press_data("v1:sg:1", message=letter)
    await refused.answered()
    assert "不能执行“签收”" in refused.answer

    assert sup.last.button_texts == ["恢复", "撤销"]
    await sup.press("恢复")
    await sup.expect("已恢复")
    await zj.expect("督办事项恢复办理")
    assert await office.scalar("SELECT status FROM items") == Status.AWAITING_SIGN
    assert await office.scalar("SELECT suspended_from FROM items") is None

    await zj.press("签收", message=letter)
    await zj.expect("已签收")
    await suspend(sup, "等待审计结论")
    assert await office.scalar("SELECT suspended_from FROM items") == Status.IN_PROGRESS
    await sup.send("/resume 1")
    await sup.expect("已恢复")
    await jt.expect("督办事项恢复办理")
    assert await office.scalar("SELECT status FROM items") == Status.IN_PROGRESS
    await sup.send("/resume 1")
    await sup.expect("不能执行“恢复”")
    actions = await office.rows("SELECT action FROM audit WHERE action IN ('暂停', '恢复')")
    assert [a["action"] for a in actions] == ["暂停", "恢复", "暂停", "恢复"]


async def test_cancel_with_reason_then_never_again(office, staffed):
    sup, zj, jt = staffed["sup"], staffed["zj"], staffed["jt"]
    await signed_item(office, staffed)
    await zj.send("/suspend 1")
    await zj.expect("仅限督查员使用")
    await sup.send("/revoke")
    picker = await sup.expect("请选择要撤销的事项")
    assert [b.split()[0] for b in picker.button_texts] == ["督办〔2026〕1号"]
    await sup.send("/revoke 1")
    card = await sup.expect("请核对事项无误")
    await sup.press("撤销")
    await sup.expect("撤销的理由")
    await sup.send("市政府已调整计划，不再实施")
    done = await sup.expect("已撤销")
    assert "机器人正在通知2位单位联络员" in done.text
    for liaison in (zj, jt):
        told = await liaison.expect("督办事项已撤销")
        assert "市政府已调整计划，不再实施" in told.text
    assert await office.scalar("SELECT status FROM items") == Status.CANCELLED

    await sup.send("/revoke 1")
    await sup.expect("不能执行“撤销”")
    stale = await sup.press_data("v1:cx:1", message=card)
    await stale.answered()
    assert "不能执行“撤销”" in stale.answer
    await sup.send("/suspend 1")
    await sup.expect("不能执行“暂停”")
    await sup.send("/revoke")
    await sup.expect("目前没有可以撤销的事项")
    assert await office.scalar("SELECT count(*) FROM audit WHERE action = '撤销'") == 1


def test_item_action_buttons_follow_the_status_table():
    from domain.models import Category, Item, Period, Source

    def item(status: Status) -> Item:
        return Item(
            id=7,
            title="t",
            instruction="",
            instructing_leader="",
            source=Source.INSTRUCTION,
            category=Category.ORDER,
            deadline=date(2026, 12, 31),
            period=Period.WEEKLY,
            is_key=False,
            status=status.value,
            created_by=1,
            created_at="",
        )

    sup = Person(1, 1, 1, Role.SUPERVISOR, "王")
    liaison = Person(2, 2, 2, Role.LIAISON, "李", unit_id=1)

    def labels(status: Status, person: Person | None = sup) -> list[str]:
        return [
            text for row in lifecycle.item_action_buttons(item(status), person) for text, _ in row
        ]

    assert labels(Status.IN_PROGRESS) == ["暂停", "撤销"]
    assert labels(Status.AWAITING_SIGN) == ["暂停", "撤销"]
    assert labels(Status.SUSPENDED) == ["恢复", "撤销"]
    assert labels(Status.UNDER_REVIEW) == ["撤销"]
    assert labels(Status.CLOSED) == []
    assert labels(Status.CANCELLED) == []
    assert labels(Status.IN_PROGRESS, liaison) == []
    assert labels(Status.IN_PROGRESS, None) == []
    assert lifecycle.item_action_buttons(item(Status.SUSPENDED), sup)[0][0][1] == "v1:ru:7"

"""重新发送: a card that did not arrive is retried, or sent again by the person it concerns."""

from __future__ import annotations

from handlers import callbacks as cb
from storage import outbox
from storage.outbox import Push
from tests.e2e.conftest import Office
from tests.e2e.steps import complete, fill_new_item, signed_item

REFUSED_400 = "Bad Request: can't parse entities"


async def rejected(office: Office, chat_id: int, code: int) -> None:
    """Wait until the sender's request to that chat has been refused with `code`."""
    await office.emu.wait_until(
        lambda: any(
            c.error_code == code and str(c.params.get("chat_id")) == str(chat_id)
            for c in office.emu.calls_of("sendMessage")
        )
    )


async def card_row(office: Office, rule: str, unit: str | None = None) -> dict:
    """The one row of that rule (to that unit, if named)."""
    (row,) = await office.rows(
        "SELECT o.id, o.state FROM outbox o LEFT JOIN units u ON u.id = o.unit_id"
        " WHERE o.rule = ? AND (? IS NULL OR u.name = ?)",
        (rule, unit, unit),
    )
    return row


def count(user, text: str) -> int:
    return sum(text in m.text for m in user.inbox)


async def submitted_with_card_refused(office: Office, staffed, co=("交通局",)) -> dict:
    """A draft submitted while Telegram refuses the leader's 审定 card for good."""
    sup, leader = staffed["sup"], staffed["leader"]
    await fill_new_item(sup, co=co)
    office.emu.fail_next("sendMessage", 400, REFUSED_400, chat_id=leader.id)
    await sup.press("提交")
    await sup.expect("已提交审定")
    await rejected(office, leader.id, 400)
    await office.drain()
    row = await card_row(office, "approval_card")
    assert row["state"] == "failed"
    return row


async def test_a_502_delays_the_approval_card_but_it_arrives(office, staffed, emu):
    sup, leader = staffed["sup"], staffed["leader"]
    await fill_new_item(sup)
    emu.fail_next("sendMessage", 502, "Bad Gateway", chat_id=leader.id)
    await sup.press("提交")
    await sup.expect("已提交审定")
    await rejected(office, leader.id, 502)
    await office.drain()
    card = await leader.expect("请审定督办函")
    assert card.button_texts == ["同意下发", "退回修改"]
    await emu.settle()
    assert count(leader, "请审定督办函") == 1
    assert (await card_row(office, "approval_card"))["state"] == "sent"


async def test_a_502_delays_the_review_card_but_it_arrives(office, staffed, emu):
    zj, sup = staffed["zj"], staffed["sup"]
    await signed_item(office, staffed)
    await office.drain()
    await emu.settle()  # the 签收 notices are out: the fault is the review card's
    emu.fail_next("sendMessage", 502, "Bad Gateway", chat_id=sup.id)
    await zj.send("/complete")
    await complete(zj, "改造已全部完成，验收合格。")
    await rejected(office, sup.id, 502)
    await office.drain()
    card = await sup.expect("办结审核")
    assert "通过办结" in card.button_texts
    await emu.settle()
    assert count(sup, "办结审核") == 1
    assert (await card_row(office, "post_html"))["state"] == "sent"


async def test_the_leader_resends_a_failed_card_from_item_and_others_cannot(office, staffed, emu):
    leader, zj = staffed["leader"], staffed["zj"]
    row = await submitted_with_card_refused(office, staffed)

    forged = await zj.press_data(cb.make(cb.RESEND, row["id"]), message=zj.last)
    await forged.answered()
    assert "找不到这条可重新发送的消息" in forged.answer and forged.show_alert
    assert (await card_row(office, "approval_card"))["state"] == "failed"
    assert await office.scalar("SELECT count(*) FROM audit WHERE action = '重新发送'") == 0

    await leader.send("/item #1")
    view = await leader.expect("草稿#1")
    assert "发给您的审定卡（发送失败）未能确认送达" in view.text
    assert view.button_texts == ["重新发送"]
    pressed = await leader.press("重新发送", message=view)
    await pressed.answered()
    assert pressed.answer == "已重新排队发送"
    await office.drain()
    card = await leader.expect("请审定督办函")
    assert card.button_texts == ["同意下发", "退回修改"]

    again = await leader.press("重新发送", message=view)
    await again.answered()
    assert "已重新排队或已经送达" in again.answer
    await office.drain()
    await emu.settle()
    assert count(leader, "请审定督办函") == 1
    audit = await office.rows(
        "SELECT p.tg_user_id, a.item_id FROM audit a JOIN people p ON p.id = a.person_id"
        " WHERE a.action = '重新发送'"
    )
    assert audit == [{"tg_user_id": leader.id, "item_id": 1}]
    leader.mark()
    await leader.send("/item #1")
    assert "未能确认送达" not in (await leader.expect("草稿#1")).text


async def test_reminders_lists_problems_and_resends_them(office, staffed, emu):
    sup, leader = staffed["sup"], staffed["leader"]
    await submitted_with_card_refused(office, staffed, co=("交通局", "环境局"))

    await sup.send("/reminders")
    overview = await sup.expect("最近的问题")
    assert "1. 赵主任 审定卡：发送失败（消息格式有误" in overview.text
    assert overview.button_texts == ["重新发送"]
    pressed = await sup.press("重新发送", message=overview)
    await pressed.answered()
    assert pressed.answer == "已重新排队发送"
    await office.drain()
    await leader.press("同意下发", message=await leader.expect("请审定督办函"))
    await leader.expect("已审定同意")
    await office.drain()
    await emu.settle()
    assert count(leader, "请审定督办函") == 1

    # 环境局 has no liaison: its letter is held, and resending it holds it again
    assert (await card_row(office, "letter", "市生态环境局"))["state"] == "held"
    sup.mark()
    await sup.send("/reminders")
    overview = await sup.expect("最近的问题")
    assert "1. 市生态环境局 督办函：暂无人接收" in overview.text
    pressed = await sup.press("重新发送", message=overview)
    await pressed.answered()
    assert pressed.answer == "已重新排队，联络员注册后送达"
    await office.drain()
    assert (await card_row(office, "letter", "市生态环境局"))["state"] == "held"


async def test_reminders_shows_ten_problems_and_counts_the_rest(office, staffed):
    sup = staffed["sup"]
    now = office.office.now()
    async with office.db.transaction() as conn:
        for i in range(12):
            push = Push(f"old{i}", "weekly", "post_html", now, chat_id=-1001000)
            await outbox.add(conn, push, now)
        for row in await conn.all("SELECT id FROM outbox WHERE dedupe_key LIKE 'old%'"):
            await outbox.settle(conn, row["id"], "failed", "测试")
    await sup.send("/reminders")
    overview = await sup.expect("最近的问题")
    assert "10. 周调度：发送失败（测试）" in overview.text and "11." not in overview.text
    assert "另有 2 条较早的问题未列出" in overview.text
    assert overview.button_texts == [f"重新发送 {i}" for i in range(1, 11)]

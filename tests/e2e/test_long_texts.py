"""Long content arrives in full: a text over Telegram's 4096 comes as several messages."""

from __future__ import annotations

import re

from tests.e2e.steps import answer, complete, fill_new_item, signed_item
from tgemu.html import utf16_len


def long_field(label: str, size: int) -> str:
    """`size` characters in lines a person might type, each line telling where it belongs."""
    lines, n = [], 0
    while sum(len(line) + 1 for line in lines) < size:
        lines.append(f"{label}第{n}段：" + "推进老旧小区改造，落实资金和施工计划" * 3)
        n += 1
    return "\n".join(lines)[:size].rstrip()


def squeezed(text: str) -> str:
    """Whitespace out: a message may end where a line ended."""
    return re.sub(r"\s+", "", text)


async def messages_until(user, button: str, since: int):
    """Every message since `since`, up to the one that carries `button`."""
    await user.expect(lambda m: button in m.button_texts)
    return user.inbox[since:]


async def test_report_preview_with_three_long_fields_arrives_in_full(office, staffed):
    zj = staffed["zj"]
    await signed_item(office, staffed)
    fields = {k: long_field(k, 2000) for k in ("进展情况", "困难和问题", "下步打算")}
    await zj.send("/report")
    await zj.expect("第1步/共5步")
    await answer(
        zj,
        ("send", fields["进展情况"], "完成进度"),
        ("send", "30%", "困难和问题"),
        ("send", fields["困难和问题"], "下步打算"),
        ("send", fields["下步打算"], "附件"),
    )
    since = len(zj.inbox)
    await zj.press("完成")
    parts = await messages_until(zj, "提交", since)

    assert len(parts) >= 2 and "请核对" in parts[0].text
    assert all(utf16_len(m.text) <= 4096 for m in parts)
    assert [m for m in parts if m.button_texts] == [parts[-1]]
    seen = squeezed("".join(m.text for m in parts))
    assert all(squeezed(text) in seen for text in fields.values())
    await zj.press("提交")
    await zj.expect("已报送进展")


async def submit_with_instruction(sup, leader, instruction: str) -> None:
    """The supervisor's /new form with a long 批示内容, submitted for 审定."""
    await fill_new_item(sup)
    await sup.press("修改")
    await sup.expect("请选择要修改的项目")
    await sup.press("批示内容")
    await sup.expect("批示内容")
    await sup.send(instruction)
    await sup.expect("请核对督办事项")
    await sup.press("提交")
    await leader.expect("请审定督办函")


async def test_item_record_after_six_long_returns_arrives_in_full(office, staffed):
    sup, leader = staffed["sup"], staffed["leader"]
    instruction = long_field("批示", 2000)
    await submit_with_instruction(sup, leader, instruction)
    reasons = [long_field(f"第{n}次退回意见", 500) for n in range(1, 7)]  # 500: the cap
    for reason in reasons:
        await leader.press("退回修改")
        await leader.expect("退回修改的理由")
        await leader.send(reason)
        await leader.expect("已退回修改")
        await sup.expect("督办函被退回修改")
        await sup.press("修改后重新提交")
        await sup.expect("退回意见")
        await sup.press("提交")
        await sup.expect("已提交审定")
        await leader.expect("已按退回意见修改")
    await leader.press("同意下发")
    await leader.expect("已审定同意")

    since = len(sup.inbox)
    await sup.send("/item 1")
    parts = await messages_until(sup, "撤销", since)

    assert len(parts) >= 2 and "办理过程" in "".join(m.text for m in parts)
    assert all(utf16_len(m.text) <= 4096 for m in parts)
    seen = squeezed("".join(m.text for m in parts))
    assert all(squeezed(text) in seen for text in [instruction, *reasons])


async def test_a_long_review_card_redrawn_by_a_toggle_stays_whole(office, staffed):
    sup, leader, zj = staffed["sup"], staffed["leader"], staffed["zj"]
    instruction, report = long_field("批示", 2000), long_field("办结", 2000)
    await submit_with_instruction(sup, leader, instruction)
    await leader.press("同意下发")
    await zj.expect("督 办 函")
    await zj.press("签收")
    await zj.expect("已签收")
    since = len(sup.inbox)
    await zj.send("/complete")
    await complete(zj, report)
    card = await messages_until(sup, "☐ 按批示精神办理", since)
    assert len(card) >= 2

    pressed, since = card[-1], len(sup.inbox)
    await sup.press("☐ 按批示精神办理", message=pressed)
    redrawn = await messages_until(sup, "☑ 按批示精神办理", since)
    assert pressed.button_texts == [] and "办结审核" in pressed.text
    seen = squeezed(pressed.text + "".join(m.text for m in redrawn))
    assert squeezed(instruction) in seen and squeezed(report) in seen
    assert all(utf16_len(m.text) <= 4096 for m in [pressed, *redrawn])

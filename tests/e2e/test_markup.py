"""What people read is what the bot meant: no escaped markup in a card, a refusal or a toast,
and a list one entry a line (bot/templates, Defaults(parse_mode=HTML) in bot/app.py)."""

from __future__ import annotations

from tests.e2e.steps import fill_new_item

TITLE = "<b>旧城</b>&'改造'"
ESCAPES = ("&lt;", "&gt;", "&amp;", "&#39;", "&#34;", "&quot;")


def clean(text: str) -> bool:
    return not any(e in text for e in ESCAPES)


async def test_the_leader_reads_the_letter_in_the_card_and_a_plain_toast(office, staffed):
    sup, leader = staffed["sup"], staffed["leader"]
    await fill_new_item(sup, title=TITLE)
    await sup.press("提交")
    card = await leader.expect("请审定督办函")
    assert "\n督 办 函\n" in card.text and f"“{TITLE}”" in card.text
    assert clean(card.text) and "<b>督" not in card.text and "blockquote>" not in card.text
    kinds = {e["type"] for e in card.raw.get("entities", [])}
    assert {"bold", "blockquote"} <= kinds
    pressed = await (await leader.press("同意下发")).answered()
    assert pressed.answer == "已审定同意"


async def test_a_refusal_message_shows_what_was_typed(office, staffed):
    sup = staffed["sup"]
    await sup.send("/invite <b>无此&'单位</b>")
    refusal = await sup.expect("没有找到名称包含")
    assert "“<b>无此&'单位</b>”" in refusal.text and clean(refusal.text)


async def test_units_lists_one_unit_a_line(office, staffed):
    await staffed["sup"].send("/units")
    listed = await staffed["sup"].expect("各单位联络员注册情况")
    lines = listed.text.splitlines()
    assert len(lines) == 1 + await office.scalar("SELECT count(*) FROM units")
    assert all(line.count("：") == 1 for line in lines[1:]), lines

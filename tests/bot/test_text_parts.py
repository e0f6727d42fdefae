"""split_html: every part fits Telegram, parses on its own, and together they lose nothing."""

from __future__ import annotations

import re

import pytest

from bot import text_parts
from bot.text_parts import CAPTION_LIMIT, caption_parts, split_html
from tgemu.html import parse_html, utf16_len


def visible(html: str) -> str:
    return parse_html(html).text


def squeezed(text: str) -> str:
    """Visible text without whitespace or block marks: a cut may drop the pause it was made at."""
    return re.sub(r"[\s␞]+", "", text)


def check(source: str, limit: int = 4096) -> list[str]:
    """Split, then check what must hold for any text; returns the parts for the story's checks."""
    parts = split_html(source, limit)
    for part in parts:
        seen = visible(part)  # raises on HTML Telegram would refuse
        assert seen and utf16_len(seen) <= limit
        assert part == part.strip("\n")
    whole = "".join(visible(p) for p in parts)
    assert squeezed(whole) == squeezed(visible(source))
    return parts


def test_long_plain_text_is_cut_at_line_ends():
    lines = [f"第{n}行：关于老旧小区改造的进展情况说明。" for n in range(400)]
    parts = check("\n".join(lines))
    assert len(parts) > 1
    assert [line for p in parts for line in p.split("\n")] == lines


def test_a_blank_line_between_blocks_is_preferred_to_a_line_end():
    block = "\n".join(["甲" * 90] * 10)  # 10 lines of 90: a block of 909
    parts = check("\n\n".join([block] * 9))
    for part in parts:
        assert all(b == block for b in part.split("\n\n"))


def test_template_block_marks_are_the_best_cut_and_read_as_a_line_end():
    assert split_html("头\n␞\n甲\n␞\n乙") == ["头\n甲\n乙"]
    tasks = ["\n".join([f"任务{n}"] + ["目标" * 40] * 5) for n in range(30)]
    parts = check("\n␞\n".join(tasks))
    assert len(parts) > 1
    for part in parts:
        assert part.startswith("任务")


def test_nested_tags_open_at_a_cut_are_closed_and_reopened():
    source = "<b>粗体<i>" + "斜体" * 3000 + "</i>尾</b>"
    parts = check(source)
    assert len(parts) == 2
    assert parts[0].startswith("<b>粗体<i>") and parts[0].endswith("</i></b>")
    assert parts[1].startswith("<b><i>") and parts[1].endswith("</i>尾</b>")
    kinds = [e["type"] for e in parse_html(parts[1]).entities]
    assert kinds == ["bold", "italic"]


def test_a_link_across_a_cut_keeps_its_address_in_every_part():
    href = "https://example.gov.cn/?a=1&amp;b=2"
    parts = check(f'<a href="{href}">' + "链接文字 " * 2000 + "</a>")
    assert len(parts) == 3
    for part in parts:
        assert part.startswith(f'<a href="{href}">')
        (entity,) = parse_html(part).entities
        assert entity["url"] == "https://example.gov.cn/?a=1&b=2"
    assert all(p.endswith("链接文字</a>") for p in parts[:2])  # cut at a space, which is dropped


def test_entities_count_as_one_character_and_are_never_cut():
    source = "&lt;&amp;&gt;&quot;&#25991;" * 1000  # 5,000 visible characters
    parts = check(source)
    assert [utf16_len(visible(p)) for p in parts] == [4096, 904]
    assert "".join(visible(p) for p in parts) == '<&>"文' * 1000


def test_emoji_count_two_and_are_never_split():
    parts = check("😀✅" * 3000)
    assert [utf16_len(visible(p)) for p in parts] == [4095, 4095, 810]
    assert "".join(visible(p) for p in parts) == "😀✅" * 3000


def test_a_single_line_without_spaces_is_cut_anywhere():
    parts = check("字" * 10_000)
    assert [len(p) for p in parts] == [4096, 4096, 1808]


def test_a_long_line_prefers_a_space_then_a_chinese_comma():
    words = check("word " * 2000)
    assert all(re.fullmatch(r"(word ?)+", p) and p.endswith("word") for p in words)
    clauses = check("推进改造工作，" * 1000)
    assert all(p.endswith("，") for p in clauses)


def test_text_at_the_limit_is_one_part_unchanged():
    assert split_html("字" * 4096) == ["字" * 4096]
    bold = "<b>" + "字" * 4096 + "</b>"  # tags are free
    assert split_html(bold) == [bold]
    assert split_html("\n\n<b>短</b>\n\n") == ["<b>短</b>"]


def test_no_empty_parts():
    assert split_html("\n\n  \n") == []
    assert split_html("") == []
    parts = check("甲" * 4096 + "\n\n\n" + "<b></b>\n" + "乙")
    assert len(parts) == 2


def test_a_caption_takes_the_first_1024_and_the_rest_follows():
    text = "\n".join(f"第{n}行" + "说明" * 20 for n in range(100))
    caption, rest = caption_parts(text)
    assert utf16_len(visible(caption)) <= CAPTION_LIMIT
    assert all(utf16_len(visible(p)) <= 4096 for p in rest)
    assert squeezed(visible(caption) + "".join(map(visible, rest))) == squeezed(text)
    assert caption_parts("短") == ("短", [])


SHORT_TEXTS = (
    "  <b>标题</b>\n正文 &amp; 😀\n\n",
    "<b>没有闭合",
    "</b>多余的闭合",
    "<b></b>  \n",
    " \n\u3000 ",
    "甲<i>乙</i>\u3000",
    "&#32;",
    "a < b 且 c > d",
    '<a href="https://x.cn/?a=1&amp;b=2">链接</a>',
)


@pytest.mark.parametrize("text", SHORT_TEXTS)
def test_a_short_text_comes_back_as_the_general_way_gives_it(text, monkeypatch):
    fast = split_html(text)
    monkeypatch.setattr(text_parts, "_whole", lambda text, limit: None)
    assert fast == split_html(text)

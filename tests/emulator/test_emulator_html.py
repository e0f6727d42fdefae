"""The Telegram-HTML parser on its own: tdlib's rules and wording."""

from __future__ import annotations

import pytest

from tgemu.html import EntityParseError, parse_html, parse_text, utf16_len


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("a<b", "Unclosed start tag at byte offset 1"),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("<div>x</div>", 'Unsupported start tag "div" at byte offset 0'),
        ("中<br>", 'Unsupported start tag "br" at byte offset 3'),  # offsets are UTF-8 bytes
    ],
)
def test_parse_errors(source: str, error: str) -> None:
    with pytest.raises(EntityParseError) as err:
        parse_html(source)
    assert str(err.value) == error


def test_entities_plain_text_and_utf16_offsets() -> None:
    parsed = parse_html('😀<b>粗</b> <a href="https://x.y/?a=1&amp;b=2">链</a> A & B &#65;&nbsp;')
    assert parsed.text == "😀粗 链 A & B A&nbsp;"
    assert parsed.entities == [
        {"type": "bold", "offset": 2, "length": 1},
        {"type": "text_link", "offset": 4, "length": 1, "url": "https://x.y/?a=1&b=2"},
    ]
    assert utf16_len("😀") == 2


def test_pre_code_language_spoiler_blockquote_and_trim() -> None:
    parsed = parse_html(
        '  <pre><code class="language-python">x = 1</code></pre>'
        '<tg-spoiler>s</tg-spoiler><span class="tg-spoiler">t</span>'
        "<blockquote expandable>q</blockquote><B>U</B>  \n"
    )
    assert parsed.text == "x = 1stqU"
    kinds = [(e["type"], e["offset"], e.get("language")) for e in parsed.entities]
    assert kinds == [
        ("pre", 0, "python"),
        ("spoiler", 5, None),
        ("spoiler", 6, None),
        ("expandable_blockquote", 7, None),
        ("bold", 8, None),
    ]


def test_other_parse_modes() -> None:
    assert parse_text("*a* < b", "MarkdownV2").text == "*a* < b"
    assert parse_text(" plain ", None).text == "plain"
    with pytest.raises(ValueError):
        parse_text("x", "BBCode")

"""Every template, rendered with hostile values, reads right: Telegram's HTML parser accepts
it and the reader sees no escaped markup (`&lt;b&gt;`, `&amp;`, `&#39;`). A text Telegram
does not parse (a toast, a popup, the .docx) carries no entities at all. And a list puts each
of its items on its own line.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from markupsafe import escape

from domain.errors import Refusal
from domain.pushes import Mute
from domain.summaries import KeyGroup
from tests.template_values import (
    DAY,
    LONG,
    RENDER,
    SHORT,
    TEMPLATES,
    Hostile,
    context_for,
    value_for,
)
from tgemu.html import parse_html

ESCAPED = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);|</?[a-zA-Z][^>]*>")
PLAIN = {"toast", "letter_doc"}  # rendered by Renderer.plain: a toast, the .docx


def visible(html: str) -> str:
    """What the reader sees of a message sent in HTML mode (raises if Telegram would refuse)."""
    return parse_html(html).text


def leftover(seen: str, text: str) -> str:
    """The reader's text without the hostile values shown as typed: what the bot wrote."""
    return seen.replace(text, "")


def test_the_hostile_values_are_what_the_brief_asks_for():
    for part in ("<b>", "<script>", "&", "'", '"', "\u200b", "\u202e", "👍🏽"):
        assert part in SHORT
    assert len(LONG) >= 2000


@pytest.mark.parametrize("text", [SHORT, LONG], ids=["short", "2000"])
@pytest.mark.parametrize("template", TEMPLATES)
def test_every_template_reads_right_with_hostile_values(template, text):
    context = context_for(template, text)
    if template in PLAIN:
        seen = RENDER.plain(template, **context)
    else:
        html = RENDER(template, **context)
        seen = visible(html)
        assert (escape(text) in html) == (text in seen)  # a value is shown as it was typed
    assert not ESCAPED.search(leftover(seen, text)), seen


@pytest.mark.parametrize("text", [SHORT, LONG], ids=["short", "2000"])
def test_every_refusal_reads_right_as_a_message_and_as_a_popup(text):
    module = RENDER.env.get_template("refusals.j2").module
    plain = RENDER.plain_env.get_template("refusals.j2").module
    for key in (n for n in dir(module) if not n.startswith("_")):
        args = {a: value_for(a, text) for a in getattr(module, key).arguments}
        if key == "extension_not_later":
            args["value"] = DAY  # a date it shows with cn_date
        for seen in (visible(str(getattr(module, key)(**args))), str(getattr(plain, key)(**args))):
            assert not ESCAPED.search(leftover(seen, text)), (key, seen)


def test_a_letter_in_the_approval_card_is_shown_as_a_letter():
    """It was escaped a second time: the leader read `<b>督 办 函</b>` and `<blockquote>`."""
    html = RENDER("approval_card", **context_for("approval_card", SHORT))
    seen = visible(html)
    assert "\n督 办 函\n" in seen and "<b>督" not in seen and "blockquote>" not in seen
    assert {"bold", "blockquote"} <= {e["type"] for e in parse_html(html).entities}


def test_a_toast_and_a_popup_are_plain_text():
    assert RENDER.plain("toast", what="approved") == "已审定同意"
    popup = RENDER.refusal(Refusal("bad_phone", value="<a&'b>"), plain=True)
    assert popup.startswith("“<a&'b>”不是有效的电话号码")
    message = RENDER.refusal(Refusal("bad_phone", value="<a&'b>"))
    assert visible(message) == popup  # the same words, whichever way it is shown


# --- line breaks in lists -------------------------------------------------------------------


def rows(mark: str, n: int = 3, **fields: Any) -> list[Hostile]:
    """n list entries whose every field carries the entry's own mark: 〔a1〕, 〔a2〕, …"""
    return [Hostile(f"〔{mark}{i}〕", **fields) for i in range(1, n + 1)]


def one(**fields: Any) -> Hostile:
    return Hostile("—", **fields)


# template → the lists it shows one entry per line (a mark per list), the rest generic
NEED = {"kind": "sign", "is_key": False, "sent": DAY, "reminded": [], "held": False}
NEED |= {"failed": False, "waiting": False, "muted_until": None}

LISTS: dict[str, dict[str, Any]] = {
    "push_todo": {"entries": rows("a", **NEED), "more": 0, "day": DAY},
    "push_followup": {
        "units": rows("a", entries=rows("b", **NEED)),
        "day": DAY,
        "to_leader": False,
    },
    "units_list": {"units": rows("a")},
    "items_list": {"entries": rows("a"), "query": ""},
    "my_tasks": {"tasks": rows("a")},
    "help": {"commands": rows("a")},
    "plan_changed": {"lines": rows("a")},
    "plan_import_failed": {"problems": rows("a")},
    "review_returned_unit": {"failed": rows("a")},
    "approval_done": {"unreachable": rows("a")},
    "reminders_overview": {
        "unreachable": rows("a"),
        "muted": [Mute(u, DAY) for u in rows("b")],
        "problems": rows("c", state="failed"),
    },
    "digest": {"alerts": rows("a")},
    "monthly_report": {"units": rows("a")},
    "plan_overview": {"tasks": rows("a")},
    "plan_quarterly": {"tasks": rows("a", targets=()), "quarter": 1},
    "plan_detail": {"task": one(targets=rows("a"))},
    "item_record": {"item": one(units=rows("a")), "timeline": rows("b"), "undelivered": []},
    "review_card": {"history": rows("a")},
    "weekly_summary": {
        "summary": one(
            key_items=True,
            key_groups=[KeyGroup(one(), rows("a"))],
            overdue=rows("b"),
            difficulties=rows("c"),
            by_status={},
        )
    },
}


def test_every_list_template_is_in_the_table():
    """A new template that loops must say here which of its lists run one entry a line."""
    loops = {
        t for t in TEMPLATES if "{% for" in RENDER.env.loader.get_source(RENDER.env, f"{t}.j2")[0]
    }
    inline = {"letter", "letter_doc", "review_passed", "_plan", "liaison_off_done"}  # in a sentence
    assert loops - inline == set(LISTS)


@pytest.mark.parametrize("template", sorted(LISTS))
def test_each_entry_of_a_list_starts_its_own_line(template):
    context = {**context_for(template, "—"), **LISTS[template]}
    text = RENDER(template, **context)
    marks = sorted(set(re.findall(r"〔([a-z])\d〕", text)))
    assert marks, text
    for mark in marks:
        for n in range(1, 4):
            assert f"〔{mark}{n}〕" in text, (mark, n, text)
        for line in text.splitlines():
            assert len(set(re.findall(rf"〔{mark}\d〕", line))) <= 1, (line, text)

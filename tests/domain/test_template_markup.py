"""Every template, rendered with hostile values, reads right: Telegram's HTML parser accepts
it and the reader sees no escaped markup (`&lt;b&gt;`, `&amp;`, `&#39;`). A text Telegram
does not parse (a toast, a popup, the .docx) carries no entities at all. And a list puts each
of its items on its own line.

Values are built generically: a `Hostile` stands for any object the template reaches into
(its attributes, keys, items and calls are hostile too) and reads as hostile text; names that
a filter treats as a date get a date. A few templates need a real value (a key into a table,
an already-rendered letter): `examples` gives those.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from jinja2 import meta
from markupsafe import Markup, escape

from bot import status
from bot.render import Renderer
from domain.errors import Refusal
from domain.pushes import Mute
from domain.status import Facts
from domain.summaries import KeyGroup
from handlers.notify import render_letter
from tgemu.html import parse_html

SHORT = "<b>粗</b> & <script>alert('x')</script> \"引\" &amp; 1<2 👍🏽\u200b\u200d\u202eعربي\u202c"
LONG = ((SHORT + "长") * (2000 // len(SHORT) + 1))[:2000]  # ends inside a tag
MOMENT = "2026-12-31T10:00:00+08:00"
DAY = date(2026, 12, 31)
MOMENTS = {"at", "since", "now", "expires"}  # and every name ending in _at
DAYS = {"due", "start", "today", "until", "date", "chase_from", "planned_on"}
ESCAPED = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);|</?[a-zA-Z][^>]*>")
PLAIN = {"toast", "letter_doc"}  # rendered by Renderer.plain: a toast, the .docx


class Hostile:
    """Any value a template may ask for; printed, it is the hostile text."""

    def __init__(self, text: str, **fields: Any) -> None:
        self._text = text
        self.__dict__.update(fields)  # what must be real: a list to loop over, a key

    def __str__(self) -> str:
        return self._text

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return value_for(name, self._text)

    def __getitem__(self, key: object) -> Any:
        if isinstance(key, str):  # jinja's attribute filters ask by key first
            return self.__dict__[key] if key in self.__dict__ else value_for(key, self._text)
        return value_for("", self._text)

    def __call__(self, *args: object, **kwargs: object) -> Hostile:
        return self

    def __iter__(self):
        return iter([Hostile(self._text), Hostile(self._text)])

    def __len__(self) -> int:
        return 2

    def __int__(self) -> int:
        return 2

    def __format__(self, spec: str) -> str:
        return format(2, spec) if spec else self._text

    def __lt__(self, other: object) -> bool:
        return False

    __gt__ = __le__ = __ge__ = __lt__

    def __add__(self, other: object) -> int:
        return 2

    __sub__ = __mul__ = __truediv__ = __radd__ = __rsub__ = __rmul__ = __add__


def value_for(name: str, text: str) -> Any:
    if name in MOMENTS or name.endswith("_at"):
        return MOMENT
    if name in DAYS or name.endswith("deadline"):
        return DAY
    return Hostile(text)


RENDER = Renderer()


def letter(text: str) -> Markup:
    """A 督办函 as the approval card gets it (handlers/notify.py), from a hostile item."""
    office = SimpleNamespace(serial_label=lambda item: text, now=lambda: MOMENT)
    svc = SimpleNamespace(render=RENDER, office=office, settings=SimpleNamespace(office_name=text))
    return render_letter(svc, Hostile(text, is_task_notice=False))


TZ = ZoneInfo("Asia/Shanghai")
QUEUE = ("pending", "held", "failed", "uncertain")


def examples(text: str) -> dict[str, dict[str, Any]]:
    """The values a template needs real: a key into its table, a date, HTML already."""
    return {
        "toast": {"what": "approved"},
        "approval_card": {"letter": letter(text)},
        "post_html": {"html": letter(text)},  # rendered before it was queued
        "plan_quarterly": {"quarter": 4, "tasks": []},
        "reminders_overview": {"problems": [], "muted": [Mute(Hostile(text), DAY)]},
        "review_passed": {"revisits": [DAY]},
        "summary_preview": {"kind": "weekly"},
        "push_todo": {"day": DAY, "more": 2, "entries": needs(text)},
        "push_followup": {
            "day": DAY,
            "to_leader": False,
            "units": [Hostile(text, unit=Hostile(text), entries=needs(text))],
        },
        "status": status.view(
            Facts(datetime(2026, 11, 24, 10, 0, tzinfo=TZ), outbox=dict.fromkeys(QUEUE, 0)), []
        ),
        "verify_ordered": {"planned": DAY},
    }


KINDS = ("sign", "responsible", "report", "overdue", "report_soon", "deadline_soon")


def needs(text: str) -> list[Hostile]:
    """One entry of each kind of need (domain/policy.py), every text field hostile."""
    return [
        Hostile(
            text,
            kind=kind,
            is_key=True,
            n=2,
            sent=DAY,
            signed=DAY,
            due=DAY,
            deadline=DAY,
            reminded=[DAY, DAY],
            held=True,
            failed=False,
            waiting=False,
            muted_until=DAY,
        )
        for kind in KINDS
    ]


def names_in(template: str) -> set[str]:
    """The variables a template and the templates it includes or imports ask for."""
    source = RENDER.env.loader.get_source(RENDER.env, f"{template}.j2")[0]
    tree = RENDER.env.parse(source)
    names = meta.find_undeclared_variables(tree)
    for other in meta.find_referenced_templates(tree):
        names |= names_in(other.removesuffix(".j2")) if other else set()
    return names


def context_for(template: str, text: str) -> dict[str, Any]:
    context = {name: value_for(name, text) for name in names_in(template)}
    return {**context, **examples(text).get(template, {})}


TEMPLATES = sorted(
    name.removesuffix(".j2")
    for name in RENDER.env.list_templates(extensions=["j2"])
    if name != "refusals.j2"
)


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

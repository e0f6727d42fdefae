"""Every text the bot writes comes from a Jinja2 template; an office folder overrides ours.

HTML autoescape is on because Telegram's HTML parse mode rejects a stray '<'; undefined
variables are errors so a broken override fails at start-up, not in front of a leader. A text
Telegram shows without parsing (a button's toast or alert, a .docx) is rendered by `plain`
instead: escaped there, the reader would see `&amp;` and `&lt;`.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    TemplateError,
    select_autoescape,
)

from domain.errors import Refusal
from domain.plan import rules as plan_rules

GENERIC = "generic"  # the macro in refusals.j2 that answers a key it does not know


class TemplateProblem(Exception):
    pass


class Renderer:
    def __init__(self, office_dir: Path | None = None) -> None:
        loaders: list[BaseLoader] = [FileSystemLoader(str(office_dir))] if office_dir else []
        loaders.append(PackageLoader("bot", "templates"))
        self.loader = ChoiceLoader(loaders)
        self.env = Environment(
            loader=self.loader,
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            auto_reload=False,  # read once: no stat of the file at every message sent
        )
        self.env.filters["dt"] = _short_time
        self.env.filters["cn_date"] = _cn_date
        self.env.filters["qty"] = show
        self.env.filters["comrade"] = comrade
        self.plain_env = self.env.overlay(autoescape=False)
        self.env.filters["cn_days"] = cn_days

    def __call__(self, template: str, /, **context: Any) -> str:
        """Telegram HTML: every value escaped, the template's own tags kept."""
        return self.env.get_template(f"{template}.j2").render(**context).strip()

    def plain(self, template: str, /, **context: Any) -> str:
        """The text as the reader sees it, for what Telegram does not parse: no entities."""
        return self.plain_env.get_template(f"{template}.j2").render(**context).strip()

    def refusal(self, refusal: Refusal, *, plain: bool = False) -> str:
        """The Chinese message for a refusal (plain for a popup); an unknown key still
        answers, never raises."""
        env = self.plain_env if plain else self.env
        module = env.get_template("refusals.j2").module
        macro = getattr(module, refusal.key, None)
        return str(macro(**refusal.context) if macro else getattr(module, GENERIC)()).strip()

    def declared(self, template: str) -> dict[str, str]:
        """The variables a template says it receives, each with its type and what it reads
        ('Item — the item: .title'): its leading `{# context: … #}` comment, the interface an
        office's override relies on (bot/templates/README.md). Raises TemplateProblem when
        the comment is missing or a line of it is not a declaration."""
        source = self.loader.get_source(self.env, f"{template}.j2")[0]
        return declarations(source, template)

    def check(self) -> list[str]:
        """Compile every template; the list of problems is empty when all is well."""
        problems = []
        for name in self.env.list_templates(extensions=["j2"]):
            try:
                self.env.get_template(name)
            except TemplateError as exc:
                problems.append(f"{name}: {exc}")
        return problems


HEADER = re.compile(r"\{#\s*context:(?P<body>.*?)#\}", re.S)
DECLARATION = re.compile(r"(?P<name>[A-Za-z_]\w*): (?P<about>\S.*? — \S.*)")


def declarations(source: str, template: str = "") -> dict[str, str]:
    """`{# context: none … #}`, or one `name: Type — what it is, .fields it reads` a line."""
    header = HEADER.match(source)
    if header is None:
        raise TemplateProblem(f"{template}: no {{# context: … #}} comment at the top")
    body = header["body"].strip()
    if body.startswith("none"):
        return {}
    found = {}
    for line in body.splitlines():
        declared = DECLARATION.fullmatch(line.strip())
        if declared is None:
            raise TemplateProblem(f"{template}: not a declaration: {line.strip()!r}")
        found[declared["name"]] = declared["about"]
    return found


def _short_time(value: str | None) -> str:
    """'2026-11-24T10:05:00+08:00' → '11月24日 10:05'."""
    if not value:
        return ""
    day, _, clock = value.partition("T")
    _, month, dom = day.split("-")
    return f"{int(month)}月{int(dom)}日 {clock[:5]}".strip()


TITLES: tuple[str, ...] = ("书记", "主任", "主席", "委员", "同志", "领导", "秘书长")
TITLES += tuple(f"{level}长" for level in "省市县区镇乡厅局部处")


def comrade(name: str) -> str:
    """'赵刚' → '赵刚同志', but '赵书记' or '钱副市长' stay as they are: sheets and forms name
    leaders either way, and '钱副市长同志' reads wrong in a letter."""
    name = (name or "").strip()
    return name if not name or name.endswith(TITLES) else f"{name}同志"


def show(value: object) -> str:
    """An exact quantity or percentage as people write it: 1200, 3.5, 112.4."""
    return plan_rules.show(value) if isinstance(value, Decimal) else str(value)


def _cn_date(value: object) -> str:
    """A date (or ISO string) → '2026年12月31日'."""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    year, month, day = text[:10].split("-")
    return f"{year}年{int(month)}月{int(day)}日"


def cn_days(values: list[str]) -> str:
    """Days of one year, the month named when it changes: '12月1日、3日、7日'."""
    shown, month = [], None
    for value in values:
        _, m, d = str(value)[:10].split("-")
        shown.append(f"{int(d)}日" if m == month else f"{int(m)}月{int(d)}日")
        month = m
    return "、".join(shown)


BLOCK = "␞"
TELEGRAM_LIMIT = 4096


def split_messages(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Pack ␞-separated blocks into messages of at most `limit` characters.

    A message breaks only between blocks (an item never straddles two messages); a single
    block longer than the limit is cut at line ends, and failing that at a space.
    """
    blocks = [b.strip("\n") for b in text.split(BLOCK)]
    messages: list[str] = []
    current = ""
    for block in (b for b in blocks if b.strip()):
        for piece in _cut(block, limit):
            joined = f"{current}\n{piece}" if current else piece
            if len(joined) <= limit:
                current = joined
            else:
                messages.append(current)
                current = piece
    if current:
        messages.append(current)
    return messages


def _cut(block: str, limit: int) -> list[str]:
    pieces = []
    while len(block) > limit:
        at = block.rfind("\n", 0, limit)
        if at <= 0:
            at = max(block.rfind(" ", 0, limit), block.rfind("，", 0, limit))
        if at <= 0:
            at = limit
        pieces.append(block[:at].rstrip())
        block = block[at:].lstrip()
    return [*pieces, block]

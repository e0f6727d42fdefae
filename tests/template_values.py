"""Values for rendering any template: a `Hostile` stands for any object a template reaches
into (its attributes, keys, items and calls are hostile too) and reads as hostile text; names
that a filter treats as a date get a date. A few templates need a real value (a key into a
table, an already-rendered letter): `examples` gives those. Which names a template gets is
what its `{# context: … #}` header declares, nothing more.
"""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup

from bot import status
from bot.render import Renderer
from domain.pushes import Mute
from domain.status import Facts
from handlers.notify import render_letter

SHORT = "<b>粗</b> & <script>alert('x')</script> \"引\" &amp; 1<2 👍🏽\u200b\u200d\u202eعربي\u202c"
LONG = ((SHORT + "长") * (2000 // len(SHORT) + 1))[:2000]  # ends inside a tag
MOMENT = "2026-12-31T10:00:00+08:00"
DAY = date(2026, 12, 31)
MOMENTS = {"at", "since", "now", "expires"}  # and every name ending in _at
DAYS = {"due", "start", "today", "until", "date", "chase_from", "planned_on"}


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


def context_for(template: str, text: str, render: Renderer = RENDER) -> dict[str, Any]:
    """A value for each name the template's header declares: hostile, or its example."""
    context = {name: value_for(name, text) for name in render.declared(template)}
    return {**context, **examples(text).get(template, {})}


TEMPLATES = sorted(
    name.removesuffix(".j2")
    for name in RENDER.env.list_templates(extensions=["j2"])
    if name != "refusals.j2"
)

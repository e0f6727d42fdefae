"""What a handler module gives the application: its handlers, reason prompts and pickers.

Every module's `build()` returns one `Feature`; `bot/app.py` adds the handlers in its order and
hands all the prompts to `reasons.build()` and all the pickers to `pickers.install()`, so
nothing registers itself at import time.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler

from bot.services import Context
from domain.models import Person
from domain.office import Office

# A check refuses early; it may return a fuller `what` for the question (naming the person).
Check = Callable[[Update, Context, int], Awaitable[str | None]]
Act = Callable[[Update, Context, int, str], Awaitable[None]]


@dataclass(frozen=True)
class ReasonPrompt:
    """A button that needs a typed reason before it acts (see handlers/reasons.py)."""

    prefix: str
    what: str
    check: Check
    act: Act
    noun: str = "理由"  # what is typed: a reason, or (a finding) the result itself

    def asks(self, what: str) -> str:
        """The question's subject: "退回修改的理由", but "实地核查结果", not "…结果的理由"."""
        return f"{what}的理由" if self.noun == "理由" else self.noun


Choices = list[tuple[str, str]]  # (button text, callback data)
Lister = Callable[[Office, Person | None], Awaitable[Choices]]


@dataclass(frozen=True)
class Picker:
    """What a command lists when it comes without its argument (see handlers/pickers.py)."""

    what: str  # 请选择{what}
    empty: str  # 目前没有{empty}
    choices: Lister


@dataclass(frozen=True)
class Feature:
    handlers: tuple[BaseHandler[Update, Context, Any], ...]
    prompts: tuple[ReasonPrompt, ...] = ()
    pickers: tuple[tuple[str, Picker], ...] = ()  # (command, what it lists)

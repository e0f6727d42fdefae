"""Buttons that need a written reason: one short conversation serves them all.

```
[退回修改] [不同意延期] [退回补充] [暂停] [撤销] [重办] … ─► check ─► REASON ─(text)─► act
```
A module registers a `ReasonPrompt` for its button prefix; `check` refuses early (before the
user types anything) and `act` does the work with the reason. Registered before the long
forms, so a typed reason is never mistaken for a form answer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from domain import inputs
from domain.errors import Refusal
from handlers import callbacks as cb
from handlers.common import END, Context, answers_refusals, refuse, say

REASON = "reason"
KEY = "reason_for"

# A check refuses early; it may return a fuller `what` for the question (naming the person).
Check = Callable[[Update, Context, int], Awaitable[str | None]]
Act = Callable[[Update, Context, int, str], Awaitable[None]]


@dataclass(frozen=True)
class ReasonPrompt:
    prefix: str
    what: str
    check: Check
    act: Act
    noun: str = "理由"  # what is typed: a reason, or (a finding) the result itself

    def asks(self, what: str) -> str:
        """The question's subject: "退回修改的理由", but "实地核查结果", not "…结果的理由"."""
        return f"{what}的理由" if self.noun == "理由" else self.noun


PROMPTS: dict[str, ReasonPrompt] = {}


def register(prompt: ReasonPrompt) -> None:
    PROMPTS[prompt.prefix] = prompt


def target_id(update: Update) -> tuple[ReasonPrompt, int]:
    data = cb.parse(update.callback_query.data)
    prompt = PROMPTS.get(data.prefix) if data else None
    number = data.int_arg() if data else None
    if prompt is None or number is None:
        raise Refusal("stale_button")
    return prompt, number


@answers_refusals
async def ask(update: Update, context: Context) -> str | None:
    prompt, number = target_id(update)
    what = await prompt.check(update, context, number) or prompt.what
    await update.callback_query.answer()
    context.user_data[KEY] = [prompt.prefix, number]
    await say(update, context, "ask_reason", asks=prompt.asks(what))
    return REASON


@answers_refusals
async def got_reason(update: Update, context: Context) -> int | None:
    prefix, number = context.user_data.get(KEY, ["", -1])
    prompt = PROMPTS.get(prefix)
    if prompt is None:
        context.user_data.pop(KEY, None)
        return END
    reason = inputs.text(update.message.text, "reason", prompt.noun)
    context.user_data.pop(KEY, None)
    try:
        await prompt.act(update, context, number, reason)
    except Refusal as refusal:  # the state moved on meanwhile: say so and end the prompt
        await refuse(update, context, refusal)
    return END


async def cancel(update: Update, context: Context) -> int:
    context.user_data.pop(KEY, None)
    await say(update, context, "cancelled")
    return END


def build() -> ConversationHandler:
    prefixes = "|".join(sorted(PROMPTS))
    return ConversationHandler(
        entry_points=[CallbackQueryHandler(ask, pattern=rf"^{cb.VERSION}:({prefixes}):")],
        states={REASON: [MessageHandler(filters.TEXT & ~filters.COMMAND, got_reason)]},
        fallbacks=[CommandHandler("cancel", cancel)],
        name="reasons",
        persistent=True,
    )

"""Buttons that need a written reason: one short conversation serves them all.

```
[退回修改] [不同意延期] [退回补充] [暂停] [撤销] [重办] … ─► check ─► REASON ─(text)─► act
```
Each module's `build()` gives a `ReasonPrompt` per button prefix and `bot/app.py` passes them
all to `build()`; `check` refuses early (before the user types anything) and `act` does the
work with the reason. Added before the long forms, so a typed reason is never mistaken for a
form answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from domain import inputs
from domain.errors import Refusal
from handlers import callbacks as cb
from handlers.common import (
    END,
    Context,
    Form,
    answers_refusals,
    callback_of,
    pressed,
    refuse,
    say,
    text_of,
    user_data_of,
)
from handlers.feature import Feature, ReasonPrompt

REASON = "reason"
KEY = "reason_for"


@dataclass(frozen=True)
class Prompts:
    """The prompts the application was built with, by their button prefix."""

    by_prefix: dict[str, ReasonPrompt]

    def target_id(self, update: Update) -> tuple[ReasonPrompt, int]:
        data = pressed(update)
        prompt = self.by_prefix.get(data.prefix) if data else None
        number = data.int_arg() if data else None
        if prompt is None or number is None:
            raise Refusal("stale_button")
        return prompt, number

    async def ask(self, update: Update, context: Context) -> str | None:
        prompt, number = self.target_id(update)
        what = await prompt.check(update, context, number) or prompt.what
        await callback_of(update).answer()
        user_data_of(context)[KEY] = [prompt.prefix, number]
        await say(update, context, "ask_reason", asks=prompt.asks(what))
        return REASON

    async def got_reason(self, update: Update, context: Context) -> int | None:
        forms = user_data_of(context)
        prefix, number = forms.get(KEY, ["", -1])
        prompt = self.by_prefix.get(prefix)
        if prompt is None:
            forms.pop(KEY, None)
            return END
        reason = inputs.text(text_of(update), "reason", prompt.noun)
        forms.pop(KEY, None)
        try:
            await prompt.act(update, context, number, reason)
        except Refusal as refusal:  # the state moved on meanwhile: say so and end the prompt
            await refuse(update, context, refusal)
        return END


async def cancel(update: Update, context: Context) -> int:
    user_data_of(context).pop(KEY, None)
    await say(update, context, "cancelled")
    return END


def pattern(prompts: Iterable[ReasonPrompt]) -> str:
    """The buttons the conversation answers: every prompt's prefix, in a fixed order."""
    prefixes = "|".join(sorted(p.prefix for p in prompts))
    return rf"^{cb.VERSION}:({prefixes}):"


def build(prompts: Iterable[ReasonPrompt]) -> Feature:
    """One conversation for all the prompts; a prefix given twice is a wiring mistake."""
    listed = tuple(prompts)
    found = Prompts({p.prefix: p for p in listed})
    if len(found.by_prefix) != len(listed):
        raise ValueError("two reason prompts share a button prefix")
    text = filters.TEXT & ~filters.COMMAND
    conversation = Form(
        entry_points=[CallbackQueryHandler(answers_refusals(found.ask), pattern=pattern(listed))],
        states={REASON: [MessageHandler(text, answers_refusals(found.got_reason))]},
        fallbacks=[CommandHandler("cancel", cancel)],
        name="reasons",
        persistent=True,
    )
    return Feature((conversation,))

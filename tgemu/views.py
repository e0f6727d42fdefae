"""What a chat looks like from a test: the inbox, marks, expectations and button presses.

Expectations wait on the emulator's change signal instead of sleeping, and a failed one
lists what the chat actually got plus any API call for that chat that Telegram rejected:
usually the real reason for the failure.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from tgemu.state import BotMessage, CallbackRecord, ChatState

if TYPE_CHECKING:
    from tgemu.emulator import Emulator

Match = str | Callable[[BotMessage], bool]


class PressResult:
    """The outcome of pressing a button; await ``answered()`` for answerCallbackQuery."""

    def __init__(
        self,
        emu: Emulator,
        message: BotMessage,
        data: str | None,
        record: CallbackRecord | None = None,
        url: str | None = None,
    ) -> None:
        self._emu = emu
        self.message = message
        self.data = data
        self.url = url
        self._record = record

    @property
    def query_id(self) -> str | None:
        return self._record.query_id if self._record else None

    @property
    def is_answered(self) -> bool:
        return bool(self._record and self._record.answered)

    @property
    def answer(self) -> str | None:
        """The answer text ("" if answered without text); None while unanswered."""
        if not self.is_answered:
            return None
        return (self._record.text if self._record else None) or ""

    @property
    def show_alert(self) -> bool:
        return bool(self._record and self._record.show_alert)

    async def answered(self, timeout: float = 5.0) -> PressResult:
        if self._record is None:
            raise RuntimeError("this press sent no callback query (reply or URL button)")
        await self._emu.wait_until(
            lambda: self.is_answered, timeout, f"callback query {self.data!r} was never answered"
        )
        return self


class ChatView:
    """Inbox, marks and expectations shared by users (private chat) and groups."""

    def __init__(self, emu: Emulator, chat: ChatState, label: str) -> None:
        self._emu = emu
        self._chat = chat
        self._label = label
        self._mark = 0
        self._mark_call = 0

    @property
    def chat_id(self) -> int:
        return self._chat.id

    @property
    def inbox(self) -> list[BotMessage]:
        return list(self._chat.inbox)

    @property
    def last(self) -> BotMessage | None:
        return self._chat.inbox[-1] if self._chat.inbox else None

    def mark(self) -> None:
        """expect() only looks at what happens after the latest mark."""
        self._mark = len(self._chat.events)
        self._mark_call = len(self._emu.calls)

    def _find(self, match: Match) -> BotMessage | None:
        for event in self._chat.events[self._mark :]:
            if event.kind == "delete":
                continue
            if match(event.message) if callable(match) else match in event.text:
                return event.message
        return None

    def _report(self) -> str:
        lines = [f"  {e.kind} #{e.message.message_id}: {e.text!r}" for e in self._chat.events]
        lines = lines[self._mark :] or ["  (nothing)"]
        failed = [
            f"  {c.method} -> {c.error_code} {c.description}"
            for c in self._emu.calls[self._mark_call :]
            if c.ok is False and str(c.params.get("chat_id")) == str(self._chat.id)
        ]
        if failed:
            lines += ["rejected API calls for this chat:", *failed]
        return "\n".join(lines)

    async def expect(self, match: Match, timeout: float = 5.0) -> BotMessage:
        """Wait for a new or edited bot message after the mark matching text or predicate.

        Does not move the mark: call ``mark()`` to wait for a second, separate message.
        """
        found: list[BotMessage] = []

        def check() -> bool:
            message = self._find(match)
            if message is not None:
                found.append(message)
            return message is not None

        try:
            await self._emu.wait_until(check, timeout)
        except AssertionError:
            raise AssertionError(
                f"{self._label}: no message matching {match!r} within {timeout}s. "
                f"Since the mark the chat got:\n{self._report()}"
            ) from None
        return found[0]

    async def settle(self, quiet: float = 0.3, timeout: float = 5.0) -> None:
        await self._emu.settle(quiet=quiet, timeout=timeout)

    def _newest_with(self, text: str) -> BotMessage:
        """Newest message with that button; only the latest reply keyboard is on screen."""
        reply_keyboard_shown = True
        for message in reversed(self._chat.inbox):
            button = message.find_button(text)
            shown = button is not None and (button.kind == "inline" or reply_keyboard_shown)
            if shown and not message.deleted:
                return message
            markup = message.reply_markup or {}
            if "keyboard" in markup or markup.get("remove_keyboard"):
                reply_keyboard_shown = False
        seen = [m.button_texts for m in self._chat.inbox if m.button_texts and not m.deleted]
        raise LookupError(f"{self._label}: no button {text!r}; keyboards seen: {seen}")

"""The pending-updates queue with Telegram's getUpdates semantics.

Offsets work exactly like Telegram's: an update is only forgotten once the bot asks for a higher
offset, so a crash between fetching and confirming redelivers it. Long polling wakes on an
asyncio event the moment an update is pushed, so tests never wait on a polling interval.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

from tgemu.state import JSON, ApiError, Signal, wait_event

# What Telegram delivers when allowed_updates was never set (or set to []).
DEFAULT_ALLOWED = frozenset(
    {
        "message", "edited_message", "channel_post", "edited_channel_post", "inline_query",
        "chosen_inline_result", "callback_query", "shipping_query", "pre_checkout_query",
        "poll", "poll_answer", "my_chat_member", "chat_join_request", "chat_boost",
        "removed_chat_boost", "business_connection", "business_message",
        "edited_business_message", "deleted_business_messages", "purchased_paid_media",
    }
)  # fmt: skip

CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)


class UpdateQueue:
    """Updates waiting for the bot, plus bookkeeping on what it has fetched."""

    def __init__(self, first_update_id: int = 1) -> None:
        self.pending: list[JSON] = []
        self.next_id = first_update_id
        self.allowed: frozenset[str] = DEFAULT_ALLOWED
        self.max_returned = first_update_id - 1
        self.delivered = 0  # distinct updates handed to the bot at least once
        self.closed = False
        self.recent: deque[JSON] = deque(maxlen=100)  # handed out lately, for redeliver()
        self.again: list[JSON] = []
        self._signal = Signal()
        self._poll_generation = 0

    def push(self, kind: str, payload: JSON) -> JSON | None:
        """Queue an update; like Telegram, types excluded by allowed_updates are never made."""
        if kind not in self.allowed:
            return None
        update = {"update_id": self.next_id, kind: payload}
        self.next_id += 1
        self.pending.append(update)
        self._signal.fire()
        return update

    def redeliver(self, update_id: int) -> None:
        """Hand a fetched update out once more, with its id, as Telegram does when the bot
        died before confirming it: the bot must recognise it, not take it as new."""
        update = next(u for u in self.recent if u["update_id"] == update_id)
        self.again.append(update)
        self._signal.fire()

    def set_allowed(self, allowed: list[str] | None) -> None:
        """None keeps the previous setting; [] restores the default, as in the Bot API."""
        if allowed is None:
            return
        self.allowed = frozenset(allowed) if allowed else DEFAULT_ALLOWED

    def confirm(self, offset: int) -> None:
        if offset > 0:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]
        elif offset < 0:
            self.pending = self.pending[offset:]

    def drop_all(self) -> None:
        self.pending.clear()

    @property
    def undelivered(self) -> int:
        """Updates the bot has not fetched even once yet, and redeliveries not yet fetched."""
        fresh = sum(1 for u in self.pending if u["update_id"] > self.max_returned)
        return fresh + len(self.again)

    def _hand_out(self, batch: list[JSON]) -> list[JSON]:
        self.again = self.again[len(batch) :]
        for update in batch:
            self.recent.append(update)
            if update["update_id"] > self.max_returned:
                self.delivered += 1
                self.max_returned = update["update_id"]
        return batch

    async def get(self, offset: int, limit: int, timeout: float) -> list[JSON]:
        """getUpdates: confirm by offset, then return at once or long-poll up to ``timeout``.

        A newer getUpdates call ends an older waiting one with 409, as Telegram does when two
        bot instances poll the same token.
        """
        self.confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        self._signal.fire()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(timeout, 0.0)
        while True:
            event = self._signal.event
            if generation != self._poll_generation:
                raise ApiError(409, CONFLICT)
            batch = self.again[:limit] + self.pending[: max(limit - len(self.again), 0)]
            remaining = deadline - loop.time()
            if batch or remaining <= 0 or self.closed:
                return self._hand_out(batch)
            await wait_event(event, remaining)

    def close(self) -> None:
        """Release every long poll (emulator shutdown)."""
        self.closed = True
        self._signal.fire()

    def stats(self) -> dict[str, Any]:
        return {"pending": len(self.pending), "delivered": self.delivered}

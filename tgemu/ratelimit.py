"""Telegram's flood limits, so the bot's throttling is tested against a server that enforces them.

Telegram documents ~30 messages/s overall, ~1 message/s per private chat (short bursts are
tolerated) and 20 messages/min per group. All three are sliding windows here: at most 30 in any
second, ``per_chat_burst`` in any ``per_chat_burst / per_chat_per_second`` seconds of one
private chat (a short burst, one a second on average), 20 in any minute of one group. Over a
limit it answers 429 with ``retry_after`` in whole seconds; the rejected request does not count.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

# Methods that count as "sending" for flood control.
COUNTED_METHODS = frozenset(
    {
        "sendmessage", "senddocument", "sendphoto", "sendmediagroup", "copymessage",
        "editmessagetext", "editmessagecaption", "editmessagereplymarkup", "editmessagemedia",
    }
)  # fmt: skip


class RateLimiter:
    """Sliding windows: the bot's, and one per chat (private or group)."""

    def __init__(
        self,
        *,
        global_per_second: int = 30,
        per_chat_burst: int = 3,
        per_chat_per_second: float = 1.0,
        group_per_minute: int = 20,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.global_per_second = global_per_second
        self.per_chat_burst = per_chat_burst
        self.per_chat_per_second = per_chat_per_second
        self.group_per_minute = group_per_minute
        self.clock = clock
        self._global: deque[float] = deque()
        self._chats: dict[int, deque[float]] = {}

    @staticmethod
    def _window_wait(log: deque[float], now: float, window: float, limit: int, n: int) -> float:
        while log and log[0] <= now - window:
            log.popleft()
        if len(log) + n <= limit:
            return 0.0
        # The (len+n-limit)-th oldest entry has to leave the window first.
        index = min(len(log) + n - limit, len(log)) - 1
        return log[index] + window - now

    def _chat_limit(self, chat_type: str) -> tuple[float, int]:
        """(window in seconds, messages allowed in it) for a chat of this type."""
        if chat_type == "private":
            return self.per_chat_burst / self.per_chat_per_second, self.per_chat_burst
        return 60.0, self.group_per_minute

    def check(self, chat_id: int | None, chat_type: str | None, n: int = 1) -> int | None:
        """Record ``n`` messages to the chat, or return retry_after (seconds) if over a limit."""
        now = self.clock()
        waits = [self._window_wait(self._global, now, 1.0, self.global_per_second, n)]
        chat_log = None
        if chat_id is not None and chat_type is not None:
            chat_log = self._chats.setdefault(chat_id, deque())
            waits.append(self._window_wait(chat_log, now, *self._chat_limit(chat_type), n))
        wait = max(waits)
        if wait > 0:
            return max(1, math.ceil(wait))
        self._global.extend([now] * n)
        if chat_log is not None:
            chat_log.extend([now] * n)
        return None

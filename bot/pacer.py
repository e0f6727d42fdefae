"""One pacer for everything the bot sends, modelling Telegram's flood limits.

Telegram counts messages over sliding windows: about 30 a second per bot, about one a second
per private chat (short bursts tolerated), 20 a minute per group or channel. Every request the
bot makes passes `Pacer.process_request` (PTB's rate-limiter hook), so replies, edits and the
outbox sender's pushes draw from the same windows and the sum stays under the limits.

Replies (anything said while handling an update) are served before pushes; the outbox sender
marks its requests with `rate_limit_args=PUSH`. A request waiting for its own chat's window
never holds a slot others could use. A 429 pauses only the scope it was answered for (that
chat), for the `retry_after` Telegram named.
"""

from __future__ import annotations

import asyncio
import bisect
import itertools
import logging
import time
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)
PUSH = "push"  # rate_limit_args of the outbox sender's requests: they yield to replies
REPLY_RETRIES = 2  # a reply answered 429 is tried again after the pause, this many times
PRUNE_EVERY = 1000  # sends between sweeps of chats whose windows are empty
TRIPS = 200  # round trips remembered: the shortest of them is the network's fixed part
SLACK = 0.01  # seconds: how much the two ways of a round trip vary against each other


@dataclass(frozen=True)
class Limits:
    """Telegram's limits as the pacer keeps them."""

    per_second: int = 30
    chat_per_second: int = 1
    chat_burst: int = 3  # a private chat takes this many in any chat_burst / chat_per_second s
    group_per_minute: int = 20


class Window:
    """At most `limit` events in any `length` seconds: the times of the recent ones."""

    def __init__(self, limit: int, length: float) -> None:
        self.limit, self.length = limit, length
        self.times: deque[float] = deque()

    def wait(self, now: float) -> float:
        """Seconds until one more event fits (0 if it fits now)."""
        while self.times and self.times[0] <= now - self.length:
            self.times.popleft()
        if len(self.times) < self.limit:
            return 0.0
        return self.times[len(self.times) - self.limit] + self.length - now

    def empty(self, now: float) -> bool:
        self.wait(now)  # drops what has left the window
        return not self.times

    def add(self, now: float) -> None:
        self.times.append(now)

    def move(self, was: float, then: float) -> None:
        """Count the event counted at `was` at `then` instead (again, if it had left)."""
        if was in self.times:
            self.times.remove(was)
        bisect.insort(self.times, then)


class Windows:
    """The arithmetic of who may send when: one bot-wide window, one per chat, and pauses
    after a 429. Pure bookkeeping on an injected clock; nothing here sleeps."""

    def __init__(self, limits: Limits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits, self.clock = limits, clock
        self.bot = Window(limits.per_second, 1.0)
        self.chats: dict[int | str, Window] = {}
        self.paused: dict[int | str | None, float] = {}  # scope (chat, None = bot) -> until
        self.sends = 0
        self.trips: deque[float] = deque(maxlen=TRIPS)  # recent round trips, in seconds

    def chat_wait(self, chat: int | str | None) -> float:
        """Seconds until the chat's own window (and any pause on it) lets one more through."""
        now = self.clock()
        wait = max(self.paused.get(chat, 0.0), self.paused.get(None, 0.0)) - now
        if chat is not None and chat in self.chats:
            wait = max(wait, self.chats[chat].wait(now))
        return max(0.0, wait)

    def wait(self, chat: int | str | None) -> float:
        """Seconds until a message to `chat` fits every window (0: it may go now)."""
        return max(self.chat_wait(chat), self.bot.wait(self.clock()))

    def take(self, chat: int | str | None) -> float:
        """Record a message going out now; returns the moment it was counted at."""
        now = self.clock()
        self.bot.add(now)
        if chat is not None:
            self.chats.setdefault(chat, self._window(chat)).add(now)
        self.sends += 1
        if self.sends % PRUNE_EVERY == 0:
            self._prune(now)
        return now

    def done(self, chat: int | str | None, counted_at: float) -> None:
        """The request has been answered: count it as late as it may have reached Telegram.

        It arrived before the answer came back, by at least the way back. The shortest round
        trip seen lately bounds both ways together, so the answer's moment less that trip
        (plus `SLACK` for what varies) is a moment it cannot have arrived after, by more than
        the slack. A request held up on its way (a slow network, a machine that did not run
        the process for a while) is so counted late enough that the ones sent after it
        cannot land in one window with it; one that was not held up costs a few ms.
        """
        now = self.clock()
        self.trips.append(now - counted_at)
        moved = now - min(self.trips) + SLACK
        self.bot.move(counted_at, moved)
        if chat is not None:
            self.chats.setdefault(chat, self._window(chat)).move(counted_at, moved)

    def pause(self, chat: int | str | None, seconds: float) -> None:
        """Telegram said 429 for this scope: nothing goes there for `seconds`."""
        until = self.clock() + seconds
        self.paused[chat] = max(self.paused.get(chat, 0.0), until)

    def _window(self, chat: int | str) -> Window:
        limits = self.limits
        if private(chat):
            return Window(limits.chat_burst, limits.chat_burst / limits.chat_per_second)
        return Window(limits.group_per_minute, 60.0)

    def _prune(self, now: float) -> None:
        """Forget chats with nothing in their window, so a year of pushes stays small."""
        for chat in [c for c, w in self.chats.items() if w.empty(now)]:
            del self.chats[chat]
        for scope in [s for s, until in self.paused.items() if until <= now]:
            del self.paused[scope]


def private(chat: int | str) -> bool:
    """Private chats have positive ids; groups and channels negative ids or @names."""
    return isinstance(chat, int) and chat > 0


def chat_of(data: dict[str, Any]) -> int | str | None:
    raw = data.get("chat_id")
    if raw is None:
        return None
    try:
        return int(raw)
    except (TypeError, ValueError):
        return str(raw)


def counted(endpoint: str) -> bool:
    """What Telegram counts as a message: sends, copies, forwards and edits."""
    return endpoint.startswith(("send", "edit", "copy", "forward")) and endpoint != (
        "sendChatAction"
    )


class Pacer(BaseRateLimiter[str]):
    """PTB's rate-limiter hook, granting the windows' slots: replies first, then pushes,
    each in the order asked; one whose chat is not free yet is passed over, not waited for."""

    def __init__(self, limits: Limits, clock: Callable[[], float] = time.monotonic) -> None:
        self.windows = Windows(limits, clock)
        self.queue: list[tuple[int, int, int | str | None, asyncio.Future[float]]] = []
        self.order = itertools.count()
        self.timer: asyncio.TimerHandle | None = None

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: str | None,
    ) -> bool | dict[str, Any] | list[dict]:
        if not counted(endpoint):
            return await callback(*args, **kwargs)
        chat = chat_of(data)
        reply = rate_limit_args != PUSH
        retries = REPLY_RETRIES if reply else 0  # a push is retried by the sender, later
        while True:
            counted_at = await self.acquire(chat, reply=reply)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                seconds = seconds_of(exc.retry_after)
                self.windows.pause(chat, seconds)
                log.warning("Telegram said 429 for chat %s: pausing it %.0f s", chat, seconds)
                if retries <= 0:
                    raise
                retries -= 1
            finally:
                self.windows.done(chat, counted_at)

    async def ready(self, chat: int | str | None) -> None:
        """Wait until the chat's own window has room (the sender, before it takes a slot)."""
        while (wait := self.windows.chat_wait(chat)) > 0:
            await asyncio.sleep(wait)

    async def acquire(self, chat: int | str | None, *, reply: bool = True) -> float:
        """Return once a message to `chat` is counted in the windows and may go; returns the
        moment it was counted at."""
        if not self.queue and self.windows.wait(chat) <= 0:
            return self.windows.take(chat)  # nobody waits before it: no turn to queue for
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        bisect.insort(self.queue, (0 if reply else 1, next(self.order), chat, future))
        self._grant()
        try:
            return await future
        except asyncio.CancelledError:
            self.queue = [w for w in self.queue if w[3] is not future]
            raise

    def _grant(self) -> None:
        """Give every waiter that fits a slot now, in turn; wake again when the next fits."""
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        soonest, waiting = float("inf"), []
        for entry in self.queue:
            future, chat = entry[3], entry[2]
            if future.done():
                continue
            wait = self.windows.wait(chat)
            if wait <= 0:
                future.set_result(self.windows.take(chat))
                continue
            waiting.append(entry)
            soonest = min(soonest, wait)
        self.queue = waiting
        if waiting:
            self.timer = asyncio.get_running_loop().call_later(soonest, self._grant)


def seconds_of(value: Any) -> float:
    """RetryAfter.retry_after is a timedelta or a number of seconds, by PTB's settings."""
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)

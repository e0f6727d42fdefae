"""The ``Emulator``: a local Telegram Bot API server plus the handles tests act through.

It runs in the test's own event loop, so a test can make a user write, then await what the
bot answers, with no threads and no sleeps: everything waits on events.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from types import TracebackType
from typing import Any

from tgemu.actors import EmuChat, EmuUser
from tgemu.ratelimit import RateLimiter
from tgemu.server import ApiServer, Fault
from tgemu.state import JSON, ApiCall, ChatState, UserState, wait_event
from tgemu.views import ChatView
from tgemu.world import World

STAT_KEYS = ("requests", "sent_messages", "edits", "deletes", "429", "403", "400")
DEFAULT_OWNER_ID = 1


def _epoch_clock(clock: Any) -> Callable[[], float]:
    """Accept ``time.time``-like callables and ``bot.clock``-style objects with ``now()``."""
    if clock is None:
        return time.time
    source = clock.now if callable(getattr(clock, "now", None)) else clock

    def read() -> float:
        value = source()
        return value.timestamp() if isinstance(value, datetime) else float(value)

    return read


class Emulator:
    """Telegram, as far as one bot can tell. See ``tgemu/__init__.py`` for usage."""

    def __init__(
        self,
        bot_username: str = "duban_test_bot",
        *,
        bot_name: str = "督办助手",
        token: str | None = None,
        bot_id: int | None = None,
        rate_limits: bool = False,
        per_chat_burst: int = 3,
        latency: float = 0.0,
        clock: Any = None,
        callback_ttl: float = 15.0,
        privacy_mode: bool = True,
        keep_alive: bool = True,
    ) -> None:
        self.token = token
        if bot_id is None:
            bot_id = int(token.split(":", 1)[0]) if token else 123456
        bot_user = {"id": bot_id, "is_bot": True, "first_name": bot_name}
        bot_user["username"] = bot_username
        self.clock = _epoch_clock(clock)
        self.world = World(
            bot_user, self.clock, callback_ttl=callback_ttl, privacy_mode=privacy_mode
        )
        self.limiter = RateLimiter(per_chat_burst=per_chat_burst) if rate_limits else None
        self.latency = latency
        self.keep_alive = keep_alive  # False: every answer closes its connection
        self.faults: list[Fault] = []
        self.calls: list[ApiCall] = []
        self._views: dict[int, ChatView] = {}
        self._inflight = 0
        self._last_activity = 0.0
        self._server = ApiServer(self)
        self.host = "127.0.0.1"
        self.port = 0

    # -- lifecycle ----------------------------------------------------------------------------
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> Emulator:
        self.host = host
        self.port = await self._server.start(host, port)
        return self

    async def stop(self) -> None:
        self.world.updates.close()
        await self._server.stop()

    async def __aenter__(self) -> Emulator:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://{self.host}:{self.port}/file/bot"

    @property
    def bot_user(self) -> JSON:
        return dict(self.world.bot_user)

    # -- actors -------------------------------------------------------------------------------
    def user(
        self,
        user_id: int,
        first_name: str = "用户",
        *,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = "zh-hans",
    ) -> EmuUser:
        """The user with this id (created on first call; later calls return the same one)."""
        view = self._views.get(user_id)
        if isinstance(view, EmuUser):
            return view
        user: JSON = {"id": user_id, "is_bot": False, "first_name": first_name}
        for key, value in (
            ("last_name", last_name),
            ("username", username),
            ("language_code", language_code),
        ):
            if value:
                user[key] = value
        state = UserState(user)
        chat = ChatState(id=user_id, type="private", user=user)
        self.world.users[user_id] = state
        self.world.chats[user_id] = chat
        view = EmuUser(self, state, chat)
        self._views[user_id] = view
        return view

    def group(
        self,
        chat_id: int,
        title: str = "群组",
        type: str = "supergroup",
        bot_is_admin: bool = True,
        *,
        username: str | None = None,
        owner: EmuUser | None = None,
    ) -> EmuChat:
        """A group/supergroup/channel; adding the bot emits a my_chat_member update."""
        view = self._views.get(chat_id)
        if isinstance(view, EmuChat):
            return view
        if type not in ("group", "supergroup", "channel"):
            raise ValueError(f"unknown chat type {type!r}")
        chat = ChatState(id=chat_id, type=type, title=title, username=username, bot_status="left")
        owner = owner or self.user(DEFAULT_OWNER_ID, "群主")
        chat.members[owner.id] = "creator"
        self.world.chats[chat_id] = chat
        view = EmuChat(self, chat)
        self._views[chat_id] = view
        status = "administrator" if bot_is_admin or type == "channel" else "member"
        self.world.set_bot_status(chat, status, by=owner.user)
        return view

    def view(self, chat_id: int) -> ChatView:
        """The EmuUser (private chat) or EmuChat handle for a chat id."""
        return self._views[chat_id]

    def owner_of(self, chat: ChatState) -> EmuUser:
        owner_id = next((u for u, s in chat.members.items() if s == "creator"), DEFAULT_OWNER_ID)
        return self.user(owner_id)

    # -- fault injection ----------------------------------------------------------------------
    def fail_next(
        self,
        method: str,
        error_code: int,
        description: str,
        *,
        chat_id: int | str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` (optionally to one chat) fail with
        this code: 400/403 (final), 429 with ``retry_after``, or 500/502 (Telegram's side is
        down; the request certainly did nothing)."""
        self.faults.append(
            Fault(method.lower(), "fail", chat_id, error_code, description, retry_after, 0.0, times)
        )

    def hang_next(self, method: str, seconds: float, *, chat_id: int | str | None = None) -> None:
        """Delay the next call; it still succeeds (a send the client timed out on)."""
        self.faults.append(Fault(method.lower(), "hang", chat_id, seconds=seconds))

    @contextlib.asynccontextmanager
    async def refusing(self) -> AsyncIterator[None]:
        """Telegram is unreachable inside the block: connections are refused (ECONNREFUSED),
        then accepted again on the same port. See ``ApiServer.refuse`` for requests in flight.
        """
        await self._server.refuse()
        try:
            yield
        finally:
            await self._server.listen(self.host, self.port)

    async def refuse_for(self, seconds: float) -> None:
        """Refuse connections for ``seconds`` of real time, then listen again."""
        async with self.refusing():
            await asyncio.sleep(seconds)

    # -- observation --------------------------------------------------------------------------
    @property
    def stats(self) -> dict[str, int]:
        counts = dict.fromkeys(STAT_KEYS, 0)
        counts.update(self.world.stats)
        return counts

    def calls_of(self, method: str) -> list[ApiCall]:
        return [c for c in self.calls if c.method.lower() == method.lower()]

    @property
    def updates_delivered(self) -> int:
        """How many distinct updates the bot has fetched via getUpdates so far."""
        return self.world.updates.delivered

    @property
    def pending_updates(self) -> int:
        """Updates queued that the bot has not fetched yet."""
        return self.world.updates.undelivered

    def redeliver(self, update_id: int | None = None) -> int:
        """Deliver an update the bot fetched once more (default: the newest); returns its id."""
        if update_id is None:
            update_id = self.world.updates.max_returned
        self.world.updates.redeliver(update_id)
        self.world.signal.fire()
        return update_id

    def commands(self, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        key = (json.dumps(scope or {"type": "default"}, sort_keys=True), language_code)
        return self.world.commands.get(key, [])

    def activity(self, delta: int) -> None:
        """Server hook: a non-polling request started (+1) or finished (-1)."""
        self._inflight += delta
        self._last_activity = asyncio.get_running_loop().time()

    async def wait_until(
        self, predicate: Callable[[], bool], timeout: float = 5.0, message: str | None = None
    ) -> None:
        """Re-check ``predicate`` on every state change; AssertionError after ``timeout``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self.world.signal.event
            if predicate():
                return
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(message or f"condition not met within {timeout}s")
            await wait_event(event, remaining)

    async def wait_delivered(self, timeout: float = 5.0) -> None:
        """Wait until the bot has fetched every queued update."""
        await self.wait_until(
            lambda: self.pending_updates == 0, timeout, "the bot did not fetch all updates"
        )

    async def settle(self, quiet: float = 0.3, timeout: float = 5.0) -> None:
        """Wait until all updates are fetched and the bot made no API call for ``quiet`` s."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self.world.signal.event
            now = loop.time()
            busy = self._inflight > 0 or self.pending_updates > 0
            idle = now - self._last_activity
            if not busy and idle >= quiet:
                return
            if now >= deadline:
                raise AssertionError(
                    f"bot never went quiet for {quiet}s within {timeout}s "
                    f"(in flight: {self._inflight}, unfetched updates: {self.pending_updates})"
                )
            wait = deadline - now if busy else quiet - idle
            await wait_event(event, max(min(wait, deadline - now), 0.001))

"""PTB persistence in the bot's own database, so neither a restart nor a crash loses a form.

Only conversation states and user/chat data (form drafts) are kept; bot_data holds the
running services and callback data is never arbitrary, so neither is persisted. Values are
JSON: drafts hold only strings, numbers and lists.

Written through, not on a timer: at the end of every update (the last handler group calls
`write_through`) what PTB marked as changed is committed together with the update's id, in
one transaction. Once the bot has asked the next question and finished the update, a kill -9
loses nothing, and the same update delivered again after the crash is recognised (`seen`).
The id of an update that changed nothing (a /help, a list) waits for the next update's
writes, or a second at most (`PENDING_SECONDS`), and goes with them: such an update, answered
again after a crash in that second, changes nothing either; most updates are of that kind.
PTB's own timer still runs, rarely, for data changed outside an update. One window stays:
between the reply and this commit (one local transaction) PTB's updater may already have
confirmed the update's offset; closing it would need the updater to confirm finished updates only.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any

from telegram import Update
from telegram.ext import Application, BasePersistence, PersistenceInput

from storage import seen_updates
from storage.db import Database

Stored = tuple[tuple[str, int], str | None] | None  # what a write leaves in the table
Statement = tuple[str, tuple[Any, ...], Stored]
Data = dict[str, Any]  # a user's or chat's form draft, as JSON gives it back
Key = tuple[int | str, ...]  # a conversation's key (chat, user), as PTB makes it
# Set while `write_through` runs PTB's update: the writes collect here instead of each
# committing alone. PTB gathers them in tasks, which inherit this context.
_batch: ContextVar[list[Statement] | None] = ContextVar("ptb_write_batch", default=None)
TIMER_SECONDS = 60.0
PENDING_SECONDS = 1.0  # the longest an update that changed nothing waits for its id's write
_UNKNOWN = object()
log = logging.getLogger(__name__)


class SqlitePersistence(BasePersistence[Data, Data, Data]):
    def __init__(self, db: Database, update_interval: float = TIMER_SECONDS) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=True, user_data=True, callback_data=False
            ),
            update_interval=update_interval,
        )
        self.db = db
        # Above this id an update is new: it is above every id recorded before this process
        # started and every id this process took. Only at or below it is the table asked.
        self._horizon: int | None = None
        # The JSON last committed per (table, key), None: no row; an unchanged value is not
        # written again (PTB hands over every user and chat an update touched, changed or not).
        self._stored: dict[tuple[str, int], str | None] = {}
        # Finished updates that changed nothing, their ids not written yet; the timer that
        # writes them if no update's writes take them along first.
        self._pending: list[int] = []
        self._timer: asyncio.TimerHandle | None = None
        self._writing: asyncio.Task[None] | None = None

    async def seen(self, update_id: int) -> bool:
        """Was this update finished before (and is now delivered again)?"""
        if self._horizon is None:
            async with self.db.read() as conn:
                self._horizon = await seen_updates.newest(conn)
        if update_id > self._horizon:
            self._horizon = update_id
            return False
        if update_id in self._pending:
            return True
        async with self.db.read() as conn:
            return await seen_updates.seen(conn, update_id)

    async def write_through(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        update: Update,
        form_moved: bool,
    ) -> None:
        """Commit what this update changed, and its id, in one transaction.

        PTB marks the update's user and chat only after the last handler group, so those whose
        data changed are marked here; conversation states are tracked by PTB as they change,
        and can have changed only when a form handled the update (`form_moved`). An update
        that changed neither (most of them) leaves only its id, for the next commit.
        """
        chat, user = update.effective_chat, update.effective_user
        chats = self._changed("ptb_chat_data", chat.id if chat else None, application.chat_data)
        users = self._changed("ptb_user_data", user.id if user else None, application.user_data)
        batch: list[Statement] = []
        if form_moved or chats is not None or users is not None:
            application.mark_data_for_update_persistence(chat_ids=chats, user_ids=users)
            token = _batch.set(batch)
            try:
                await application.update_persistence()
            finally:
                _batch.reset(token)
        if not batch:
            self._pending.append(update.update_id)
            if self._timer is None:
                loop = asyncio.get_running_loop()
                self._timer = loop.call_later(PENDING_SECONDS, self._write_pending)
            return
        ids, self._pending = [*self._pending, update.update_id], []
        writes = [(sql, params) for sql, params, _ in batch]
        try:
            await self.db.batch([*writes, seen_updates.recorded(ids)])
        except BaseException:
            self._pending[:0] = ids[:-1]  # still to write; this update's own id failed with it
            raise
        self._remember(batch)

    def _write_pending(self) -> None:
        self._timer = None
        self._writing = asyncio.ensure_future(self.flush())
        self._writing.add_done_callback(_said)

    async def flush(self) -> None:
        """The ids still waiting, written now (PTB calls this at shutdown, the timer sooner)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        ids, self._pending = self._pending, []
        if not ids:
            return
        try:
            await seen_updates.record_alone(self.db, ids)
        except BaseException:
            self._pending[:0] = ids
            raise

    def _changed(self, table: str, key: int | None, data: Mapping[int, Data]) -> int | None:
        """The key, if its data differs from what was last committed: PTB would copy and hand
        over every user and chat the update touched, and most updates change none."""
        if key is None or self._stored.get((table, key), _UNKNOWN) == _text(data.get(key)):
            return None
        return key

    async def get_user_data(self) -> dict[int, Data]:
        return await self._load("ptb_user_data", "user_id")

    async def get_chat_data(self) -> dict[int, Data]:
        return await self._load("ptb_chat_data", "chat_id")

    async def _load(self, table: str, column: str) -> dict[int, Data]:
        async with self.db.read() as conn:
            rows = await conn.all(f"SELECT {column}, data FROM {table}")
        self._stored.update({(table, r[0]): r[1] for r in rows})
        return {r[0]: json.loads(r[1]) for r in rows}

    async def get_bot_data(self) -> Data:
        return {}

    async def get_callback_data(self) -> None:
        return None

    async def get_conversations(self, name: str) -> dict[Key, object]:
        async with self.db.read() as conn:
            rows = await conn.all(
                "SELECT key, state FROM ptb_conversations WHERE name = ?", (name,)
            )
        return {tuple(json.loads(r[0])): json.loads(r[1]) for r in rows}

    async def update_conversation(self, name: str, key: Key, new_state: object | None) -> None:
        if new_state is None:
            await self._write(
                "DELETE FROM ptb_conversations WHERE name = ? AND key = ?",
                (name, json.dumps(list(key))),
            )
        else:
            await self._write(
                "INSERT INTO ptb_conversations (name, key, state) VALUES (?, ?, ?)"
                " ON CONFLICT(name, key) DO UPDATE SET state = excluded.state",
                (name, json.dumps(list(key)), json.dumps(new_state)),
            )

    async def update_user_data(self, user_id: int, data: Data) -> None:
        await self._put("ptb_user_data", "user_id", user_id, data)

    async def update_chat_data(self, chat_id: int, data: Data) -> None:
        await self._put("ptb_chat_data", "chat_id", chat_id, data)

    async def _put(self, table: str, column: str, key: int, data: Data) -> None:
        text = _text(data)
        if self._stored.get((table, key), _UNKNOWN) == text:
            return  # what the database holds already
        params: tuple[Any, ...]
        if text is None:
            sql, params = f"DELETE FROM {table} WHERE {column} = ?", (key,)
        else:
            sql = (
                f"INSERT INTO {table} ({column}, data) VALUES (?, ?)"
                f" ON CONFLICT({column}) DO UPDATE SET data = excluded.data"
            )
            params = (key, text)
        await self._write(sql, params, ((table, key), text))

    async def _write(self, sql: str, params: tuple[Any, ...], stored: Stored = None) -> None:
        """Into the update's transaction during `write_through`; otherwise alone, at once."""
        batch = _batch.get()
        if batch is not None:
            batch.append((sql, params, stored))
            return
        async with self.db.transaction() as conn:
            await conn.execute(sql, params)
        self._remember([(sql, params, stored)])

    def _remember(self, batch: list[Statement]) -> None:
        """Once committed (not before: a rolled-back write must be written again)."""
        self._stored.update(stored for _, _, stored in batch if stored is not None)

    async def update_bot_data(self, data: Data) -> None:
        return None

    async def update_callback_data(self, data: object) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        await self._put("ptb_chat_data", "chat_id", chat_id, {})

    async def drop_user_data(self, user_id: int) -> None:
        await self._put("ptb_user_data", "user_id", user_id, {})

    async def refresh_user_data(self, user_id: int, user_data: Data) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: Data) -> None:
        return None

    async def refresh_bot_data(self, bot_data: Data) -> None:
        return None


def _said(task: asyncio.Task[None]) -> None:
    """The timer's write failed (the database is gone): its ids stay waiting for the next."""
    if not task.cancelled() and task.exception() is not None:
        log.warning("could not record finished updates: %s", task.exception())


def _text(data: Data | None) -> str | None:
    """A user's or chat's data as stored: JSON, or None (no row) when empty."""
    return json.dumps(data, ensure_ascii=False) if data else None

"""PTB persistence in the bot's own database, so a restart loses no form in progress.

Only conversation states and user/chat data (form drafts) are kept; bot_data holds the
running services and callback data is never arbitrary, so neither is persisted. Values are
JSON: drafts hold only strings, numbers and lists.
"""

from __future__ import annotations

import json
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput

from storage.db import Database


class SqlitePersistence(BasePersistence[dict, dict, dict]):
    def __init__(self, db: Database, update_interval: float = 1.0) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=True, user_data=True, callback_data=False
            ),
            update_interval=update_interval,
        )
        self.db = db

    async def get_user_data(self) -> dict[int, dict]:
        async with self.db.read() as conn:
            rows = await conn.all("SELECT user_id, data FROM ptb_user_data")
        return {r[0]: json.loads(r[1]) for r in rows}

    async def get_chat_data(self) -> dict[int, dict]:
        async with self.db.read() as conn:
            rows = await conn.all("SELECT chat_id, data FROM ptb_chat_data")
        return {r[0]: json.loads(r[1]) for r in rows}

    async def get_bot_data(self) -> dict:
        return {}

    async def get_callback_data(self) -> None:
        return None

    async def get_conversations(self, name: str) -> dict:
        async with self.db.read() as conn:
            rows = await conn.all(
                "SELECT key, state FROM ptb_conversations WHERE name = ?", (name,)
            )
        return {tuple(json.loads(r[0])): json.loads(r[1]) for r in rows}

    async def update_conversation(self, name: str, key: tuple, new_state: object | None) -> None:
        async with self.db.transaction() as conn:
            if new_state is None:
                await conn.execute(
                    "DELETE FROM ptb_conversations WHERE name = ? AND key = ?",
                    (name, json.dumps(list(key))),
                )
            else:
                await conn.execute(
                    "INSERT INTO ptb_conversations (name, key, state) VALUES (?, ?, ?)"
                    " ON CONFLICT(name, key) DO UPDATE SET state = excluded.state",
                    (name, json.dumps(list(key)), json.dumps(new_state)),
                )

    async def update_user_data(self, user_id: int, data: dict) -> None:
        await self._put("ptb_user_data", "user_id", user_id, data)

    async def update_chat_data(self, chat_id: int, data: dict) -> None:
        await self._put("ptb_chat_data", "chat_id", chat_id, data)

    async def _put(self, table: str, column: str, key: int, data: dict[str, Any]) -> None:
        async with self.db.transaction() as conn:
            if data:
                await conn.execute(
                    f"INSERT INTO {table} ({column}, data) VALUES (?, ?)"
                    f" ON CONFLICT({column}) DO UPDATE SET data = excluded.data",
                    (key, json.dumps(data, ensure_ascii=False)),
                )
            else:
                await conn.execute(f"DELETE FROM {table} WHERE {column} = ?", (key,))

    async def update_bot_data(self, data: dict) -> None:
        return None

    async def update_callback_data(self, data: object) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        await self._put("ptb_chat_data", "chat_id", chat_id, {})

    async def drop_user_data(self, user_id: int) -> None:
        await self._put("ptb_user_data", "user_id", user_id, {})

    async def refresh_user_data(self, user_id: int, user_data: dict) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: dict) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict) -> None:
        return None

    async def flush(self) -> None:
        return None

"""Everything Telegram knows: chats, users, files, updates and callback queries.

Both sides act on this one object: the HTTP handlers (what the bot does) and the test-facing
actors (what users do). Telegram's access rules live here so both sides see the same answer.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import secrets
from collections import Counter
from typing import Any

from tgemu.html import utf16_len
from tgemu.state import (
    JSON,
    ApiError,
    BotMessage,
    CallbackRecord,
    ChatState,
    Clock,
    Signal,
    StoredFile,
    UserState,
    bad_request,
    member_json,
)
from tgemu.updates import UpdateQueue

_COMMAND = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")
_MEMBER_STATUSES = ("creator", "administrator", "member", "restricted")


def command_entities(text: str) -> list[JSON]:
    """bot_command entities as Telegram adds them to user messages (UTF-16 offsets)."""
    return [
        {"type": "bot_command", "offset": utf16_len(text[: m.start()]), "length": utf16_len(m[0])}
        for m in _COMMAND.finditer(text)
    ]


class World:
    """The emulated Telegram state for one bot."""

    def __init__(
        self,
        bot_user: JSON,
        clock: Clock,
        *,
        callback_ttl: float = 15.0,
        privacy_mode: bool = True,
    ) -> None:
        self.bot_user = bot_user
        self.clock = clock
        self.callback_ttl = callback_ttl
        self.privacy_mode = privacy_mode
        self.chats: dict[int, ChatState] = {}
        self.users: dict[int, UserState] = {}
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self.updates = UpdateQueue()
        self.signal = Signal()
        self.callbacks: dict[str, CallbackRecord] = {}
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.profile: dict[str, str] = {}
        self.webhook_url = ""
        self.stats: Counter[str] = Counter()
        self._file_seq = itertools.count(1)
        self._media_group_seq = itertools.count(13_000_000_000_000_000)

    # -- time and ids -------------------------------------------------------------------------
    def now(self) -> int:
        return int(self.clock())

    def media_group_id(self) -> str:
        return str(next(self._media_group_seq))

    # -- lookups and Telegram's access rules -------------------------------------------------
    def find_chat(self, chat_id: Any) -> ChatState:
        """Resolve an int id or "@username"; unknown chats are 400 chat not found."""
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            name = chat_id[1:].lower()
            named = (c for c in self.chats.values() if (c.username or "").lower() == name)
            chat = next(named, None)
        else:
            try:
                chat = self.chats.get(int(chat_id))
            except (TypeError, ValueError):
                chat = None
        if chat is None or (chat.type == "private" and not self.users[chat.id].started):
            raise bad_request("chat not found")
        return chat

    def writable_chat(self, chat_id: Any) -> ChatState:
        """The chat, if the bot may post there now; otherwise Telegram's 400/403."""
        chat = self.find_chat(chat_id)
        if chat.type == "private":
            if self.users[chat.id].blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            return chat
        if chat.bot_status == "kicked":
            raise ApiError(403, f"Forbidden: bot was kicked from the {chat.type} chat")
        if chat.bot_status == "left":
            raise ApiError(403, f"Forbidden: bot is not a member of the {chat.type} chat")
        if chat.type == "channel" and chat.bot_status != "administrator":
            raise bad_request("need administrator rights in the channel chat")
        return chat

    def find_user(self, user_id: Any) -> UserState:
        try:
            user = self.users.get(int(user_id))
        except (TypeError, ValueError):
            user = None
        if user is None:
            raise bad_request("user not found")
        return user

    def member_status(self, chat: ChatState, user_id: int) -> str:
        if user_id == self.bot_user["id"]:
            return chat.bot_status
        if chat.type == "private":
            return "member" if user_id == chat.id else "left"
        return chat.members.get(user_id, "left")

    # -- files --------------------------------------------------------------------------------
    def store_file(
        self, data: bytes, kind: str, file_name: str | None = None, mime_type: str | None = None
    ) -> StoredFile:
        n = next(self._file_seq)
        prefix = "BQACAgUAAxkBAAI" if kind == "document" else "AgACAgUAAxkBAAI"
        file_id = f"{prefix}{n:06d}{secrets.token_urlsafe(24)}"
        unique = f"AQAD{n:06d}{secrets.token_urlsafe(6)}"
        if kind == "photo":
            path = f"photos/file_{n}.jpg"
        else:
            suffix = file_name.rsplit(".", 1)[-1] if file_name and "." in file_name else ""
            path = f"documents/file_{n}" + (f".{suffix}" if suffix else "")
        width, height = _image_size(data) if kind == "photo" else (0, 0)
        stored = StoredFile(file_id, unique, data, kind, path, file_name, mime_type, width, height)
        self.files[file_id] = stored
        self.files_by_path[path] = stored
        return stored

    # -- messages -----------------------------------------------------------------------------
    def base_message(self, chat: ChatState, sender: JSON | None) -> JSON:
        raw: JSON = {"message_id": chat.new_message_id(), "date": self.now()}
        if sender is not None:
            raw["from"] = sender
        elif chat.type == "channel":
            raw["sender_chat"] = chat.as_json()
        raw["chat"] = chat.as_json()
        return raw

    def add_bot_message(self, chat: ChatState, message: BotMessage) -> BotMessage:
        chat.messages[message.message_id] = message.raw
        chat.bot_messages[message.message_id] = message
        chat.inbox.append(message)
        chat.log("new", message)
        self.signal.fire()
        return message

    def push_user_message(self, chat: ChatState, raw: JSON) -> None:
        """Store a message a user (or channel) wrote and hand it to the bot if it may see it."""
        chat.messages[raw["message_id"]] = raw
        kind = "channel_post" if chat.type == "channel" else "message"
        if self._bot_sees(chat, raw):
            self.updates.push(kind, raw)
        self.signal.fire()

    def _bot_sees(self, chat: ChatState, raw: JSON) -> bool:
        if chat.type == "private":
            return True
        if chat.bot_status not in ("member", "administrator"):
            return False
        if chat.type == "channel" or not self.privacy_mode or chat.bot_status == "administrator":
            return True
        # Privacy mode: commands, replies to the bot and mentions only.
        text = raw.get("text") or raw.get("caption") or ""
        reply = raw.get("reply_to_message") or {}
        username = "@" + self.bot_user["username"]
        return (
            text.startswith("/")
            or (reply.get("from") or {}).get("id") == self.bot_user["id"]
            or username.lower() in text.lower()
        )

    def set_bot_status(self, chat: ChatState, status: str, by: JSON | None = None) -> None:
        """Change the bot's membership and emit the my_chat_member update Telegram sends."""
        old = chat.bot_status
        if old == status:
            return
        chat.bot_status = status
        actor = by or chat.user or self.bot_user
        self.updates.push(
            "my_chat_member",
            {
                "chat": chat.as_json(),
                "from": actor,
                "date": self.now(),
                "old_chat_member": member_json(old, self.bot_user),
                "new_chat_member": member_json(status, self.bot_user),
            },
        )
        self.signal.fire()

    def is_member(self, chat: ChatState, user_id: int) -> bool:
        return self.member_status(chat, user_id) in _MEMBER_STATUSES

    # -- callback queries ---------------------------------------------------------------------
    def new_callback(self, user_id: int) -> CallbackRecord:
        query_id = str(secrets.randbits(62))
        record = CallbackRecord(query_id, user_id, asyncio.get_running_loop().time())
        self.callbacks[query_id] = record
        return record

    def answer_callback(self, query_id: str, text: str | None, show_alert: bool, url: Any) -> None:
        record = self.callbacks.get(query_id)
        expired = record is None or (
            asyncio.get_running_loop().time() - record.created > self.callback_ttl
        )
        if record is None or record.answered or expired:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        if text is not None and len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        record.answered, record.text, record.show_alert = True, text, show_alert
        record.url = url
        self.signal.fire()


def _image_size(data: bytes) -> tuple[int, int]:
    """Width/height from a PNG or JPEG header (PhotoSize needs them); 1x1 if unknown."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                break
            marker, size = data[i + 1], int.from_bytes(data[i + 2 : i + 4], "big")
            if marker in (0xC0, 0xC1, 0xC2):
                h = int.from_bytes(data[i + 5 : i + 7], "big")
                return int.from_bytes(data[i + 7 : i + 9], "big"), h
            i += 2 + size
    return 1, 1

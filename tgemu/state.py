"""The emulator's data model: plain objects shaped after what Telegram stores.

Kept free of aiohttp so tests can inspect and reason about it directly. Every message is kept
as the Telegram ``Message`` JSON (``raw``) so that what the bot receives over HTTP and what a
test inspects can never drift apart.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]
Clock = Callable[[], float]


class ApiError(Exception):
    """A Bot API failure; the server turns it into Telegram's error JSON and HTTP status."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


def bad_request(text: str) -> ApiError:
    return ApiError(400, f"Bad Request: {text}")


class Signal:
    """Wakes every waiter whenever something changes, without anyone polling in a loop."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    @property
    def event(self) -> asyncio.Event:
        """Grab this *before* checking a condition, then wait on it: no lost wake-ups."""
        return self._event

    def fire(self) -> None:
        self._event.set()
        self._event = asyncio.Event()


async def wait_event(event: asyncio.Event, timeout: float) -> None:
    """Wait for ``event`` at most ``timeout`` seconds; the caller re-checks its condition."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), timeout)


@dataclass(frozen=True)
class Button:
    """One keyboard button. ``kind`` is "inline" or "reply" (a reply-keyboard button)."""

    text: str
    callback_data: str | None = None
    url: str | None = None
    kind: str = "inline"


def buttons_of(markup: JSON | None) -> list[list[Button]]:
    """Rows of buttons from an inline keyboard or a reply keyboard markup dict."""
    if not markup:
        return []
    if "inline_keyboard" in markup:
        return [
            [Button(b.get("text", ""), b.get("callback_data"), b.get("url")) for b in row]
            for row in markup["inline_keyboard"]
        ]
    rows = markup.get("keyboard") or []
    return [
        [Button(b if isinstance(b, str) else b.get("text", ""), kind="reply") for b in row]
        for row in rows
    ]


@dataclass
class StoredFile:
    """An uploaded file. ``kind`` decides whether it can be re-sent as document or photo."""

    file_id: str
    file_unique_id: str
    data: bytes
    kind: str
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None
    width: int = 0
    height: int = 0

    def as_file(self) -> JSON:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }

    def as_document(self) -> JSON:
        doc: JSON = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
        }
        if self.file_name:
            doc["file_name"] = self.file_name
        if self.mime_type:
            doc["mime_type"] = self.mime_type
        return doc

    def as_photo(self) -> list[JSON]:
        return [
            {
                "file_id": self.file_id,
                "file_unique_id": self.file_unique_id,
                "file_size": len(self.data),
                "width": self.width,
                "height": self.height,
            }
        ]


@dataclass
class BotMessage:
    """A message the bot sent, in its current state (after edits; deletion only flags it)."""

    raw: JSON
    html: str | None
    parse_mode: str | None
    reply_markup: JSON | None
    document_bytes: bytes | None = None
    photo_bytes: bytes | None = None
    edits: list[str] = field(default_factory=list)
    deleted: bool = False

    @property
    def message_id(self) -> int:
        return int(self.raw["message_id"])

    @property
    def chat_id(self) -> int:
        return int(self.raw["chat"]["id"])

    @property
    def date(self) -> int:
        return int(self.raw["date"])

    @property
    def text(self) -> str:
        """What the user reads: the plain text, or the plain caption of a media message."""
        return str(self.raw.get("text") or self.raw.get("caption") or "")

    @property
    def caption(self) -> str | None:
        return self.raw.get("caption")

    @property
    def document(self) -> JSON | None:
        return self.raw.get("document")

    @property
    def photo(self) -> list[JSON] | None:
        return self.raw.get("photo")

    @property
    def buttons(self) -> list[list[Button]]:
        return buttons_of(self.reply_markup)

    @property
    def button_texts(self) -> list[str]:
        return [b.text for row in self.buttons for b in row]

    def find_button(self, text: str) -> Button | None:
        return next((b for row in self.buttons for b in row if b.text == text), None)

    def __repr__(self) -> str:
        flags = " deleted" if self.deleted else ""
        extra = f" buttons={self.button_texts}" if self.button_texts else ""
        return f"<BotMessage #{self.message_id}{flags} {self.text!r}{extra}>"


@dataclass
class ApiCall:
    """One HTTP request the bot made; ``ok`` stays None while the request is in flight."""

    method: str
    params: JSON
    at: float
    ok: bool | None = None
    error_code: int | None = None
    description: str | None = None
    result: Any = None


@dataclass
class ChatEvent:
    """Something the bot did to a chat; ``text`` is a snapshot taken at that moment."""

    kind: str  # "new" | "edit" | "delete"
    message: BotMessage
    text: str


@dataclass
class CallbackRecord:
    """A callback query awaiting answerCallbackQuery."""

    query_id: str
    user_id: int
    created: float  # loop time
    answered: bool = False
    text: str | None = None
    show_alert: bool = False
    url: str | None = None


ADMIN_RIGHTS = (
    "can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
    "can_promote_members", "can_change_info", "can_invite_users", "can_post_stories",
    "can_edit_stories", "can_delete_stories", "can_pin_messages", "can_post_messages",
    "can_edit_messages",
)  # fmt: skip


def member_json(status: str, user: JSON) -> JSON:
    """A ChatMember object of the given status that PTB's de_json accepts."""
    member: JSON = {"status": status, "user": user}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update({"can_be_edited": False, "is_anonymous": False})
        member.update(dict.fromkeys(ADMIN_RIGHTS, True))
        member["can_promote_members"] = False
    elif status == "kicked":
        member["until_date"] = 0
    return member


@dataclass
class ChatState:
    """A chat as Telegram sees it, from the bot's point of view."""

    id: int
    type: str  # private | group | supergroup | channel
    title: str | None = None
    username: str | None = None
    user: JSON | None = None  # the other party of a private chat
    bot_status: str = "member"  # member | administrator | left | kicked
    members: dict[int, str] = field(default_factory=dict)  # user id -> status
    messages: dict[int, JSON] = field(default_factory=dict)
    bot_messages: dict[int, BotMessage] = field(default_factory=dict)
    inbox: list[BotMessage] = field(default_factory=list)
    events: list[ChatEvent] = field(default_factory=list)
    next_message_id: int = 1

    def as_json(self) -> JSON:
        if self.type == "private" and self.user is not None:
            chat = {"id": self.id, "type": "private"}
            for key in ("first_name", "last_name", "username"):
                if self.user.get(key):
                    chat[key] = self.user[key]
            return chat
        chat = {"id": self.id, "type": self.type, "title": self.title or ""}
        if self.username:
            chat["username"] = self.username
        return chat

    def new_message_id(self) -> int:
        self.next_message_id += 1
        return self.next_message_id - 1

    def log(self, kind: str, message: BotMessage) -> None:
        self.events.append(ChatEvent(kind, message, message.text))


@dataclass
class UserState:
    """A Telegram user: ``started`` once they wrote to the bot, ``blocked`` if they blocked it."""

    user: JSON
    started: bool = False
    blocked: bool = False

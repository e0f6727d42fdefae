"""Typed access to Bot API request parameters, whatever encoding the client used.

PTB sends form fields where strings go as-is and every other value is JSON-encoded (``"123"``,
``"true"``, ``'{"inline_keyboard": ...}'``). So a field must be decoded according to what the
method expects: blindly JSON-decoding would turn the message text "123" into a number.
JSON bodies carry real types; both land here and look the same to the handlers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tgemu.state import JSON, bad_request

# Fields whose string form is JSON (PTB json.dumps them); used for ApiCall.params only.
JSON_FIELDS = frozenset(
    {
        "reply_markup", "reply_parameters", "link_preview_options", "entities",
        "caption_entities", "media", "allowed_updates", "commands", "scope",
    }
)  # fmt: skip
INT_FIELDS = frozenset(
    {"chat_id", "from_chat_id", "message_id", "user_id", "offset", "limit", "timeout"}
)
BOOL_FIELDS = frozenset(
    {
        "disable_notification", "protect_content", "show_alert", "drop_pending_updates",
        "allow_sending_without_reply", "show_caption_above_media", "has_spoiler",
        "disable_content_type_detection",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    filename: str | None
    content_type: str | None
    data: bytes


class Params:
    """Request parameters plus uploaded files, with Telegram-style coercion."""

    def __init__(self, values: dict[str, Any], files: dict[str, Upload] | None = None) -> None:
        self.values = values
        self.files = files or {}

    def has(self, name: str) -> bool:
        return name in self.values or name in self.files

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def get_str(self, name: str, default: str | None = None) -> str | None:
        value = self.values.get(name)
        if value is None:
            return default
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)

    def get_int(self, name: str, default: int | None = None) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def need_int(self, name: str) -> int:
        value = self.get_int(name)
        if value is None:
            raise bad_request(f"{name} is empty")
        return value

    def get_bool(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1")
        return bool(value)

    def get_json(self, name: str) -> Any:
        """Decode a JSON-typed field (an object/array), 400 if it is not valid JSON."""
        value = self.values.get(name)
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {name} JSON object") from None

    def chat_id(self, name: str = "chat_id") -> Any:
        """An int chat id or an "@username" string; missing is "chat_id is empty"."""
        value = self.values.get(name)
        if value is None or value == "":
            raise bad_request(f"{name} is empty")
        if isinstance(value, str) and value.startswith("@"):
            return value
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request("chat not found") from None

    def parsed(self) -> JSON:
        """A readable, decoded copy for ApiCall.params (uploads summarised, not copied)."""
        out: JSON = {}
        for key, value in self.values.items():
            out[key] = _decode(key, value)
        for key, up in self.files.items():
            out[key] = {"filename": up.filename, "size": len(up.data), "mime": up.content_type}
        return out


def _decode(key: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        if key in JSON_FIELDS:
            return json.loads(value)
        if key in INT_FIELDS:
            return int(value)
    except ValueError:
        return value
    if key in BOOL_FIELDS:
        return value.lower() in ("true", "1")
    return value

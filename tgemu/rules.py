"""Telegram's validation rules for outgoing messages, with Telegram's own error wording.

These are the checks a bot most often trips over in production (markup that does not parse,
overlong texts, 64-byte callback_data, replying to a vanished message), so they are enforced
exactly where Telegram enforces them: on every send and edit.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from tgemu.html import EntityParseError, Parsed, parse_text, utf16_len
from tgemu.params import Params
from tgemu.state import JSON, BotMessage, ChatState, bad_request
from tgemu.world import World

Handler = Callable[[World, Params], Awaitable[Any]]
METHODS: dict[str, Handler] = {}


def api_method(*names: str) -> Callable[[Handler], Handler]:
    """Register a handler; Bot API method names are case-insensitive."""

    def register(func: Handler) -> Handler:
        for name in names:
            METHODS[name.lower()] = func
        return func

    return register


TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
_INLINE_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)  # fmt: skip


def parse_body(source: str | None, parse_mode: str | None, *, caption: bool = False) -> Parsed:
    """Parse text or caption; 400 for empty text, bad entities or over-length.

    Length is the visible text after entity parsing, in UTF-16 code units (an emoji is two).
    """
    try:
        parsed = parse_text(source or "", parse_mode)
    except EntityParseError as exc:
        raise bad_request(f"can't parse entities: {exc}") from None
    except ValueError:
        raise bad_request("unsupported parse_mode") from None
    if not caption and not parsed.text:
        raise bad_request("message text is empty")
    if caption and utf16_len(parsed.text) > CAPTION_LIMIT:
        raise bad_request("message caption is too long")
    if not caption and utf16_len(parsed.text) > TEXT_LIMIT:
        raise bad_request("message is too long")
    return parsed


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    actions = [key for key in _INLINE_ACTIONS if key in button]
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if len(actions) > 1:
        raise bad_request(
            "can't parse inline keyboard button: exactly one of the optional fields must be used"
        )
    data = button.get("callback_data")
    if "callback_data" in button:
        size = len(str(data).encode("utf-8"))
        if not isinstance(data, str) or not 1 <= size <= CALLBACK_DATA_LIMIT:
            raise bad_request("BUTTON_DATA_INVALID")
    url = button.get("url")
    if "url" in button and not (
        isinstance(url, str) and url.split("://", 1)[0] in ("http", "https", "tg") and "://" in url
    ):
        raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")


def check_markup(markup: Any, *, inline_only: bool = False) -> JSON | None:
    """Validate reply_markup; returns it (or None when absent)."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("object expected as reply markup")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad_request(
                'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array'
            )
        for row in rows:
            for button in row:
                _check_inline_button(button)
        return markup
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad_request('field "keyboard" of the ReplyKeyboardMarkup must be an Array')
        return markup
    if markup.get("remove_keyboard") or markup.get("force_reply"):
        return markup
    raise bad_request("can't parse reply keyboard markup JSON object")


def inline_markup(markup: JSON | None) -> JSON | None:
    """Only inline keyboards are part of a Message object; reply keyboards are not echoed."""
    return markup if markup and "inline_keyboard" in markup else None


def reply_target(chat: ChatState, p: Params) -> JSON | None:
    """The message being replied to (reply_parameters or legacy reply_to_message_id)."""
    params = p.get_json("reply_parameters")
    if isinstance(params, dict):
        message_id = params.get("message_id")
        allow = bool(params.get("allow_sending_without_reply"))
    else:
        message_id = p.get_int("reply_to_message_id")
        allow = p.get_bool("allow_sending_without_reply")
    if message_id is None:
        return None
    target = chat.messages.get(int(message_id))
    if target is None:
        if allow:
            return None
        raise bad_request("message to be replied not found")
    return {k: v for k, v in target.items() if k != "reply_to_message"}


def record_bot_message(
    world: World,
    chat: ChatState,
    p: Params,
    fields: JSON,
    *,
    html: str | None,
    parse_mode: str | None,
    markup: JSON | None,
    reply: JSON | None = None,
    document_bytes: bytes | None = None,
    photo_bytes: bytes | None = None,
) -> BotMessage:
    """Create the Message the bot just sent, store it and log it for the chat's observers."""
    sender = None if chat.type == "channel" else world.bot_user
    raw = world.base_message(chat, sender)
    raw.update(fields)
    if reply is not None:
        raw["reply_to_message"] = reply
    if inline_markup(markup):
        raw["reply_markup"] = markup
    if p.get_bool("protect_content"):
        raw["has_protected_content"] = True
    message = BotMessage(
        raw=raw,
        html=html,
        parse_mode=parse_mode,
        reply_markup=markup,
        document_bytes=document_bytes,
        photo_bytes=photo_bytes,
    )
    world.stats["sent_messages"] += 1
    return world.add_bot_message(chat, message)


def text_fields(parsed: Parsed, key: str = "text") -> JSON:
    fields: JSON = {key: parsed.text}
    if parsed.entities:
        fields["entities" if key == "text" else "caption_entities"] = parsed.entities
    return fields

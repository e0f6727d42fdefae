"""Bot API methods that create, change or remove text messages."""

from __future__ import annotations

from tgemu.params import Params
from tgemu.rules import (
    api_method,
    check_markup,
    inline_markup,
    parse_body,
    record_bot_message,
    reply_target,
    text_fields,
)
from tgemu.state import JSON, BotMessage, ChatState, bad_request
from tgemu.world import World

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
        "upload_document", "choose_sticker", "find_location", "record_video_note",
        "upload_video_note",
    }
)  # fmt: skip


@api_method("sendMessage")
async def send_message(world: World, p: Params) -> JSON:
    chat = world.writable_chat(p.chat_id())
    parse_mode = p.get_str("parse_mode")
    parsed = parse_body(p.get_str("text"), parse_mode)
    markup = check_markup(p.get_json("reply_markup"))
    reply = reply_target(chat, p)
    fields = text_fields(parsed)
    preview = p.get_json("link_preview_options")
    if isinstance(preview, dict) and preview:
        fields["link_preview_options"] = preview
    message = record_bot_message(
        world,
        chat,
        p,
        fields,
        html=p.get_str("text"),
        parse_mode=parse_mode,
        markup=markup,
        reply=reply,
    )
    return message.raw


def editable(world: World, p: Params) -> tuple[ChatState, BotMessage]:
    """The bot's own message addressed by chat_id + message_id, or Telegram's 400."""
    if p.has("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")
    chat = world.writable_chat(p.chat_id())
    message_id = p.need_int("message_id")
    message = chat.bot_messages.get(message_id)
    if message is None or message.deleted:
        if message_id in chat.messages:
            raise bad_request("message can't be edited")
        raise bad_request("message to edit not found")
    return chat, message


def _apply_edit(
    world: World, chat: ChatState, message: BotMessage, fields: JSON, markup: JSON | None
) -> JSON:
    """Replace content + inline keyboard (omitting reply_markup removes the keyboard)."""
    message.edits.append(message.text)
    for key in ("text", "entities", "caption", "caption_entities"):
        message.raw.pop(key, None)
    message.raw.update(fields)
    if inline_markup(markup):
        message.raw["reply_markup"] = markup
    else:
        message.raw.pop("reply_markup", None)
    message.reply_markup = markup
    chat.log("edit", message)
    world.stats["edits"] += 1
    world.signal.fire()
    return message.raw


@api_method("editMessageText")
async def edit_message_text(world: World, p: Params) -> JSON:
    chat, message = editable(world, p)
    parse_mode = p.get_str("parse_mode")
    parsed = parse_body(p.get_str("text"), parse_mode)
    markup = check_markup(p.get_json("reply_markup"), inline_only=True)
    if "text" not in message.raw:
        raise bad_request("there is no text in the message to edit")
    fields = text_fields(parsed)
    same_content = (
        message.raw.get("text") == parsed.text
        and message.raw.get("entities", []) == parsed.entities
    )
    if same_content and message.raw.get("reply_markup") == inline_markup(markup):
        raise bad_request(NOT_MODIFIED)
    if not same_content:
        fields["edit_date"] = world.now()
    message.html, message.parse_mode = p.get_str("text"), parse_mode
    return _apply_edit(world, chat, message, fields, markup)


@api_method("editMessageCaption")
async def edit_message_caption(world: World, p: Params) -> JSON:
    chat, message = editable(world, p)
    parse_mode = p.get_str("parse_mode")
    parsed = parse_body(p.get_str("caption"), parse_mode, caption=True)
    markup = check_markup(p.get_json("reply_markup"), inline_only=True)
    if "text" in message.raw:
        raise bad_request("there is no caption in the message to edit")
    fields = text_fields(parsed, "caption") if parsed.text else {}
    same_content = (message.raw.get("caption") or "") == parsed.text and message.raw.get(
        "caption_entities", []
    ) == parsed.entities
    if same_content and message.raw.get("reply_markup") == inline_markup(markup):
        raise bad_request(NOT_MODIFIED)
    if not same_content:
        fields["edit_date"] = world.now()
    message.html, message.parse_mode = p.get_str("caption"), parse_mode
    return _apply_edit(world, chat, message, fields, markup)


@api_method("editMessageReplyMarkup")
async def edit_message_reply_markup(world: World, p: Params) -> JSON:
    chat, message = editable(world, p)
    markup = check_markup(p.get_json("reply_markup"), inline_only=True)
    if message.raw.get("reply_markup") == inline_markup(markup):
        raise bad_request(NOT_MODIFIED)
    keep = ("text", "entities", "caption", "caption_entities")
    fields = {k: message.raw[k] for k in keep if k in message.raw}
    raw = _apply_edit(world, chat, message, fields, markup)
    message.edits.pop()  # the text did not change; edits lists previous *texts* only
    return raw


@api_method("deleteMessage")
async def delete_message(world: World, p: Params) -> bool:
    chat = world.find_chat(p.chat_id())
    message_id = p.need_int("message_id")
    raw = chat.messages.get(message_id)
    if raw is None:
        raise bad_request("message to delete not found")
    own = message_id in chat.bot_messages
    if not own and chat.type != "private" and chat.bot_status != "administrator":
        raise bad_request("message can't be deleted")
    del chat.messages[message_id]
    if own:
        message = chat.bot_messages[message_id]
        message.deleted = True
        chat.log("delete", message)
    world.stats["deletes"] += 1
    world.signal.fire()
    return True


@api_method("copyMessage")
async def copy_message(world: World, p: Params) -> JSON:
    source_chat = world.find_chat(p.chat_id("from_chat_id"))
    source = source_chat.messages.get(p.need_int("message_id"))
    chat = world.writable_chat(p.chat_id())
    if source is None:
        raise bad_request("message to copy not found")
    fields: JSON = {}
    for key in ("text", "entities", "document", "photo", "caption", "caption_entities"):
        if key in source:
            fields[key] = source[key]
    parse_mode = p.get_str("parse_mode")
    html = source.get("text") or source.get("caption")
    if p.has("caption") and "text" not in source:
        parsed = parse_body(p.get_str("caption"), parse_mode, caption=True)
        fields.pop("caption_entities", None)
        fields.update(text_fields(parsed, "caption"))
        html = p.get_str("caption")
    markup = check_markup(p.get_json("reply_markup"))
    file_id = (fields.get("document") or (fields.get("photo") or [{}])[-1]).get("file_id")
    stored = world.files.get(file_id) if file_id else None
    message = record_bot_message(
        world,
        chat,
        p,
        fields,
        html=html,
        parse_mode=parse_mode,
        markup=markup,
        reply=reply_target(chat, p),
        document_bytes=stored.data if stored and "document" in fields else None,
        photo_bytes=stored.data if stored and "photo" in fields else None,
    )
    return {"message_id": message.message_id}


@api_method("sendChatAction")
async def send_chat_action(world: World, p: Params) -> bool:
    world.writable_chat(p.chat_id())
    if p.get_str("action") not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True

"""Bot API methods for files: sendDocument, sendPhoto, sendMediaGroup and getFile.

Files are kept in memory with their bytes so a test can read back exactly what the bot sent,
and so the bot can download what a user uploaded through the real ``/file/bot<token>/`` route.
"""

from __future__ import annotations

from typing import Any

from tgemu.params import Params, Upload
from tgemu.rules import (
    api_method,
    check_markup,
    parse_body,
    record_bot_message,
    reply_target,
    text_fields,
)
from tgemu.state import JSON, StoredFile, bad_request
from tgemu.world import World

UPLOAD_LIMIT = 50 * 1024 * 1024  # bots may upload up to 50 MB
DOWNLOAD_LIMIT = 20 * 1024 * 1024  # ... and download up to 20 MB via getFile
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM")
WRONG_FILE = "wrong file identifier/HTTP URL specified"


def _store_upload(world: World, upload: Upload, kind: str) -> StoredFile:
    if not upload.data:
        raise bad_request("file must be non-empty")
    if len(upload.data) > UPLOAD_LIMIT:
        raise bad_request("file is too big")
    if kind == "photo" and not (
        upload.data.startswith(_IMAGE_MAGIC)
        or (upload.data[:4] == b"RIFF" and upload.data[8:12] == b"WEBP")
    ):
        raise bad_request("IMAGE_PROCESS_FAILED")
    return world.store_file(upload.data, kind, upload.filename, upload.content_type)


def resolve_file(world: World, p: Params, value: Any, field: str, kind: str) -> StoredFile:
    """An uploaded part, an attach:// reference or a known file_id; else Telegram's 400."""
    if field in p.files:
        return _store_upload(world, p.files[field], kind)
    if not value:
        raise bad_request(f"there is no {kind} in the request")
    if not isinstance(value, str):
        raise bad_request(WRONG_FILE)
    if value.startswith("attach://"):
        name = value[len("attach://") :]
        if name not in p.files:
            raise bad_request(f"file {value} not found in the request")
        return _store_upload(world, p.files[name], kind)
    stored = world.files.get(value)
    if stored is None:
        raise bad_request(WRONG_FILE)  # also: URLs are not fetched by the emulator
    if stored.kind != kind and kind == "photo":
        raise bad_request(f"can't use file of type {stored.kind.title()} as {kind.title()}")
    return stored


def _media_fields(stored: StoredFile, kind: str) -> JSON:
    if kind == "photo":
        return {"photo": stored.as_photo()}
    return {"document": stored.as_document()}


async def _send_file(world: World, p: Params, kind: str) -> JSON:
    chat = world.writable_chat(p.chat_id())
    parse_mode = p.get_str("parse_mode")
    caption = p.get_str("caption")
    parsed = parse_body(caption, parse_mode, caption=True)
    markup = check_markup(p.get_json("reply_markup"))
    reply = reply_target(chat, p)
    stored = resolve_file(world, p, p.raw(kind), kind, kind)
    fields = _media_fields(stored, kind)
    if parsed.text:
        fields.update(text_fields(parsed, "caption"))
    message = record_bot_message(
        world,
        chat,
        p,
        fields,
        html=caption,
        parse_mode=parse_mode,
        markup=markup,
        reply=reply,
        document_bytes=stored.data if kind == "document" else None,
        photo_bytes=stored.data if kind == "photo" else None,
    )
    return message.raw


@api_method("sendDocument")
async def send_document(world: World, p: Params) -> JSON:
    return await _send_file(world, p, "document")


@api_method("sendPhoto")
async def send_photo(world: World, p: Params) -> JSON:
    return await _send_file(world, p, "photo")


@api_method("sendMediaGroup")
async def send_media_group(world: World, p: Params) -> list[JSON]:
    chat = world.writable_chat(p.chat_id())
    media = p.get_json("media")
    if not isinstance(media, list) or not 2 <= len(media) <= 10:
        raise bad_request("wrong number of media in the album: must be 2-10 items")
    kinds = {item.get("type") if isinstance(item, dict) else None for item in media}
    if not kinds <= {"photo", "document"}:
        raise bad_request("unsupported media type in the album")
    if len(kinds) > 1:
        raise bad_request("document can't be mixed with other media types")
    reply = reply_target(chat, p)
    prepared = []
    for index, item in enumerate(media):
        kind = item["type"]
        parsed = parse_body(item.get("caption"), item.get("parse_mode"), caption=True)
        stored = resolve_file(world, p, item.get("media"), f"\0{index}", kind)
        prepared.append((kind, item, parsed, stored))
    group_id = world.media_group_id()
    results = []
    for kind, item, parsed, stored in prepared:
        fields = {"media_group_id": group_id, **_media_fields(stored, kind)}
        if parsed.text:
            fields.update(text_fields(parsed, "caption"))
        message = record_bot_message(
            world,
            chat,
            p,
            fields,
            html=item.get("caption"),
            parse_mode=item.get("parse_mode"),
            markup=None,
            reply=reply,
            document_bytes=stored.data if kind == "document" else None,
            photo_bytes=stored.data if kind == "photo" else None,
        )
        results.append(message.raw)
    return results


@api_method("getFile")
async def get_file(world: World, p: Params) -> JSON:
    file_id = p.get_str("file_id")
    stored = world.files.get(file_id or "")
    if stored is None:
        raise bad_request("wrong file_id or the file is temporarily unavailable")
    if len(stored.data) > DOWNLOAD_LIMIT:
        raise bad_request("file is too big")
    return stored.as_file()

"""Photos and documents sent into a form: checked, copied next to the database, remembered.

Telegram's file ids can stop working, so the office keeps its own copy of every file; if the
copy fails the file id is still kept and the failure logged, never the user's submission lost.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from telegram import Message
from telegram.error import TelegramError

from domain.errors import Refusal
from domain.models import Attachment
from handlers.common import Context

log = logging.getLogger(__name__)
MAX_FILES = 10
_UNSAFE = re.compile(r"[^\w.\-\u4e00-\u9fff]+")


async def receive(message: Message, context: Context, already: int) -> dict:
    """The attachment in the message as a JSON-able dict; a Refusal if it is not acceptable."""
    settings = context.services.settings
    if already >= MAX_FILES:
        raise Refusal("too_many_files", limit=MAX_FILES)
    if message.photo:
        photo = message.photo[-1]
        kind, file_id, unique, name, mime, size = (
            "photo",
            photo.file_id,
            photo.file_unique_id,
            f"照片_{photo.file_unique_id}.jpg",
            "image/jpeg",
            photo.file_size or 0,
        )
    elif message.document:
        doc = message.document
        kind, file_id, unique, name, mime, size = (
            "document",
            doc.file_id,
            doc.file_unique_id,
            doc.file_name or "未命名文件",
            doc.mime_type or "",
            doc.file_size or 0,
        )
        extension = Path(name).suffix.lower().lstrip(".")
        if extension not in settings.attachment_types:
            raise Refusal(
                "file_type_not_allowed",
                name=name[:60],
                allowed="、".join(sorted(settings.attachment_types)),
            )
    else:
        raise Refusal("not_a_file")
    if size > settings.max_attachment_mb * 1024 * 1024:
        raise Refusal("file_too_big", name=name[:60], limit=settings.max_attachment_mb)
    local = await _keep_copy(context, file_id, unique, name)
    return {
        "kind": kind,
        "file_id": file_id,
        "file_unique_id": unique,
        "file_name": name,
        "mime_type": mime,
        "size": size,
        "local_path": local,
    }


async def _keep_copy(context: Context, file_id: str, unique: str, name: str) -> str | None:
    settings = context.services.settings
    today = context.services.office.clock.today().isoformat()
    folder = settings.attachments_path / today
    target = folder / f"{unique}_{_UNSAFE.sub('_', name)[-80:]}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        telegram_file = await context.bot.get_file(file_id)
        await telegram_file.download_to_drive(target)
    except (TelegramError, OSError) as exc:
        log.warning("could not keep a copy of %s: %s", unique, exc)
        return None
    return str(target)


def as_records(files: list[dict]) -> tuple[Attachment, ...]:
    return tuple(Attachment(**f) for f in files)

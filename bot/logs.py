"""Logging for `duban`: one line per event, stamped in the office's time, never the bot token.

The token is part of every Bot API URL (`…/bot<TOKEN>/getMe`), so any library that logs a URL,
or an exception that quotes one, would leak it. The redacting filter therefore sits on the
handlers, which every record passes through whoever logged it, and it cleans the message, its
arguments and the exception text alike.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import datetime
from logging.handlers import RotatingFileHandler
from pathlib import Path
from zoneinfo import ZoneInfo

# A Bot API token anywhere in a text, with or without the `bot` in front of it in a URL.
TOKEN_PATTERN = re.compile(r"\d{1,20}:[A-Za-z0-9_-]{30,}")
HIDDEN = "<token>"
FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
# Libraries that log each request (httpx: the URL with the token) or each job run at INFO.
CHATTY = ("httpx", "httpcore", "apscheduler")
# A log file for years of running: five old files of 10 MB each, then the oldest goes.
FILE_BYTES = 10 * 1024 * 1024
FILE_COUNT = 5


class RedactToken(logging.Filter):
    """Replaces the token (and anything shaped like one) in a record before it is written."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        known = [s for s in secrets if s]
        # the secret half alone is as good as the whole token to whoever reads the log
        self.secrets = sorted({*known, *(s.split(":", 1)[-1] for s in known)}, key=len)[::-1]

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, HIDDEN)
        return TOKEN_PATTERN.sub(HIDDEN, text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # bad arguments: still write something, still without the token
            message = f"{record.msg!s} {record.args!r}"
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


class OfficeFormatter(logging.Formatter):
    """Timestamps in the office's zone (the server may run in UTC); a message stays one line."""

    def __init__(self, zone: ZoneInfo | None) -> None:
        super().__init__(FORMAT)
        self.zone = zone

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return datetime.fromtimestamp(record.created, self.zone).strftime("%Y-%m-%d %H:%M:%S")

    def formatMessage(self, record: logging.LogRecord) -> str:
        return super().formatMessage(record).replace("\r", "").replace("\n", " ⏎ ")


def setup(
    level: int,
    zone: ZoneInfo | None,
    secrets: Iterable[str] = (),
    file: Path | None = None,
    file_bytes: int = FILE_BYTES,
) -> None:
    """Replace any earlier logging set-up: stderr (the journal, `docker logs`) and, when
    `file` is given, a rotating file too; each formatted and redacting."""
    handlers: list[logging.Handler] = [logging.StreamHandler()]
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(
            RotatingFileHandler(file, maxBytes=file_bytes, backupCount=FILE_COUNT, encoding="utf-8")
        )
    redact = RedactToken(secrets)
    for handler in handlers:
        handler.setFormatter(OfficeFormatter(zone))
        handler.addFilter(redact)
    logging.basicConfig(level=level, handlers=handlers, force=True)
    for name in CHATTY:
        logging.getLogger(name).setLevel(logging.WARNING)

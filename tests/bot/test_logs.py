"""The log never shows the bot token, wherever in a record it hides; times are the office's."""

from __future__ import annotations

import logging
import sys
from zoneinfo import ZoneInfo

from bot.logs import FILE_COUNT, HIDDEN, OfficeFormatter, RedactToken, setup

TOKEN = "123456789:" + "S" * 35
OTHER = "5551234:" + "x-Y_z" * 7  # a token the filter was not told about


def record_with_token() -> logging.LogRecord:
    try:
        raise RuntimeError(f"The token `{TOKEN}` was rejected by the server.")
    except RuntimeError:
        exc_info = sys.exc_info()
    return logging.LogRecord(
        "httpx",
        logging.INFO,
        __file__,
        1,
        "HTTP Request: POST %s %s",
        (f"https://api.telegram.org/bot{TOKEN}/getUpdates", f"secret={TOKEN.split(':')[1]}"),
        exc_info,
        sinfo=f"Stack: http://127.0.0.1/bot{OTHER}/getMe",
    )


def test_token_is_hidden_in_message_args_exception_and_stack():
    record = record_with_token()
    handler = logging.StreamHandler()
    handler.setFormatter(OfficeFormatter(ZoneInfo("Asia/Shanghai")))
    handler.addFilter(RedactToken([TOKEN]))
    assert handler.filter(record)
    text = handler.format(record)
    assert "Traceback" in text and "was rejected" in text  # the exception is still there
    assert TOKEN not in text and TOKEN.split(":")[1] not in text and OTHER not in text
    assert f"/bot{HIDDEN}/getUpdates" in text and f"/bot{HIDDEN}/getMe" in text


def test_bad_arguments_are_still_written_without_the_token():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "%d %s", (TOKEN,), None)
    assert RedactToken([TOKEN]).filter(record)
    assert TOKEN not in record.getMessage() and HIDDEN in record.getMessage()


def test_office_time_and_one_line():
    record = logging.LogRecord("duban", logging.INFO, __file__, 1, "a\nb", None, None)
    record.created = 0.0  # 1970-01-01 00:00 UTC
    text = OfficeFormatter(ZoneInfo("Asia/Shanghai")).format(record)
    assert text.startswith("1970-01-01 08:00:00 INFO duban a")
    assert "\n" not in text


def test_log_file_has_office_time_and_rotates(tmp_path):
    path = tmp_path / "logs" / "duban.log"
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    setup(logging.INFO, ZoneInfo("Asia/Shanghai"), [TOKEN], path, file_bytes=300)
    try:
        record = logging.LogRecord("duban", logging.INFO, __file__, 1, "token %s", (TOKEN,), None)
        record.created = 0.0  # 1970-01-01 00:00 UTC
        logging.getLogger("duban").handle(record)
        first = path.read_text(encoding="utf-8")
        assert first == f"1970-01-01 08:00:00 INFO duban token {HIDDEN}\n"
        for n in range(40):
            logging.getLogger("duban").info("第 %s 行", n)
    finally:
        for handler in root.handlers:
            handler.close()
        root.handlers[:] = handlers
        root.setLevel(level)
    kept = sorted(p.name for p in path.parent.iterdir())
    assert kept == ["duban.log", *(f"duban.log.{i}" for i in range(1, FILE_COUNT + 1))]
    assert all(p.stat().st_size <= 300 for p in path.parent.iterdir())
    assert "第 39 行" in path.read_text(encoding="utf-8")  # the newest line, in the live file

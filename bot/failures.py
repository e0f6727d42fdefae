"""What went wrong outside the program, said in one line: what is wrong and what to do.

A person starting the bot on a server meets these first (a read-only database, a full disk, no
route to Telegram, a revoked token); a traceback would tell them nothing and might print the
token. `explain()` returns None for anything it does not recognise, so a real bug still shows
its traceback.
"""

from __future__ import annotations

import errno
import sqlite3
from urllib.parse import urlsplit

from telegram.error import InvalidToken, NetworkError, TelegramError, TimedOut

from bot.settings import Settings

# sqlite's message (lower-cased fragment) -> what to tell the person, {db} is the file
_SQLITE = (
    ("readonly", "数据库文件 {db} 只读，无法写入：请给运行机器人的用户该文件及其文件夹的写权限。"),
    ("disk is full", "磁盘已满，数据库 {db} 无法写入：请清理磁盘空间后重试。"),
    ("unable to open", "无法打开数据库 {db}：请检查路径是否存在、文件夹是否可写。"),
    ("not a database", "{db} 不是督办助手的数据库（文件已损坏或选错了文件）：请检查 DUBAN_DB。"),
    ("locked", "数据库 {db} 正被另一个程序占用：请先关掉它（例如另一个 duban run）。"),
)
_OS = {
    errno.ENOSPC: "磁盘已满：请清理磁盘空间后重试（{path}）。",
    errno.EROFS: "{path} 所在的磁盘是只读的：请换一个可写的位置。",
    errno.EACCES: "没有权限写入 {path}：请检查文件和文件夹的权限。",
    errno.EPERM: "没有权限写入 {path}：请检查文件和文件夹的权限。",
}


def explain(exc: BaseException, settings: Settings) -> str | None:
    """One line for a failure of the surroundings, or None if `exc` looks like a bug."""
    if isinstance(exc, sqlite3.Error):
        text = str(exc).lower()
        found = next((line for key, line in _SQLITE if key in text), None)
        return found.format(db=settings.db) if found else None
    if isinstance(exc, OSError) and exc.errno in _OS:
        return _OS[exc.errno].format(path=exc.filename or settings.db)
    if isinstance(exc, TelegramError):
        return telegram(exc, settings)
    return None


def telegram(exc: TelegramError, settings: Settings) -> str:
    """Why a call to the Bot API failed, for someone who cannot read PTB's exceptions."""
    host = urlsplit(settings.api_url).netloc or settings.api_url
    if isinstance(exc, InvalidToken):
        return (
            "Telegram 拒绝了机器人令牌：请核对 DUBAN_TOKEN（在 @BotFather 中查看，"
            "令牌若已重新生成须换成新的）。"
        )
    if isinstance(exc, TimedOut):
        return f"连接 Telegram（{host}）超时：请检查网络或代理，稍后重试。"
    if isinstance(exc, NetworkError):
        return f"无法连接 Telegram（{host}）：请检查网络、DNS 或代理，以及 DUBAN_API_URL 是否正确。"
    return f"Telegram 返回错误：{exc.message}。请稍后重试。"

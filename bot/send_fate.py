"""What a failed send tells us about the message: sort failures by what is known.

A request that certainly never reached Telegram (connection refused, a connect timeout, a
5xx or 429 answer) is safe to retry. A request that went out and got no answer may have
arrived: retrying could deliver it twice, so it is left 'uncertain' for a person to judge.
400 and 403 are Telegram's final word.
"""

from __future__ import annotations

from enum import Enum

import httpx
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

GONE = (
    "chat not found",
    "bot was blocked",
    "user is deactivated",
    "bot is not a member",
    "bot was kicked",
)
# raised before a byte of the request was written: Telegram never saw it
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


class Fate(Enum):
    RETRY = "retry"  # certainly not delivered: try again later
    UNCERTAIN = "uncertain"  # may have arrived: never resent by itself
    GONE = "gone"  # this person cannot be reached: try the unit's next liaison
    FINAL = "final"  # Telegram refused it for good


def fate(exc: Exception) -> Fate:
    if isinstance(exc, RetryAfter):
        return Fate.RETRY
    if isinstance(exc, Forbidden | BadRequest):
        return Fate.GONE if any(g in str(exc).lower() for g in GONE) else Fate.FINAL
    if isinstance(exc, NetworkError):
        cause = exc.__cause__
        if cause is None and not isinstance(exc, TimedOut):
            return Fate.RETRY  # Telegram answered with an error status (5xx)
        return Fate.RETRY if isinstance(cause, NOT_SENT) else Fate.UNCERTAIN
    return Fate.RETRY


def reason(exc: Exception) -> str:
    """The reason a person reads in /reminders, in Chinese."""
    text = str(exc)
    lowered = text.lower()
    if isinstance(exc, RetryAfter):
        return "Telegram 限速，稍后重发"
    if "bot was blocked" in lowered:
        return "对方已屏蔽机器人"
    if "chat not found" in lowered or "user is deactivated" in lowered:
        return "找不到对方的 Telegram 账号"
    if "bot is not a member" in lowered or "bot was kicked" in lowered:
        return "机器人不在该群或频道中"
    if "too long" in lowered:
        return "消息过长，Telegram 拒收"
    if "can't parse entities" in lowered:
        return "消息格式有误，Telegram 拒收"
    if isinstance(exc, BadRequest):
        return f"Telegram 拒收：{text[:80]}"
    if isinstance(exc, Forbidden):
        return f"Telegram 拒绝发送：{text[:80]}"
    if isinstance(exc, NetworkError) and fate(exc) is Fate.UNCERTAIN:
        return "请求已发出但未收到答复，无法确定是否送达"
    if isinstance(exc, NetworkError):
        return "网络或 Telegram 暂时故障，稍后重发"
    return f"发送出错：{type(exc).__name__}"

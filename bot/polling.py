"""The long poll's health in the log: one line when it loses the Bot API, one when it is back.

PTB retries a failing getUpdates forever, logging a traceback per attempt unless it is given an
error callback, and it tells nobody when a poll succeeds again; nor does it pass 429 or time-outs
to that callback. The request that getUpdates goes through sees every attempt, so it is the one
place that can tell "lost" from "back".
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from telegram._utils.types import ODVInput  # PTB's own timeout type, not re-exported
from telegram.error import TelegramError
from telegram.request import HTTPXRequest, RequestData

log = logging.getLogger("duban.polling")

NETWORK = 0  # no HTTP answer at all: refused, DNS, time-out
# what the log says when polling stops working, by HTTP status of the failed getUpdates
LOST = {
    NETWORK: "与 Telegram 的连接中断，暂时收不到消息（{detail}）；将自动重试，恢复后另记一行。",
    HTTPStatus.CONFLICT: (
        "另一个程序正在使用同一个机器人令牌收取消息（409 Conflict）：请关掉另一个 duban run "
        "或其他用这个令牌的程序；在此之前本机器人收不到消息。"
    ),
    HTTPStatus.TOO_MANY_REQUESTS: "Telegram 要求暂缓收取消息（429 请求过多）；稍后自动继续。",
    HTTPStatus.UNAUTHORIZED: (
        "Telegram 不再接受机器人令牌（可能已在 @BotFather 重新生成）：请更新 DUBAN_TOKEN 后重启。"
    ),
}
SERVER = "Telegram 服务暂时不可用（HTTP {detail}），暂时收不到消息；将自动重试，恢复后另记一行。"
OTHER = "收取消息失败（HTTP {detail}）；将自动重试，恢复后另记一行。"
BACK = "与 Telegram 的连接已恢复，继续收取消息。"


class PollRequest(HTTPXRequest):
    """The getUpdates connection (PTB gives it one of its own), watching each poll's outcome."""

    def __init__(self) -> None:
        super().__init__(connection_pool_size=1)
        self.trouble: int | None = None  # what is wrong now: NETWORK or an HTTP status

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = HTTPXRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = HTTPXRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = HTTPXRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = HTTPXRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        timeouts = (read_timeout, write_timeout, connect_timeout, pool_timeout)
        try:
            code, payload = await super().do_request(url, method, request_data, *timeouts)
        except TelegramError as exc:  # HTTPXRequest turns transport errors into these
            self._lost(NETWORK, exc.message)
            raise
        if HTTPStatus.OK <= code < HTTPStatus.MULTIPLE_CHOICES:
            self._back()
        else:
            self._lost(code, str(code))
        return code, payload

    def _lost(self, what: int, detail: str) -> None:
        """Say it once: the same trouble on every retry is still one outage."""
        if what == self.trouble:
            return
        self.trouble = what
        line = LOST.get(what) or (SERVER if what >= HTTPStatus.INTERNAL_SERVER_ERROR else OTHER)
        log.warning(line.format(detail=detail))

    def _back(self) -> None:
        if self.trouble is not None:
            self.trouble = None
            log.info(BACK)


def quiet(exc: TelegramError) -> None:
    """start_polling's error callback: PollRequest has already said it, once per outage."""

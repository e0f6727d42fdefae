"""The HTTP face of the emulator: Telegram's URL layout, request encodings and error JSON.

Routes: ``/bot<token>/<method>`` (GET or POST) and ``/file/bot<token>/<file_path>``.
Every request goes through the same pipeline as on Telegram's side, in this order:
token check, latency, injected faults, flood control, the method itself. The HTTP status
always equals ``error_code`` because PTB looks at the status first and the JSON second.

An outage is a closed listening socket (``refuse``/``listen``): new connections get
ECONNREFUSED, which a client knows was never sent, unlike a request dropped mid-way.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from aiohttp import web

from tgemu import methods  # noqa: F401  (registers every Bot API handler)
from tgemu.listener import Listener
from tgemu.params import Params, Upload
from tgemu.ratelimit import COUNTED_METHODS
from tgemu.rules import METHODS
from tgemu.state import ApiCall, ApiError

if TYPE_CHECKING:
    from tgemu.emulator import Emulator

log = logging.getLogger(__name__)
TOKEN_SHAPE = re.compile(r"^\d+:[A-Za-z0-9_-]{30,}$")
MAX_BODY = 60 * 1024 * 1024
_dumps = partial(json.dumps, ensure_ascii=False)


@dataclass
class Fault:
    """A scripted failure ("fail") or delay ("hang") for the next matching request(s)."""

    method: str  # lower-cased
    kind: str
    chat_id: Any = None
    error_code: int = 400
    description: str = ""
    retry_after: int | None = None
    seconds: float = 0.0
    times: int = 1

    def matches(self, method: str, params: Params) -> bool:
        if self.method != method or self.times <= 0:
            return False
        return self.chat_id is None or str(params.raw("chat_id")) == str(self.chat_id)


def error_body(code: int, description: str, retry_after: int | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return body


def _reply(body: dict[str, Any], status: int = 200) -> web.Response:
    return web.json_response(body, status=status, dumps=_dumps)


async def read_params(request: web.Request) -> Params:
    """Query string + urlencoded/multipart form or a JSON object body."""
    values: dict[str, Any] = dict(request.query)
    files: dict[str, Upload] = {}
    if request.method == "POST" and request.can_read_body:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise ApiError(400, "Bad Request: can't parse JSON object") from None
            if not isinstance(body, dict):
                raise ApiError(400, "Bad Request: JSON object expected")
            values.update(body)
        else:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    data = value.file.read()
                    files[key] = Upload(value.filename, value.content_type, data)
                else:
                    values[key] = value
    return Params(values, files)


class ApiServer:
    """Owns the aiohttp application and runs each call through the pipeline."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.app = web.Application(client_max_size=MAX_BODY, middlewares=[self._connections])
        self.app.router.add_route("*", "/bot{token}/{method}", self.handle_api)
        self.app.router.add_get("/file/bot{token}/{path:.+}", self.handle_file)
        self.runner: web.AppRunner | None = None
        self.listener: Listener
        self.idle: set[Any] = set()  # keep-alive connections between two requests
        self.refusing = False

    async def start(self, host: str, port: int) -> int:
        # Handlers keep running when the client disconnects: a send that timed out on the
        # client side is still delivered, exactly like on Telegram.
        self.runner = web.AppRunner(
            self.app, handler_cancellation=False, access_log=None, shutdown_timeout=1.0
        )
        await self.runner.setup()
        assert self.runner.server is not None  # setup() made it
        self.listener = Listener(self.runner.server)
        return await self.listen(host, port)

    async def stop(self) -> None:
        if self.runner is not None:
            self.listener.close()
            await self.runner.cleanup()
            self.runner = None

    async def listen(self, host: str, port: int) -> int:
        """Accept connections (again) on this port; nothing once the emulator has stopped."""
        if self.runner is None:
            return port
        self.refusing = False
        return self.listener.open(host, port)

    async def refuse(self) -> None:
        """Close the listening socket: new connections are refused until ``listen``.

        Connections already made are served, with ``Connection: close``. Idle keep-alive
        connections are closed, so the client must connect anew and is refused; a request a
        client writes into one at that very instant is lost unanswered, as on a real outage
        (an emulator with ``keep_alive=False`` has no idle connections, so no such race).
        """
        self.refusing = True
        self.listener.close()
        for conn in self.idle:
            conn.force_close()
        self.idle.clear()
        await asyncio.sleep(0)  # let the closed sockets go before the caller goes on

    @web.middleware
    async def _connections(self, request: web.Request, handler: Any) -> web.StreamResponse:
        """Track idle keep-alive connections, or close the connection after this answer."""
        self.idle.discard(request.protocol)
        response = await handler(request)
        if self.refusing or not self.emu.keep_alive:
            response.force_close()
        elif request.protocol is not None:
            self.idle.add(request.protocol)
        return response

    def _token_error(self, token: str) -> web.Response | None:
        if not TOKEN_SHAPE.match(token):
            return _reply(error_body(404, "Not Found"), 404)
        if self.emu.token is not None and token != self.emu.token:
            return _reply(error_body(401, "Unauthorized"), 401)
        return None

    async def handle_file(self, request: web.Request) -> web.StreamResponse:
        denied = self._token_error(request.match_info["token"])
        if denied is not None:
            return denied
        stored = self.emu.world.files_by_path.get(request.match_info["path"])
        if stored is None:
            return _reply(error_body(404, "Not Found"), 404)
        mime = stored.mime_type or ("image/jpeg" if stored.kind == "photo" else None)
        return web.Response(body=stored.data, content_type=mime or "application/octet-stream")

    async def handle_api(self, request: web.Request) -> web.StreamResponse:
        denied = self._token_error(request.match_info["token"])
        if denied is not None:
            return denied
        emu, world = self.emu, self.emu.world
        name = request.match_info["method"]
        method = name.lower()
        world.stats["requests"] += 1
        polling = method == "getupdates"
        if not polling:
            emu.activity(+1)
        call = ApiCall(name, {}, at=emu.clock())
        emu.calls.append(call)
        world.signal.fire()  # a wait on emu.calls sees a call arrive, not only end (long polls)
        try:
            params = await read_params(request)
            call.params = params.parsed()
            result = await self._run(method, params)
        except ApiError as exc:
            call.ok, call.error_code, call.description = False, exc.code, exc.description
            if not (polling and request.transport is None):  # not an abandoned long poll
                world.stats[str(exc.code)] += 1
            body = error_body(exc.code, exc.description, exc.retry_after)
            return _reply(body, exc.code)
        except Exception as exc:  # a bug in the emulator: make it loud, not a hang
            log.exception("emulator failed on %s", name)
            call.ok, call.error_code, call.description = False, 500, repr(exc)
            world.stats["500"] += 1
            return _reply(error_body(500, f"Internal Server Error: {exc!r}"), 500)
        finally:
            if not polling:
                emu.activity(-1)
            world.signal.fire()
        call.ok, call.result = True, result
        return _reply({"ok": True, "result": result})

    async def _run(self, method: str, params: Params) -> Any:
        emu = self.emu
        if emu.latency > 0:
            await asyncio.sleep(emu.latency)
        for fault in emu.faults:
            if fault.matches(method, params):
                fault.times -= 1
                if fault.kind == "fail":
                    raise ApiError(fault.error_code, fault.description, fault.retry_after)
                await asyncio.sleep(fault.seconds)
                break
        emu.faults[:] = [f for f in emu.faults if f.times > 0]
        handler = METHODS.get(method)
        if handler is None:
            raise ApiError(404, "Not Found: method not found")
        if emu.limiter is not None and method in COUNTED_METHODS:
            self._flood_control(params)
        return await handler(emu.world, params)

    def _flood_control(self, params: Params) -> None:
        assert self.emu.limiter is not None
        chat_id, chat_type = None, None
        try:
            chat = self.emu.world.find_chat(params.raw("chat_id"))
            chat_id, chat_type = chat.id, chat.type
        except ApiError:
            pass  # the method itself will report the unknown chat
        retry = self.emu.limiter.check(chat_id, chat_type)
        if retry is not None:
            raise ApiError(429, f"Too Many Requests: retry after {retry}", retry_after=retry)

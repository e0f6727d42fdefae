"""A listening socket that can be closed for an outage without losing a connection.

asyncio's own server resets connections caught between the kernel's accept queue and the
transport when it closes; a client that has already written its request then sees a reset,
which it must treat as "maybe sent". Here accepting is synchronous (a reader callback), so
closing takes the queue first: every connection the kernel completed is served, every later
one is refused (ECONNREFUSED, which a client knows was never sent).
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable

log = logging.getLogger(__name__)


class Listener:
    def __init__(self, factory: Callable[[], asyncio.Protocol]) -> None:
        self.factory = factory
        self.sock: socket.socket | None = None
        self.handovers: set[asyncio.Task] = set()

    def open(self, host: str, port: int) -> int:
        """Listen on this port (again: SO_REUSEADDR); returns the port."""
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.create_server((host, port), family=family, backlog=512)
        self.sock.setblocking(False)
        asyncio.get_running_loop().add_reader(self.sock.fileno(), self._accept)
        return int(self.sock.getsockname()[1])

    def close(self) -> None:
        """Serve what the kernel has accepted, then close: from now on, refused."""
        if self.sock is None:
            return
        asyncio.get_running_loop().remove_reader(self.sock.fileno())
        self._accept()
        self.sock.close()
        self.sock = None

    def _accept(self) -> None:
        assert self.sock is not None
        loop = asyncio.get_running_loop()
        while True:
            try:
                conn, _ = self.sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except ConnectionAbortedError:
                continue
            except OSError:  # out of file descriptors: the kernel queue waits for later
                log.exception("emulator could not accept a connection")
                return
            conn.setblocking(False)
            task = loop.create_task(loop.connect_accepted_socket(self.factory, conn))
            self.handovers.add(task)
            task.add_done_callback(self.handovers.discard)

"""Work that holds the interpreter for seconds — a workbook of thousands of rows — runs in a
child process, so replies keep their core while it is built.

A thread is not enough for pure-Python work such as openpyxl: it shares the interpreter lock
with the event loop, and every reply waits its turn behind it. The child is started on first
need (spawned, not forked: the parent has aiosqlite's threads) and kept for the next one.
Small jobs stay in a thread, where starting nothing costs nothing.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")
_pool: ProcessPoolExecutor | None = None


async def run(fn: Callable[..., T], *args: object, heavy: bool) -> T:
    """`fn(*args)` off the event loop: in the child process when `heavy`, else in a thread.
    `fn` and its arguments must pickle (module functions, frozen values)."""
    if not heavy:
        return await asyncio.to_thread(fn, *args)
    global _pool
    if _pool is None:
        _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    try:
        return await asyncio.get_running_loop().run_in_executor(_pool, fn, *args)
    except BrokenProcessPool:  # the child died (killed, out of memory): once more, in a thread
        log.warning("the worker process died; building in a thread instead")
        _pool = None
        return await asyncio.to_thread(fn, *args)

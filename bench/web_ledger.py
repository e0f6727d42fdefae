"""Web ledger cost: the 台账 page over 10,000 items, and the bot's replies while someone reads it.

    .venv/bin/python bench/web_ledger.py

Seeds the ledger tick_cost.py seeds (10,000 sent items over 2,000 units, a liaison of unit 1)
with categories, 分管领导 and co-units varied, starts the real bot on the emulator serving its
web ledger (DUBAN_WEB_PORT, as `duban run`), logs a supervisor in through a /web link, and
prints a markdown table:
- the first 台账 page (every item's light decided, then kept until the day or the ledger
  changes) and the 台账 pages p50/p99 over every page, every sort both ways and the filters,
  timed from request to the last byte, on loopback in the bot's own process;
- a liaison's /mytasks reply p50/p99 with no web reader, then while one pages through the same
  pages again and again, in the same run.
Asserts nothing. Targets (issue 17): page ≤ 300 ms, reply p99 ≤ 1 s.
"""

from __future__ import annotations

import asyncio
import socket
import statistics
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote, urlencode

import aiohttp
from tick_cost import LIAISON_TG, NOW, TOKEN, UNITS, p99, seed

from bot import services
from bot.app import build_application
from bot.app import start as start_bot
from bot.app import stop as stop_bot
from bot.clock import FakeClock
from bot.settings import Settings
from domain.items import Status
from domain.models import Category
from storage.db import Database
from tgemu import Emulator
from web import auth
from web.ledger import COLUMNS, LIGHTS

ITEMS = 10_000
QUIET_REPLIES = 10
LEADERS = ("王书记", "李市长", "张副市长", "刘秘书长", "陈部长")
# between a reply and the next command: the pacer keeps Telegram's one message a second per
# private chat (3 in any 3 s), so asking faster would measure that limit, not the bot
PAUSE = 1.0


async def vary(db: Database) -> None:
    """What tick_cost leaves alike: categories, 分管领导, a co-unit on every third item."""
    categories = [c.value for c in Category]
    async with db.transaction() as conn:
        await conn.executemany(
            "UPDATE items SET category = ?, instructing_leader = ? WHERE id = ?",
            [(categories[i % 3], LEADERS[i % 5], i) for i in range(1, ITEMS + 1)],
        )
        await conn.executemany(
            "INSERT INTO item_units (item_id, unit_id, role) VALUES (?, ?, 'co')",
            [(i, co_unit(i)) for i in range(3, ITEMS + 1, 3) if co_unit(i) != 1 + i % UNITS],
        )


def co_unit(item: int) -> int:
    return 1 + (item * 7) % UNITS


def pages() -> list[str]:
    """Every page unfiltered, every sort both ways, and the filters alone and together."""
    wanted = [{"page": n} for n in range(1, ITEMS // 100 + 1)]
    wanted += [{"sort": key, "dir": d} for key, _ in COLUMNS for d in ("asc", "desc")]
    wanted += [{"sort": key, "dir": "desc", "page": 50} for key, _ in COLUMNS]
    wanted += [{"unit": u} for u in (1, 7, 1999)]
    wanted += [{"category": c.value} for c in Category] + [{"key": 1}]
    wanted += [{"light": light} for light in LIGHTS] + [{"status": s.value} for s in Status]
    wanted += [{"leader": name} for name in LEADERS] + [{"q": q} for q in ("事项12", "1234号")]
    wanted += [{"key": 1, "light": "红", "sort": "overdue", "dir": "desc", "leader": "王书记"}]
    return ["/ledger?" + urlencode(q) for q in wanted]


async def timed_get(browser: aiohttp.ClientSession, url: str) -> float:
    started = time.perf_counter()
    async with browser.get(url) as response:
        await response.read()
        assert response.status == 200, (url, response.status)
    return time.perf_counter() - started


async def replies(liaison, until) -> list[float]:
    """The liaison's /mytasks, again as soon as answered, until `until(waits)`: seconds each."""
    waits: list[float] = []
    while not until(waits):
        liaison.mark()
        asked = time.perf_counter()
        await liaison.send("/mytasks")
        await liaison.expect("本单位督办事项", timeout=60)
        waits.append(time.perf_counter() - asked)
        await asyncio.sleep(PAUSE)  # reads the answer: Telegram allows a chat ~1 message/s
    return waits


async def reader(browser: aiohttp.ClientSession, base: str, urls: list[str], rounds: int):
    """A person paging through the 台账: every page, `rounds` times over."""
    return [await timed_get(browser, base + url) for _ in range(rounds) for url in urls]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def run() -> list[tuple[str, str]]:
    emu = Emulator(bot_username="bench_bot")
    await emu.start()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            token=TOKEN,
            db=Path(folder) / "bench.db",
            api_url=emu.base_url,
            file_url=emu.base_file_url,
            tick_seconds=0,  # no tick: the replies wait for the web reader alone
            web_port=free_port(),
        )
        db = await Database(settings.db).open()
        await seed(db, ITEMS)
        await vary(db)
        app = build_application(settings, db, FakeClock(NOW))
        await start_bot(app, poll_timeout=1)
        office = services.of(app).office
        supervisor = await office.person(1)
        liaison = emu.user(LIAISON_TG, "联络员")
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(cookie_jar=jar) as browser:
            base = settings.web_base
            await timed_get(browser, f"{base}/login/{await auth.issue_link(office, supervisor)}")
            first = await timed_get(browser, f"{base}/ledger")
            urls = pages()
            warm = await reader(browser, base, urls, 1)
            slowest = sorted(zip(warm, urls, strict=True))[-3:]
            slow = ", ".join(f"{unquote(u[8:])} {t * 1000:.0f} ms" for t, u in slowest)
            quiet = await replies(liaison, lambda waits: len(waits) >= QUIET_REPLIES)
            paging = asyncio.create_task(reader(browser, base, urls, 1))
            busy = await replies(liaison, lambda _: paging.done())
            during = await paging
        await stop_bot(app)
        await db.close()
    await emu.stop()
    return [
        ("台账 first page (every light decided)", f"{first * 1000:.0f} ms"),
        (f"台账 pages p50 / p99 ({len(warm)}: pages, sorts, filters)", spread(warm)),
        ("slowest three pages", slow),
        (f"台账 pages p50 / p99 while the bot answers ({len(during)})", spread(during)),
        (f"/mytasks reply p50 / p99, no web reader ({len(quiet)})", spread(quiet)),
        (f"/mytasks reply p50 / p99, a web reader paging ({len(busy)})", spread(busy)),
    ]


def spread(seconds: list[float]) -> str:
    return f"{statistics.median(seconds) * 1000:.0f} ms / {p99(seconds) * 1000:.0f} ms"


def main() -> None:
    rows = asyncio.run(run())
    print(f"web_ledger.py — {ITEMS:,} items, 100 a page\n")
    print("| measured | figure |\n|---|---|")
    for name, figure in rows:
        print(f"| {name} | {figure} |")


if __name__ == "__main__":
    main()

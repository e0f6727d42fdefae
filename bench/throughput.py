"""Update throughput with 50 ms of network latency per Bot API call.

    .venv/bin/python bench/throughput.py [--users 40] [--messages 5]

Many people write at once (strangers sending /help: the bot looks them up in the database and
answers). Compares this bot (chats served concurrently, each in order), the same bot with
PTB's default one-update-at-a-time processing, and a bare PTB echo bot. Prints updates/s.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from telegram.ext import Application, ApplicationBuilder, MessageHandler, filters

from bot.app import build_application
from bot.app import start as start_bot
from bot.app import stop as stop_bot
from bot.clock import FakeClock
from bot.settings import Settings
from storage.db import Database
from tgemu import Emulator

TOKEN = "123456789:" + "C" * 35
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


async def drive(emu: Emulator, users: int, messages: int) -> float:
    people = [emu.user(50_000 + i, f"用户{i}") for i in range(users)]
    goal = users * messages
    before = emu.stats["sent_messages"]
    started = time.monotonic()
    for n in range(messages):
        for p in people:
            await p.send(f"/help {n}")
    await emu.wait_until(lambda: emu.stats["sent_messages"] - before >= goal, 600)
    return goal / (time.monotonic() - started)


async def duban(
    emu: Emulator, concurrent: bool, users: int, messages: int, rate_limit: bool = True
) -> float:
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            token=TOKEN,
            db=Path(folder) / "b.db",
            api_url=emu.base_url,
            file_url=emu.base_file_url,
            tick_seconds=0,
        )
        db = await Database(settings.db).open()
        app = build_application(
            settings, db, FakeClock(NOW), concurrent=concurrent, rate_limit=rate_limit
        )
        await start_bot(app, poll_timeout=1)
        rate = await drive(emu, users, messages)
        await stop_bot(app)
        await db.close()
    return rate


async def echo(emu: Emulator, users: int, messages: int) -> float:
    async def answer(update, context) -> None:
        await update.message.reply_text(update.message.text)

    app: Application = ApplicationBuilder().token(TOKEN).base_url(emu.base_url).build()
    app.add_handler(MessageHandler(filters.ALL, answer))
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        rate = await drive(emu, users, messages)
        await app.updater.stop()
        await app.stop()
    return rate


async def run(users: int, messages: int) -> None:
    for name, variant in (
        ("督办助手 (chats concurrent, each in order)", lambda e: duban(e, True, users, messages)),
        (
            "  the same without PTB's 30/s rate limiter",
            lambda e: duban(e, True, users, messages, rate_limit=False),
        ),
        ("督办助手 with PTB's sequential default", lambda e: duban(e, False, users, messages)),
        ("bare PTB echo bot (sequential)", lambda e: echo(e, users, messages)),
    ):
        emu = Emulator(bot_username="bench_bot", latency=0.05)
        await emu.start()
        rate = await variant(emu)
        await emu.stop()
        print(f"{name:45} {rate:7.1f} updates/s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--messages", type=int, default=5)
    args = parser.parse_args()
    print(f"{args.users} users × {args.messages} messages, 50 ms latency per Bot API call")
    asyncio.run(run(args.users, args.messages))


if __name__ == "__main__":
    main()

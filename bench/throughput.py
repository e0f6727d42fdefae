"""What an update costs: this bot against a bare PTB 22 echo bot, side by side, in one run.

    .venv/bin/python bench/throughput.py [--users 30] [--rounds 2] [--pause 2.0]

Both bots run in a child process of their own (so the CPU counted is the bot's, not the
emulator's or the simulated users'), with `concurrent_updates` on, each against an emulator of
its own with 50 ms latency per Bot API call and Telegram's flood limits on, and are measured at
the same time: a shared machine's slow and fast minutes fall on both. The office holds 10,000
open items over 2,000 units; a supervisor and `--users` liaisons register through the real
/start flow first, with invitations the office issued. Then each person, like someone reading
the answers, sends a command, waits for the reply and pauses `--pause` s: a liaison /help,
/mytasks, /report, the form's next step (a press on the item picked) and /cancel; the
supervisor /help and /items of one unit. The echo bot's users send the same texts (a text
where the press was). One round of it warms each bot up unmeasured (templates compiled, each
person's command menu set once), as in a bot that has been running; then `--rounds` are
measured. Printed: the updates answered per second, CPU ms per update (the child's user +
system time over the measured window / updates; "of which loop": its event-loop
thread), p50/p99 latency from send to reply, 429s,
and the ratio.

A last case: the supervisor's /export of the 10,000 items (a ledger of 10,000 rows) while the
liaisons go on; the liaisons' reply p50/p99 while it runs, and how long the export took.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import random
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from telegram.ext import ApplicationBuilder, MessageHandler, filters

from bot.app import build_application, make_office
from bot.app import start as start_bot
from bot.app import stop as stop_bot
from bot.clock import FakeClock
from bot.render import Renderer
from bot.settings import Settings
from domain import registration
from domain.models import LiaisonKind, Role
from storage.db import Database
from tgemu import Emulator, EmuUser
from tgemu.ratelimit import RateLimiter

sys.path[:0] = [str(Path(__file__).parent), str(Path(__file__).parent.parent)]
from tick_cost import NOW, TOKEN, drained, seed  # noqa: E402

from tests.e2e.conftest import register  # noqa: E402

ITEMS = 10_000
FIRST_UNIT = 1000  # 单位1000…: the liaisons' units, one each
SUPERVISOR_TG = 40_000
LATENCY = 0.05
FORM_TEXT = "本周完成现场核查，整改方案已报送"


@dataclass
class Tally:
    """Seconds from each send to its reply, and the replies that never came."""

    waits: list[float] = field(default_factory=list)
    lost: int = 0

    def p(self, q: float) -> float:
        ordered = sorted(self.waits) or [float("nan")]
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# ---- the bots, each in its own process -------------------------------------------------------


STARTED = time.perf_counter()


def note(what: str) -> None:
    """Progress on stderr (run_all shows its tail), with the seconds since the start."""
    print(f"[{time.perf_counter() - STARTED:6.1f} s] {what}", file=sys.stderr, flush=True)


def settings_for(folder: Path, api_url: str, file_url: str) -> Settings:
    return Settings(
        token=TOKEN, db=folder / "b.db", api_url=api_url, file_url=file_url, tick_seconds=0
    )


async def serve(kind: str, folder: Path, api_url: str, file_url: str) -> None:
    """The child: start the bot, say "ready", run until SIGTERM."""
    stopping = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopping.set)
    profile_on_signals(os.environ.get("BENCH_PROFILE"), kind)
    if kind == "duban":
        db = await Database(settings_for(folder, api_url, file_url).db).open()
        app = build_application(settings_for(folder, api_url, file_url), db, FakeClock(NOW))
        await start_bot(app, poll_timeout=1)
        print("ready", flush=True)
        await stopping.wait()
        await stop_bot(app)
        await db.close()
        return
    app = ApplicationBuilder().token(TOKEN).base_url(api_url).concurrent_updates(True).build()

    async def echo(update, context) -> None:
        await update.message.reply_text(update.message.text)

    app.add_handler(MessageHandler(filters.ALL, echo))
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        print("ready", flush=True)
        await stopping.wait()
        await app.updater.stop()
        await app.stop()


def profile_on_signals(path: str | None, kind: str) -> None:
    """BENCH_PROFILE=file: cProfile the bot's loop over the steady measurement (SIGUSR1 starts,
    SIGUSR2 stops and writes the stats), to find what an update spends its time on."""
    if not path:
        return
    profiler = cProfile.Profile()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGUSR1, profiler.enable)
    stop = lambda: (profiler.disable(), profiler.dump_stats(f"{path}.{kind}"))  # noqa: E731
    loop.add_signal_handler(signal.SIGUSR2, stop)


class Child:
    """A bot in a child process; its CPU time read from /proc (Linux)."""

    def __init__(self, kind: str, folder: Path, emu: Emulator) -> None:
        self.args = [kind, str(folder), emu.base_url, emu.base_file_url]
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--serve", *self.args, stdout=asyncio.subprocess.PIPE
        )
        await self.proc.stdout.readline()

    def signal(self, number: int) -> None:
        if os.environ.get("BENCH_PROFILE"):
            self.proc.send_signal(number)

    def cpu(self) -> float:
        return _cpu(Path(f"/proc/{self.proc.pid}/stat"))

    def loop_cpu(self) -> float:
        """The main thread's (the event loop's) share; the rest is the database thread's
        and the workers'."""
        return _cpu(Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/stat"))

    async def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        await self.proc.wait()


def _cpu(stat: Path) -> float:
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# ---- the people ------------------------------------------------------------------------------


async def ask(user: EmuUser, tally: Tally, text: str | None = None) -> None:
    """Send (or press the first button of the last message) and wait for the next message."""
    user.mark()
    last = user.last
    started = time.perf_counter()
    if text is None and last is not None and last.button_texts:
        await user.press(last.button_texts[0], last)
    else:
        await user.send(text or FORM_TEXT)  # nothing to press: the form's text, as echo does
    try:
        await user.expect(lambda m: True, timeout=30)
    except AssertionError:
        tally.lost += 1
        return
    tally.waits.append(time.perf_counter() - started)


def script(role: str, unit: int, echo: bool) -> list[str | None]:
    """What one person sends in a round; None is a press on the picker's first button."""
    if role == "supervisor":
        return ["/help", f"/items 单位{unit}"]
    return ["/help", "/mytasks", "/report", FORM_TEXT if echo else None, "/cancel"]


async def person(user, role, unit, echo, rounds, pause, tally, until=None) -> None:
    await asyncio.sleep(random.uniform(0, pause))  # people do not all start at once
    n = 0
    while (until is None and n < rounds) or (until is not None and not until.done()):
        for text in script(role, unit, echo):
            await ask(user, tally, text)
            await asyncio.sleep(pause)
        n += 1


def people(emu: Emulator, users: int) -> list[tuple[EmuUser, str, int]]:
    found = [(emu.user(SUPERVISOR_TG, "督查员"), "supervisor", FIRST_UNIT)]
    for i in range(users):
        found.append((emu.user(SUPERVISOR_TG + 1 + i, f"联络员{i}"), "liaison", FIRST_UNIT + i))
    return found


async def prepare(folder: Path, users: int) -> list[str]:
    """The office's database, 10,000 open items; an invitation for each person (supervisor
    first), issued by the office as `duban invite` does. The seeded author of the items is
    made a leader: supervisors hear of every registration, and 31 notices to one chat take
    31 s at Telegram's one message a second per chat before the measurement could start."""
    settings = settings_for(folder, "http://unused", "http://unused")
    db = await Database(settings.db).open()
    await seed(db, ITEMS)
    async with db.transaction() as conn:
        await conn.execute("UPDATE people SET role = 'leader' WHERE id = 1")
    office = make_office(settings, db, FakeClock(NOW), Renderer(None)).office
    codes = [(await registration.create_invite(office, None, Role.SUPERVISOR))[0]]
    for i in range(users):
        unit = FIRST_UNIT + i
        code, _ = await registration.create_invite(
            office, None, Role.LIAISON, unit, LiaisonKind.PRIMARY
        )
        codes.append(code)
    await db.close()
    return codes


async def enrol(everyone, codes: list[str]) -> None:
    """Each person taps their link and fills the form (the real /start flow), the liaisons at
    once, then the supervisor; latency and flood limits are still off."""
    sup, liaisons = everyone[0][0], [u for u, _, _ in everyone[1:]]
    pairs = enumerate(zip(liaisons, codes[1:], strict=True))
    await asyncio.gather(*(register(u, c, f"联络员{i}") for i, (u, c) in pairs))
    await register(sup, codes[0], "王督查")


async def quiet(folder: Path, emu: Emulator) -> None:
    """The registrations' own pushes (to the supervisor, the handed-over tasks) sent first."""
    db = await Database(folder / "b.db").open()
    await drained(db)
    await db.close()
    await emu.settle(quiet=1.0, timeout=60)


# ---- the runs --------------------------------------------------------------------------------


@dataclass
class Figures:
    name: str
    updates: int
    seconds: float
    cpu: float
    loop: float  # of which the event loop's thread
    tally: Tally
    flood: int

    def row(self) -> list[str]:
        return [
            self.name,
            f"{self.updates / self.seconds:.1f}",
            f"{self.cpu * 1000 / self.updates:.2f}",
            f"{self.loop * 1000 / self.updates:.2f}",
            f"{self.tally.p(0.5) * 1000:.0f}",
            f"{self.tally.p(0.99) * 1000:.0f}",
            f"{self.tally.lost}",
            f"{self.flood}",
        ]


def floods(emu: Emulator) -> int:
    return sum(1 for c in emu.calls if c.error_code == 429)


async def measure(name, emu, bot, everyone, echo, rounds, pause) -> Figures:
    warm = Tally()  # one round unmeasured: what a running bot did once long ago
    await asyncio.gather(*(person(u, r, unit, echo, 1, pause, warm) for u, r, unit in everyone))
    tally, flood, cpu, loop = Tally(), floods(emu), bot.cpu(), bot.loop_cpu()
    started = time.perf_counter()
    bot.signal(signal.SIGUSR1)
    await asyncio.gather(
        *(person(u, r, unit, echo, rounds, pause, tally) for u, r, unit in everyone)
    )
    bot.signal(signal.SIGUSR2)
    seconds, cpu, loop = time.perf_counter() - started, bot.cpu() - cpu, bot.loop_cpu() - loop
    updates = len(tally.waits) + tally.lost
    return Figures(name, updates, seconds, cpu, loop, tally, floods(emu) - flood)


async def side_by_side(args, ours: Path, theirs: Path) -> tuple[Figures, Figures, Figures, float]:
    """Both bots measured at the same time, each on its own emulator: whatever the shared
    machine is doing then, it does to both, so the ratio compares like with like."""
    mine, bare = Emulator(bot_username="bench_bot"), Emulator(bot_username="bench_bot")
    await mine.start()
    await bare.start()
    try:
        codes = await prepare(ours, args.users)
        note(f"{ITEMS:,} items seeded")
        bot, echo = Child("duban", ours, mine), Child("echo", theirs, bare)
        await bot.start()
        await echo.start()
        note("督办助手 and the echo bot started")
        everyone, echoed = people(mine, args.users), people(bare, args.users)
        await enrol(everyone, codes)
        note(f"{len(everyone)} people registered")
        await quiet(ours, mine)
        note("their pushes sent")
        limits_on(mine)
        limits_on(bare)
        steady, base = await asyncio.gather(
            measure("督办助手", mine, bot, everyone, False, args.rounds, args.pause),
            measure("bare PTB 22 echo", bare, echo, echoed, True, args.rounds, args.pause),
        )
        note("both measured")
        await echo.stop()
        export, seconds = await during_export(mine, bot, everyone, args.pause)
        note("/export measured")
        await bot.stop()
        return steady, base, export, seconds
    finally:
        await mine.stop()
        await bare.stop()


def limits_on(emu: Emulator) -> None:
    emu.latency = LATENCY
    emu.limiter = RateLimiter()


async def during_export(emu, bot, everyone, pause) -> tuple[Figures, float]:
    """The liaisons' replies while the supervisor's /export of 10,000 items is built."""
    sup, liaisons = everyone[0][0], everyone[1:]
    sup.mark()
    started = time.perf_counter()
    await sup.send("/export")
    export = asyncio.ensure_future(sup.expect(lambda m: m.document is not None, timeout=600))
    tally, flood, cpu, loop = Tally(), floods(emu), bot.cpu(), bot.loop_cpu()
    await asyncio.gather(
        *(person(u, r, unit, False, 0, pause, tally, until=export) for u, r, unit in liaisons)
    )
    seconds, cpu, loop = time.perf_counter() - started, bot.cpu() - cpu, bot.loop_cpu() - loop
    updates = len(tally.waits) + tally.lost
    name = "督办助手 during /export"
    return Figures(name, updates, seconds, cpu, loop, tally, floods(emu) - flood), seconds


def table(rows: list[list[str]]) -> str:
    head = [
        "bot",
        "updates/s",
        "CPU ms/update",
        "of which loop",
        "p50 ms",
        "p99 ms",
        "lost",
        "429s",
    ]
    lines = [head, ["---"] * len(head), *rows]
    return "\n".join("| " + " | ".join(r) + " |" for r in lines)


async def run(args) -> None:
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        steady, base, export, export_s = await side_by_side(args, Path(a), Path(b))
    ratio = (steady.cpu / steady.updates) / (base.cpu / base.updates)
    print(
        f"{args.users} liaisons + 1 supervisor, {args.rounds} round(s), {args.pause} s between"
        f" a reply and the next command; {LATENCY * 1000:.0f} ms per Bot API call, flood limits"
        f" on; {ITEMS:,} open items; {os.cpu_count()} cores\n"
    )
    print(table([steady.row(), base.row(), export.row()]))
    print(
        f"\nCPU per update, 督办助手 / echo: {ratio:.2f}"
        f"   p99 latency ratio: {steady.tally.p(0.99) / base.tally.p(0.99):.2f}"
        f"\n/export of {ITEMS:,} items answered in {export_s:.1f} s;"
        f" replies meanwhile p99 {export.tally.p(0.99) * 1000:.0f} ms"
    )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        kind, folder, api_url, file_url = sys.argv[2:6]
        asyncio.run(serve(kind, Path(folder), api_url, file_url))
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--pause", type=float, default=2.0)
    random.seed(15)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()

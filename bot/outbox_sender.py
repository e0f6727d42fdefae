"""Sends the outbox at Telegram's speed, each push once, and never loses one.

A row is marked 'sending' in its own transaction before the HTTP call and 'sent' (with the
message id) after it. A crash in between leaves 'sending', which the next start turns into
'uncertain': it may have arrived, so it is shown to the office, not blindly sent again.

Pacing is the sender's own (≤ 25 messages/s overall, 1/s per private chat, 18/min per group),
below PTB's rate limiter, so interactive replies never queue behind a large fan-out. Rows for
different chats go out concurrently; rows for one chat keep their order.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import defaultdict
from pathlib import Path

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.render import Renderer
from domain.models import Person, Role
from domain.office import Office
from storage import alerts, outbox, people, units
from storage.db import Row
from storage.outbox import Push

log = logging.getLogger(__name__)
GONE = (
    "chat not found",
    "bot was blocked",
    "user is deactivated",
    "bot is not a member",
    "bot was kicked",
)


class Pacer:
    """Token spacing: one global interval, one per chat, and a pause after a 429."""

    def __init__(self, overall_per_sec: float, per_chat_per_sec: float, group_per_min: int):
        self.overall = 1 / overall_per_sec
        self.private = 1 / per_chat_per_sec
        self.group = 60 / group_per_min
        self.next_any = 0.0
        self.next_chat: dict[int, float] = defaultdict(float)
        self.paused_until = 0.0
        self.lock = asyncio.Lock()

    async def wait(self, chat_id: int) -> None:
        async with self.lock:
            now = time.monotonic()
            at = max(now, self.next_any, self.next_chat[chat_id], self.paused_until)
            self.next_any = at + self.overall
            self.next_chat[chat_id] = at + (self.group if chat_id < 0 else self.private)
        if at > now:
            await asyncio.sleep(at - now)

    def pause(self, seconds: float) -> None:
        self.paused_until = max(self.paused_until, time.monotonic() + seconds)


class Sender:
    def __init__(
        self,
        bot: Bot,
        office: Office,
        render: Renderer,
        *,
        overall_per_sec: float = 25,
        per_chat_per_sec: float = 1,
        group_per_min: int = 18,
        in_flight: int = 8,
    ):
        self.bot, self.office, self.render = bot, office, render
        self.pacer = Pacer(overall_per_sec, per_chat_per_sec, group_per_min)
        self.slots = asyncio.Semaphore(in_flight)
        self.event = asyncio.Event()
        self.batch = asyncio.Lock()
        self.task: asyncio.Task | None = None
        self.stopping = False

    async def start(self) -> None:
        async with self.office.db.transaction() as conn:
            interrupted = await outbox.settle_interrupted(conn)
        if interrupted:
            log.warning("%s pushes were interrupted mid-send; marked uncertain", interrupted)
        self.task = asyncio.create_task(self._run(), name="duban-sender")

    async def stop(self) -> None:
        self.stopping = True
        self.event.set()
        if self.task is not None:
            await self.task
            self.task = None

    def wake(self) -> None:
        self.event.set()

    async def _run(self) -> None:
        while not self.stopping:
            self.event.clear()  # before the batch: a wake during it is not lost
            try:
                sent = await self.send_ready()
            except Exception:  # never let one bad row stop the pushes for good
                log.exception("sender batch failed")
                sent = 0
            if not sent and not self.stopping:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.event.wait(), timeout=5)

    async def drain(self, timeout: float = 60) -> int:
        """Send everything due now; returns how many rows were handled (tests, the demo)."""
        total = 0
        async with asyncio.timeout(timeout):
            while handled := await self.send_ready():
                total += handled
        return total

    async def send_ready(self) -> int:
        """One batch of due rows; batches never overlap, so no row is picked twice."""
        async with self.batch:
            async with self.office.db.read() as conn:
                rows = await outbox.ready(conn, self.office.now())
            return await self._send_batch(rows)

    async def _send_batch(self, rows: list[Row]) -> int:
        lanes: dict[str, list[Row]] = defaultdict(list)
        for row in rows:
            lanes[str(row["chat_id"] or f"unit{row['unit_id']}")].append(row)
        await asyncio.gather(*(self._lane(lane) for lane in lanes.values()))
        return len(rows)

    async def _lane(self, rows: list[Row]) -> None:
        for row in rows:
            if self.stopping:
                return
            async with self.slots:
                await self._send(row)

    async def _recipients(self, row: Row) -> list[tuple[Person | None, int]]:
        async with self.office.db.read() as conn:
            if row["person_id"] is not None:
                person = await people.get(conn, row["person_id"])
                return [(person, row["chat_id"] or person.chat_id)] if person else []
            if row["chat_id"] is not None:
                return [(None, row["chat_id"])]
            found = await people.liaisons(conn, row["unit_id"])
        return [(p, p.chat_id) for p in found if not p.unreachable]

    def _message(self, row: Row) -> tuple[str, InlineKeyboardMarkup | None]:
        text = self.render(row["template"], **json.loads(row["context"] or "{}"))
        rows = json.loads(row["buttons"] or "[]")
        markup = (
            InlineKeyboardMarkup(
                [[InlineKeyboardButton(t, callback_data=d) for t, d in r] for r in rows]
            )
            if rows
            else None
        )
        return text, markup

    async def _mark(self, row_id: int, state: str, **columns) -> None:
        async with self.office.db.transaction() as conn:
            await outbox.mark(conn, row_id, state, **columns)

    async def _send(self, row: Row) -> None:
        text, markup = self._message(row)
        for person, chat_id in await self._recipients(row):
            while True:
                await self.pacer.wait(chat_id)
                await self._mark(row["id"], "sending")
                try:
                    message = await self._deliver(row, chat_id, text, markup)
                except RetryAfter as exc:  # wait as told, then the same row again
                    self.pacer.pause(_seconds(exc.retry_after))
                    await self._mark(row["id"], "pending", error="Telegram 限速，等待后重发")
                    continue
                except (Forbidden, BadRequest) as exc:
                    if person is None or not any(g in str(exc).lower() for g in GONE):
                        await self._mark(row["id"], "failed", error=str(exc)[:200])
                        return
                    await self._unreachable(person, row, str(exc))
                    break  # try the unit's next liaison
                except (TimedOut, NetworkError) as exc:  # it may have arrived: don't resend
                    await self._mark(row["id"], "uncertain", error=str(exc)[:200])
                    return
                await self._mark(
                    row["id"],
                    "sent",
                    sent_to=person.id if person else None,
                    message_id=message.message_id,
                    sent_at=self.office.now(),
                )
                return
        await self._mark(row["id"], "held", error="该单位暂无可接收的联络员")

    async def _deliver(self, row: Row, chat_id: int, text: str, markup) -> Message:
        if row["photo"]:
            return await self.bot.send_photo(
                chat_id,
                Path(row["photo"]).read_bytes(),
                caption=text[:1024],
                parse_mode=ParseMode.HTML,
            )
        return await self.bot.send_message(
            chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup
        )

    async def _unreachable(self, person: Person, row: Row, error: str) -> None:
        """Mark the person, tell the supervisors once, keep an alert for the leader channel."""
        now = self.office.now()
        async with self.office.db.transaction() as conn:
            await people.mark_unreachable(conn, person.id, now)
            if person.role is not Role.LIAISON:
                return
            unit = await units.get(conn, person.unit_id)
            for sup in await people.with_role(conn, Role.SUPERVISOR):
                await outbox.add(
                    conn,
                    Push(
                        f"unreachable:{person.id}:sup{sup.id}",
                        "unreachable",
                        "push_unreachable",
                        now,
                        unit_id=person.unit_id,
                        person_id=sup.id,
                        chat_id=sup.chat_id,
                        context={"person": person.name, "phone": person.phone, "unit": unit.name},
                    ),
                    now,
                )
            await alerts.add(
                conn,
                "unreachable",
                now=now,
                unit_id=person.unit_id,
                dedupe_key=f"unreachable:{person.id}",
                person=person.name,
            )
        self.event.set()


def _seconds(value) -> float:
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)

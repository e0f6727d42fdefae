"""Sends the outbox at Telegram's speed, each push once, and never loses one.

A row is marked 'sending' in its own transaction before the HTTP call and 'sent' (with the
message id) after it. A crash in between leaves 'sending', which the next start turns into
'uncertain': it may have arrived, so it is shown to the office, not blindly sent again.
Failures are sorted by what is known (bot/send_fate.py): what certainly did not reach
Telegram is retried with backoff for up to a day; only a request that went out unanswered
is 'uncertain'.

Automatic rows (reminders, escalations, posts) go only at working moments, whatever sat in
the queue; a reminder overtaken while it waited (the unit signed, the item closed) is
dropped, not sent late.

Pacing is the bot's one pacer (bot/pacer.py), which every request passes: the sender's calls
are marked as pushes, so a person's reply goes first and the sum of both stays under
Telegram's limits. Each chat at work has a lane: a task that sends its rows in order, and
takes the chat's newer rows at the end of its queue. The reader keeps reading while lanes send,
so a new chat starts as soon as a slot and the pacer allow, never after the slowest chat of a
batch. A lane waits for its chat's window before it takes one of the `in_flight` slots.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import RetryAfter
from telegram.ext import ExtBot

from bot.pacer import PUSH, Pacer, seconds_of
from bot.render import Renderer
from bot.send_fate import Fate, fate, reason
from bot.text_parts import caption_parts, split_html
from domain import pushes
from domain.models import Person, Role
from domain.office import Office
from domain.policy import Rules
from domain.workdays import Hours, working_moment
from storage import alerts, outbox, people, units
from storage.outbox import Push, Queued

log = logging.getLogger(__name__)
RETRY_FOR = 24 * 3600  # a row that cannot be sent for a day is failed, for a person to see
BACKOFF_MAX = 600
OVERTAKEN = "已无需提醒：情况在等待发送时已变化"
BATCH = 200  # rows read at a time
HOLD = 1000  # rows held in the lanes at most; a new read waits for room


@dataclass
class _Window:
    """What the lanes let go while a read is on its way: rows they settled (they may still
    look pending to the read) and lanes stopped for a retry (their newer rows must wait)."""

    ids: set[int] = field(default_factory=set)
    lanes: set[str] = field(default_factory=set)


def backoff(attempts: int) -> int:
    """Seconds before the next try: 2, 4, 8 … up to ten minutes."""
    return min(BACKOFF_MAX, 2 ** max(1, attempts))


class Sender:
    def __init__(
        self,
        bot: ExtBot[Any],
        office: Office,
        render: Renderer,
        *,
        hours: Hours | None = None,
        rules: Rules | None = None,
        pacer: Pacer | None = None,
        in_flight: int = 8,
        idle_check: float = 5,
        holder: str | None = None,
    ):
        self.bot, self.office, self.render = bot, office, render
        self.hours = hours or Hours()
        self.rules = rules
        self.pacer = pacer  # None: the bot has no rate limiter (tests, the demo)
        # the pacer reads this to put a push behind replies; without a pacer, nothing to mark
        self.marked: str | None = PUSH if pacer is not None else None
        self.slots = asyncio.Semaphore(in_flight)
        self.event = asyncio.Event()
        self.batch = asyncio.Lock()
        self.lanes: dict[str, deque[Queued]] = {}  # a chat's rows, in order, while it sends
        self.held: set[int] = set()  # ids of the rows in the lanes
        self.workers: set[asyncio.Task] = set()  # one per lane
        self.window: _Window | None = None
        self.task: asyncio.Task | None = None
        self.stopping = False
        self.idle_check = idle_check
        self.holder = holder  # the lease this process holds (duban run); None in tests
        self.failing: str | None = None  # why sends are being retried now; None when fine

    async def start(self) -> None:
        async with self.office.db.transaction() as conn:
            interrupted = await outbox.settle_interrupted(conn)
        if interrupted:
            log.warning("%s pushes were interrupted mid-send; marked uncertain", interrupted)
        self.task = asyncio.create_task(self._run(), name="duban-sender")

    async def stop(self) -> None:
        """Reading stops, and each lane finishes the send it is in; the rest stay pending."""
        self.stopping = True
        self.event.set()
        if self.task is not None:
            await self.task
            self.task = None
        await self._settled()

    def wake(self) -> None:
        self.event.set()

    async def _run(self) -> None:
        while not self.stopping:
            self.event.clear()  # before the read: a wake during it is not lost
            try:
                taken = await self._take()
            except Exception:  # never let one bad row stop the pushes for good
                log.exception("sender batch failed")
                taken = 0
            if not taken and not self.stopping:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.event.wait(), timeout=await self._idle())

    async def _idle(self) -> float:
        """How long to wait for a wake: until the next retry is due, at most `idle_check`."""
        async with self.office.db.read() as conn:
            due = await outbox.next_retry(conn, int(self.office.clock.now().timestamp()))
        if due is None:
            return self.idle_check
        return min(self.idle_check, max(0.05, due - self.office.clock.now().timestamp()))

    async def drain(self, timeout: float = 60) -> int:
        """Send everything due now; returns how many rows were handled (tests, the demo)."""
        total = 0
        async with asyncio.timeout(timeout):
            while handled := await self.send_ready():
                total += handled
        return total

    async def send_ready(self) -> int:
        """Hand every due row to its lane and wait until the lanes are done (tests, the demo)."""
        handled = 0
        while taken := await self._take():
            handled += taken
        await self._settled()
        return handled

    async def _settled(self) -> None:
        while self.workers:
            await asyncio.wait(set(self.workers))

    async def _take(self) -> int:
        """Read one batch of due rows that no lane holds yet and hand each to its chat's lane;
        returns how many were new. Reads never overlap, so no row is picked twice; lanes keep
        sending meanwhile, so a chat with many rows never holds up the others."""
        async with self.batch:
            if len(self.held) >= HOLD:
                return 0  # a lane's progress wakes the reader again (`_let_go`)
            now = self.office.clock.now()
            working = working_moment(now, self.office.calendar, self.hours)
            window = self.window = _Window()  # what lanes let go while the read is on its way
            try:
                async with self.office.db.read() as conn:
                    found = await outbox.ready(
                        conn, int(now.timestamp()), working, BATCH + len(self.held)
                    )
                # a row settled meanwhile may look pending to the read: it is not free
                fresh = [r for r in found if r.id not in self.held and r.id not in window.ids]
                rows = await self._drop_overtaken(fresh)
            finally:
                self.window = None
            for row in rows:
                if row.lane not in window.lanes:  # a lane stopped for a retry meanwhile
                    self._enqueue(row)
            return len(rows) or (1 if fresh else 0)

    def _enqueue(self, row: Queued) -> None:
        """A chat already at work takes the row at the end of its queue: its order is kept."""
        self.held.add(row.id)
        queue = self.lanes.get(row.lane)
        if queue is None:
            queue = self.lanes[row.lane] = deque()
            worker = asyncio.create_task(self._lane(row.lane, queue), name=f"lane-{row.lane}")
            self.workers.add(worker)
            worker.add_done_callback(self.workers.discard)
        queue.append(row)

    def _let_go(self, row: Queued) -> None:
        self.held.discard(row.id)
        if self.window is not None:
            self.window.ids.add(row.id)
        if len(self.held) == HOLD - BATCH:
            self.event.set()  # room for another batch

    async def _drop_overtaken(self, rows: list[Queued]) -> list[Queued]:
        """A reminder decided earlier but no longer due now is dropped, not sent late."""
        if self.rules is None:
            return rows
        stale = await pushes.overtaken(self.office, self.rules, [r for r in rows if r.automatic])
        if stale:
            async with self.office.db.transaction() as conn:
                for row_id in stale:
                    await outbox.settle(conn, row_id, "dropped", OVERTAKEN)
            log.info("%s queued reminders were overtaken by events and dropped", len(stale))
        return [r for r in rows if r.id not in stale]

    async def _lane(self, lane: str, queue: deque[Queued]) -> None:
        """One chat's rows, in order, until its queue is empty. A row left for a retry stops
        the lane: the rest stay pending, and `outbox.ready` holds them behind it."""
        stalled = False
        try:
            while queue and not self.stopping and not stalled:
                if queue[0].automatic and not self._working():
                    break  # read again at the next working moment
                stalled = not await self._send_or_fail(queue[0])
                self._let_go(queue.popleft())
        finally:
            if (queue or stalled) and self.window is not None:
                self.window.lanes.add(lane)  # a read on its way may hold newer rows
            while queue:
                self._let_go(queue.popleft())
            del self.lanes[lane]

    def _working(self) -> bool:
        """Automatic rows go only at working moments, also when they waited in a lane."""
        return working_moment(self.office.clock.now(), self.office.calendar, self.hours)

    async def _send_or_fail(self, row: Queued) -> bool:
        try:
            return await self._send(row)
        except Exception as exc:  # a row that cannot even be rendered
            log.exception("push %s could not be sent", row.id)
            await self._settle(row.id, "failed", f"无法生成消息：{type(exc).__name__}")
            return True

    async def _recipients(self, row: Queued) -> list[tuple[Person | None, int]]:
        async with self.office.db.read() as conn:
            if row.person_id is not None:
                person = await people.get(conn, row.person_id)
                return [(person, row.chat_id or person.chat_id)] if person else []
            if row.chat_id is not None:
                return [(None, row.chat_id)]
            if row.unit_id is None:
                return []  # addressed to nobody: held, as a unit without liaisons is
            found = await people.liaisons(conn, row.unit_id)
        return [(p, p.chat_id) for p in found if not p.unreachable]

    def _message(self, row: Queued) -> tuple[str, InlineKeyboardMarkup | None]:
        text = self.render(row.template, **row.context) if row.template else ""
        markup = (
            InlineKeyboardMarkup(
                [[InlineKeyboardButton(t, callback_data=d) for t, d in r] for r in row.buttons]
            )
            if row.buttons
            else None
        )
        return text, markup

    async def _settle(self, row_id: int, state: str, error: str) -> None:
        async with self.office.db.transaction() as conn:
            await outbox.settle(conn, row_id, state, error)

    async def _send(self, row: Queued) -> bool:
        """Deliver the row; False if it is to be tried again later."""
        text, markup = self._message(row)
        for person, chat_id in await self._recipients(row):
            if self.pacer is not None:
                await self.pacer.ready(chat_id)  # outside the slot: others go meanwhile
            async with self.slots:
                settled = await self._try(row, person, chat_id, text, markup)
            if settled is not None:
                return settled
        await self._settle(row.id, "held", "该单位暂无可接收的联络员")
        return True

    async def _try(
        self, row: Queued, person: Person | None, chat_id: int, text: str, markup
    ) -> bool | None:
        """One recipient: True if settled, False if to be retried, None if the person is
        gone (the unit's next liaison is tried)."""
        async with self.office.db.transaction() as conn:
            mine = await outbox.sending(conn, row.id, self.holder)
        if not mine:
            log.warning("push %s was not sent: the database's lease is not ours", row.id)
            self.stopping = True
            return True
        try:
            message = await self._deliver(row, chat_id, text, markup)
        except Exception as exc:
            outcome = fate(exc)
            if outcome is Fate.GONE and person is not None:
                await self._unreachable(person)
                return None
            return await self._failed(row, exc, outcome)
        async with self.office.db.transaction() as conn:
            sent_to = person.id if person else None
            await outbox.sent(conn, row.id, sent_to, message.message_id, self.office.now())
        self._recovered()
        return True

    async def _failed(self, row: Queued, exc: Exception, outcome: Fate) -> bool:
        why = reason(exc)
        if outcome is Fate.UNCERTAIN:
            log.warning("push %s: no answer to the request, left uncertain", row.id)
            await self._settle(row.id, "uncertain", why)
        elif outcome in (Fate.FINAL, Fate.GONE):
            await self._settle(row.id, "failed", why)
        else:
            return await self._retry(row, exc, why)
        return True

    def _trouble(self, why: str) -> None:
        """One log line when sending starts failing for a passing reason (network lost, 429,
        Telegram's 5xx), not one per row or per retry; `_recovered` writes the other."""
        if self.failing is None:
            self.failing = why
            log.warning("推送发送受阻（%s）：将自动退避重试，恢复后另记一行。", why)

    def _recovered(self) -> None:
        if self.failing is not None:
            self.failing = None
            log.info("推送发送已恢复正常。")

    async def _retry(self, row: Queued, exc: Exception, why: str) -> bool:
        self._trouble(why)
        now = int(self.office.clock.now().timestamp())
        if now - row.created_ts >= RETRY_FOR:
            await self._settle(row.id, "failed", f"24小时内多次重发仍未成功：{why}")
            return True
        wait: float = backoff(row.attempts + 1)
        if isinstance(exc, RetryAfter):  # the pacer has paused the chat meanwhile
            wait = seconds_of(exc.retry_after)
        async with self.office.db.transaction() as conn:
            await outbox.retry_at(conn, row.id, now + max(1, round(wait)), why)
        return False

    async def _deliver(
        self, row: Queued, chat_id: int, text: str, markup: InlineKeyboardMarkup | None
    ) -> Message:
        """Send the row; a long text goes in as many messages as Telegram needs, with the
        buttons under the last one."""
        mark = self.marked
        if row.file_id is not None:  # a file already on Telegram, forwarded by its id
            if row.file_kind == "photo":
                return await self.bot.send_photo(chat_id, row.file_id, rate_limit_args=mark)
            if row.file_kind == "document":
                return await self.bot.send_document(chat_id, row.file_id, rate_limit_args=mark)
        parts = split_html(text) or [text]
        if row.photo:
            caption, parts = caption_parts(text)
            message = await self.bot.send_photo(
                chat_id, Path(row.photo).read_bytes(), caption=caption, rate_limit_args=mark
            )
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            message = await self.bot.send_message(
                chat_id, part, reply_markup=markup if last else None, rate_limit_args=mark
            )
        return message

    async def _unreachable(self, person: Person) -> None:
        """Mark the person, tell the supervisors once, keep an alert for the leader channel."""
        now = self.office.now()
        async with self.office.db.transaction() as conn:
            await people.mark_unreachable(conn, person.id, now)
            if person.role is not Role.LIAISON or person.unit_id is None:
                return
            unit = await units.get(conn, person.unit_id)
            unit_name = unit.name if unit else ""  # a liaison's unit exists (foreign key)
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
                        context={"person": person.name, "phone": person.phone, "unit": unit_name},
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

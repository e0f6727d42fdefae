"""The tick: on every working moment, derive what is due from the database and queue it.

APScheduler (through PTB's JobQueue) only triggers the tick; it holds no state of its own.
Everything the tick decides is written to the outbox in one transaction, keyed so that a
second tick — or a tick after a crash — adds nothing already decided.
"""

from __future__ import annotations

import logging
from datetime import datetime

from telegram.ext import Application

from bot import backup, leader_channel, orchestrator, services
from bot.revisit_tick import ask_due_revisits
from bot.services import Context
from domain.models import Role
from domain.plan import actions as plan
from domain.workdays import working_moment
from handlers.notify import fix_letters
from storage import meta, outbox, people
from storage.outbox import Push

log = logging.getLogger(__name__)
TICK_JOB = "duban-tick"


async def tick(app: Application) -> int:
    """Decide and queue today's pushes; returns how many new pushes were queued.

    Every tick, working moment or not, leaves its time and count in `meta`: `duban status`
    reads them to tell a live bot from a stalled one."""
    svc = services.of(app)
    office = svc.office
    now = office.clock.now()
    working = working_moment(now, office.calendar, svc.hours)
    queued = await _queue(app, now) if working else 0
    async with office.db.transaction() as conn:
        await meta.put(conn, "tick_last_at", now.isoformat(timespec="seconds"))
        await meta.put(conn, "tick_last_queued", str(queued))
    return queued


async def _queue(app: Application, now: datetime) -> int:
    svc = services.of(app)
    office = svc.office
    today, stamp = now.date(), office.now()
    opened = await plan.roll_over(office, then=fix_letters(svc))
    queued = len(opened) + await orchestrator.queue_chases(office, svc.rules, today)
    async with office.db.transaction() as conn:
        supervisors = await people.with_role(conn, Role.SUPERVISOR)
        queued += await _calendar_warning(conn, office, supervisors, now, stamp)
    queued += await leader_channel.queue_posts(app)
    if queued:
        svc.wake_sender()
    return queued


async def _calendar_warning(conn, office, supervisors, now: datetime, stamp: str) -> int:
    """Warn once per supervisor, from November, when next year's holidays are unknown."""
    year = now.year if not office.calendar.knows(now.year) else now.year + 1
    if office.calendar.knows(year) or (year > now.year and now.month < 11):
        return 0
    queued = 0
    for p in supervisors:
        push = Push(
            f"calendar:{year}:sup{p.id}",
            "calendar",
            "push_calendar",
            stamp,
            person_id=p.id,
            chat_id=p.chat_id,
            context={"year": year},
        )
        queued += await outbox.add(conn, push, stamp)
    return queued


async def tick_job(context: Context) -> None:
    """Reminders and posts, due revisits, the day's backup: one failing must not stop the others."""
    try:
        await tick(context.application)
    except Exception:  # a bad tick must not stop the next one
        log.exception("tick failed")
    try:
        await ask_due_revisits(context.application)
    except Exception:
        log.exception("revisit tick failed")
    try:
        await backup.run_due(context.application)
    except Exception:
        log.exception("backup tick failed")


def schedule(app: Application, interval: float) -> None:
    """One repeating tick with a fixed id: scheduling twice replaces, misfires still run."""
    if app.job_queue is None:  # PTB builds one when its job-queue extra is installed
        raise RuntimeError("python-telegram-bot[job-queue] is not installed")
    app.job_queue.run_repeating(
        tick_job,
        interval=interval,
        first=1,
        name=TICK_JOB,
        job_kwargs={
            "id": TICK_JOB,
            "replace_existing": True,
            "misfire_grace_time": None,
            "coalesce": True,
            "max_instances": 1,
        },
    )

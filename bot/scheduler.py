"""The tick: on every working moment, derive what is due from the database and queue it.

APScheduler (through PTB's JobQueue) only triggers the tick; it holds no state of its own.
Everything the tick decides is written to the outbox in one transaction, keyed so that a
second tick — or a tick after a crash — adds nothing already decided.
"""

from __future__ import annotations

import logging
from datetime import datetime

from telegram.ext import Application, ContextTypes

from bot import backup, leader_channel
from domain import plan, plan_views
from domain.models import Role
from domain.office import labeller
from domain.reminders import CHASED, Due, decide
from domain.workdays import working_moment
from handlers import callbacks as cb
from handlers.revisit_due import ask_due_revisits
from storage import alerts, ledger_state, meta, outbox, people
from storage.outbox import Push

log = logging.getLogger(__name__)
TICK_JOB = "duban-tick"
LEADER_ESCALATES = frozenset({"esc_overdue"})  # also told to a plan task's 分管领导
FIXES = {
    "sign": ("签收", cb.SIGN),
    "responsible": ("报送承办责任人", cb.RESPONSIBLE),
    "report": ("填报进展", cb.REPORT),
}


def _pushes(due: Due, supervisors, now: str, leaders=()) -> list[Push]:
    template = f"push_{due.rule}" if due.audience == "unit" else "push_escalation"
    context = {**due.context, "rule": due.rule}
    if due.audience == "unit":
        buttons = []
        if due.fix in FIXES:
            text, prefix = FIXES[due.fix]
            buttons = [[(text, cb.make(prefix, due.item_id))]]
        return [
            Push(
                due.key,
                due.rule,
                template,
                now,
                due.item_id,
                due.unit_id,
                context=context,
                buttons=buttons,
            )
        ]
    told = [("sup", p, context) for p in supervisors]
    told += [("ldr", p, {**context, "to_leader": True}) for p in leaders]
    return [
        Push(
            f"{due.key}:{kind}{p.id}",
            due.rule,
            template,
            now,
            due.item_id,
            due.unit_id,
            person_id=p.id,
            chat_id=p.chat_id,
            context=ctx,
        )
        for kind, p, ctx in told
    ]


async def tick(app: Application) -> int:
    """Decide and queue today's pushes; returns how many new pushes were queued.

    Every tick, working moment or not, leaves its time and count in `meta`: `duban status`
    reads them to tell a live bot from a stalled one."""
    svc = app.bot_data["services"]
    office = svc.office
    now = office.clock.now()
    working = working_moment(now, office.calendar, svc.hours)
    queued = await _queue(app, now) if working else 0
    async with office.db.transaction() as conn:
        await meta.put(conn, "tick_last_at", now.isoformat(timespec="seconds"))
        await meta.put(conn, "tick_last_queued", str(queued))
    return queued


async def _queue(app: Application, now: datetime) -> int:
    svc = app.bot_data["services"]
    office, settings = svc.office, svc.settings
    today, stamp = now.date(), office.now()
    opened = await plan.roll_over(office)
    async with office.db.read() as conn:
        found = await ledger_state.assignments(
            conn,
            CHASED,
            labeller(settings.serial_format),
        )
        supervisors = await people.with_role(conn, Role.SUPERVISOR)
    decided = [d for a in found for d in decide(a, today, office.calendar, svc.rules)]
    async with office.db.read() as conn:
        overdue = {d.item_id for d in decided if d.rule in LEADER_ESCALATES}
        in_charge = await plan_views.leaders(office, conn, overdue)
    queued = len(opened)
    async with office.db.transaction() as conn:
        for due in decided:
            if due.audience == "leader":
                await alerts.add(
                    conn,
                    due.rule,
                    now=stamp,
                    item_id=due.item_id,
                    unit_id=due.unit_id,
                    dedupe_key=due.key,
                    **due.context,
                )
                continue
            leaders = in_charge.get(due.item_id, []) if due.rule in LEADER_ESCALATES else []
            for push in _pushes(due, supervisors, stamp, leaders):
                queued += await outbox.add(conn, push, stamp)
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


async def tick_job(context: ContextTypes.DEFAULT_TYPE) -> None:
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

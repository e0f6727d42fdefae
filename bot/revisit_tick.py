"""回访 on the tick: start the revisits that are due, with the invitation's outbox pushes (the
form button to the lead unit; word to the supervisors if nobody there can be reached). An
unanswered revisit is chased by the reminder policy, in the unit's 今日待办."""

from __future__ import annotations

from telegram.ext import Application

from bot import services
from domain import buttons as cb
from domain import revisits
from domain.workdays import working_moment
from storage.outbox import Push


async def ask_due_revisits(app: Application) -> int:
    """Start today's due revisits; returns how many started.

    Called by the scheduler on each tick (and by tests after moving the clock); like every
    push, only in office hours on working days. The invitations go through the outbox in the
    transaction that starts the revisit: sent once, paced, kept for a liaison yet to come.
    """
    svc = services.of(app)
    if not working_moment(svc.office.clock.now(), svc.office.calendar, svc.hours):
        return 0
    label = svc.office.serial_label
    started = await revisits.start_due(svc.office, lambda due, now: _invitation(label, due, now))
    if started:
        svc.wake_sender()
    return len(started)


def _facts(label, item) -> dict:
    closed = item.closed_at
    return dict(serial=label(item), is_key=item.is_key, title=item.title, closed_at=closed)


def _invitation(label, due: revisits.Due, now: str) -> list[Push]:
    """The form button to the lead unit (whichever liaison can be reached); if nobody in the
    unit can be reached now, the supervisors hear it at once."""
    item, facts = due.item, _facts(label, due.item)
    lead = item.lead.unit_id if item.lead else None
    pushes = [
        Push(
            f"revisit:{due.revisit_id}",
            "revisit",
            "revisit_invite",
            now,
            item_id=item.id,
            unit_id=lead,
            context=facts,
            buttons=[[("填写回访情况", cb.make(cb.REVISIT_FORM, due.revisit_id))]],
        )
    ]
    if not any(not p.unreachable for p in due.liaisons):
        unit = item.lead.unit_name if item.lead else ""
        pushes += [
            Push(
                f"revisit_unreached:{due.revisit_id}:sup{s.id}",
                "revisit_unreached",
                "revisit_unreached",
                now,
                item_id=item.id,
                person_id=s.id,
                chat_id=s.chat_id,
                context={**facts, "unit": unit, "nobody": not due.liaisons},
            )
            for s in due.supervisors
        ]
    return pushes

"""Queues what the policy decides today: one 今日待办 per unit, one 需跟进 per person, and
the leader-channel alerts, with the steps they carry, in one transaction.

A step is recorded only when the message that carries it was queued now: if today's digest
for that unit or person already exists, a step found later in the day waits for tomorrow,
so nobody gets a second automatic message on the same day.
"""

from __future__ import annotations

from datetime import date

from domain import digests, plan_views, policy
from domain.digests import Digest
from domain.models import Role
from domain.office import Office, labeller
from domain.policy import ESCALATE, LEADER, Step
from domain.reminders import CHASED
from handlers import callbacks as cb
from storage import alerts, chases, ledger_state, outbox, people
from storage.outbox import Push

FIXES = {
    "sign": ("签收", cb.SIGN),
    "responsible": ("报送承办责任人", cb.RESPONSIBLE),
    "report": ("填报进展", cb.REPORT),
}
# what the alert row and its item already say (domain/channel.py alert_view)
OWN_FIELDS = frozenset({"kind", "since", "serial", "title", "unit", "is_key"})
TEMPLATES = {"todo": "push_todo", "followup": "push_followup"}


async def queue_chases(office: Office, rules: policy.Rules, today: date) -> int:
    """Decide today's steps and queue them; returns how many messages and alerts are new."""
    async with office.db.read() as conn:
        found = await ledger_state.assignments(conn, CHASED, labeller(office.serial_format))
        history = await chases.history(conn, CHASED)
        supervisors = {p.id: p for p in await people.with_role(conn, Role.SUPERVISOR)}
    taken = policy.decide(found, history, today, office.calendar, rules)
    if not taken:
        return 0
    escalated = {s.need.item_id for s in taken if s.action == ESCALATE}
    async with office.db.read() as conn:
        in_charge = await plan_views.leaders(office, conn, escalated)
    chats = {p.id: p.chat_id for ps in in_charge.values() for p in ps} | {
        p.id: p.chat_id for p in supervisors.values()
    }
    leaders = {item: [p.id for p in ps] for item, ps in in_charge.items()}
    planned = digests.todos(taken, today) + digests.followups(taken, supervisors, leaders, today)
    stamp = office.now()
    queued = 0
    async with office.db.transaction() as conn:
        done: set[tuple[str, str]] = set()
        for digest in planned:
            if await outbox.add(conn, _push(digest, chats, stamp), stamp):
                await chases.record(conn, digest.steps, today, digest.key)
                done |= {(s.need.key, s.action) for s in digest.steps}
                queued += 1
        for step in taken:
            if step.action == LEADER and _may_post(step, taken, done):
                queued += await _alert(conn, step, today, stamp)
    return queued


def _may_post(step: Step, taken: list[Step], done: set[tuple[str, str]]) -> bool:
    """A key item's leader step goes with its escalation: not without it."""
    with_escalation = any(s.action == ESCALATE and s.need.key == step.need.key for s in taken)
    return not with_escalation or (step.need.key, ESCALATE) in done


async def _alert(conn, step: Step, today: date, stamp: str) -> int:
    need = step.need
    detail = {k: v for k, v in digests.entry(step).items() if k not in OWN_FIELDS}
    new = await alerts.add(
        conn,
        "escalation",
        now=stamp,
        item_id=need.item_id,
        unit_id=need.unit_id,
        dedupe_key=f"leader:{need.key}",
        need=need.kind,
        fell_due=need.since.isoformat(),
        **detail,
    )
    if new:
        await chases.record(conn, [step], today, None)
    return int(new)


def _push(digest: Digest, chats: dict[int, int], stamp: str) -> Push:
    buttons = [
        [(f"{FIXES[fix][0]}：{serial}", cb.make(FIXES[fix][1], item))]
        for fix, item, serial in digest.fixes
        if digest.rule == "todo"
    ]
    return Push(
        digest.key,
        digest.rule,
        TEMPLATES[digest.rule],
        stamp,
        unit_id=digest.unit_id,
        person_id=digest.person_id,
        chat_id=chats.get(digest.person_id) if digest.person_id else None,
        context=digest.context(),
        buttons=buttons,
    )

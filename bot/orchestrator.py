"""Queues what the policy decides today: one 今日待办 per unit, one 需跟进 per person, and
the leader-channel alerts, with the steps they carry.

Only assignments whose `next_check` is due are decided (storage/next_check.py): a tick with
nothing due reads one index entry. The first tick of a working day decides them all, so it
reads and writes in chunks, each its own section of the database lock, and runs the pure
decisions off the event loop: a person's reply waits for one chunk, not for the whole tick.

A step is recorded only when the message that carries it was queued now: if today's digest
for that unit or person already exists, a step found later in the day waits for tomorrow,
so nobody gets a second automatic message on the same day.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from domain import buttons as cb
from domain import digests, policy
from domain.digests import Digest
from domain.items import DECIDED
from domain.models import Role
from domain.office import Office, labeller
from domain.plan import views as plan_views
from domain.policy import ESCALATE, LEADER, Step
from domain.reminders import Assignment
from domain.workdays import WorkdayCalendar
from storage import alerts, chases, ledger_state, next_check, outbox, people
from storage.outbox import Push

CHUNK = 1000  # assignments (or steps) per read or write section of the lock
FIXES = {
    "sign": ("签收", cb.SIGN),
    "responsible": ("报送承办责任人", cb.RESPONSIBLE),
    "report": ("填报进展", cb.REPORT),
    "revisit": ("填写回访情况", cb.REVISIT_FORM),
}
# what the alert row and its item already say (domain/channel.py alert_view)
OWN_FIELDS = frozenset({"kind", "since", "serial", "title", "unit", "is_key"})
TEMPLATES = {"todo": "push_todo", "followup": "push_followup"}

Pair = tuple[int, int]  # (item, unit)


@dataclass(frozen=True)
class Outcome:
    decided: int = 0  # assignments the policy looked at
    queued: int = 0  # new messages and alerts


async def queue_chases(office: Office, rules: policy.Rules, today: date) -> int:
    """Decide today's steps and queue them; returns how many messages and alerts are new."""
    return (await chase(office, rules, today)).queued


async def chase(office: Office, rules: policy.Rules, today: date) -> Outcome:
    """Decide the due assignments, queue their steps, and set when each is next due."""
    async with office.db.read() as conn:
        if not await next_check.any_due(conn, today):
            return Outcome()
    found, history, read = await _load_due(office, today)
    taken, later = await asyncio.to_thread(_decide, found, history, today, office.calendar, rules)
    queued = await _queue(office, taken, today) if taken else 0
    settled = [(i, u, old, later.get((i, u), next_check.NEVER)) for (i, u), old in read.items()]
    for part in _slices(settled, CHUNK):
        async with office.db.transaction() as conn:
            await next_check.settle(conn, part)
    return Outcome(len(read), queued)


async def _load_due(
    office: Office, today: date
) -> tuple[list[Assignment], dict[str, list[policy.Chase]], dict[Pair, int]]:
    """The due assignments still chased, their steps so far, and the next_check each had."""
    label = labeller(office.serial_format)
    found: list[Assignment] = []
    history: dict[str, list[policy.Chase]] = {}
    read: dict[Pair, int] = {}
    after = (0, 0)
    while True:
        async with office.db.read() as conn:
            rows = await next_check.due(conn, today, after, CHUNK)
            if not rows:
                break
            ids = {item for item, _, _ in rows}
            loaded = await ledger_state.assignments(conn, DECIDED, label, ids)
            history.update(await chases.history(conn, DECIDED, ids))
        page = {(item, unit): old for item, unit, old in rows}
        read.update(page)
        found += [a for a in loaded if (a.item_id, a.unit_id) in page]
        after = rows[-1][:2]
    return found, history, read


def _decide(
    found: list[Assignment],
    history: dict[str, list[policy.Chase]],
    today: date,
    cal: WorkdayCalendar,
    rules: policy.Rules,
) -> tuple[list[Step], dict[Pair, int]]:
    """Today's steps and each assignment's next decision day: pure, run in a thread."""
    taken = policy.decide(found, history, today, cal, rules)
    later = {(a.item_id, a.unit_id): policy.next_decision(a, today, cal).toordinal() for a in found}
    return taken, later


async def _queue(office: Office, taken: list[Step], today: date) -> int:
    """Queue the digests and alerts, a chunk of steps per transaction."""
    escalated = {s.need.item_id for s in taken if s.action == ESCALATE}
    async with office.db.read() as conn:
        supervisors = {p.id: p for p in await people.with_role(conn, Role.SUPERVISOR)}
        in_charge = await plan_views.leaders(office, conn, escalated)
    chats = {p.id: p.chat_id for ps in in_charge.values() for p in ps} | {
        p.id: p.chat_id for p in supervisors.values()
    }
    leaders = {item: [p.id for p in ps] for item, ps in in_charge.items()}
    planned = digests.todos(taken, today) + digests.followups(taken, supervisors, leaders, today)
    stamp = office.now()
    queued = 0
    done: set[tuple[str, str]] = set()
    for batch in _batches(planned):
        async with office.db.transaction() as conn:
            fresh = await outbox.add_new(conn, [_push(d, chats, stamp) for d in batch], stamp)
            new = [d for d in batch if d.key in fresh]
            await chases.record_many(conn, [(d.steps, d.key) for d in new], today)
        done |= {(s.need.key, s.action) for d in new for s in d.steps}
        queued += len(new)
    with_escalation = {s.need.key for s in taken if s.action == ESCALATE}
    posts = [s for s in taken if s.action == LEADER and _may_post(s, with_escalation, done)]
    for part in _slices(posts, CHUNK):
        async with office.db.transaction() as conn:
            for step in part:
                queued += await _alert(conn, step, today, stamp)
    return queued


def _batches(planned: list[Digest]) -> Iterator[list[Digest]]:
    """Digests in groups of about CHUNK rows written (one digest is never split)."""
    batch: list[Digest] = []
    size = 0
    for digest in planned:
        batch.append(digest)
        size += 1 + len(digest.steps)
        if size >= CHUNK:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _slices(rows: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _may_post(step: Step, with_escalation: set[str], done: set[tuple[str, str]]) -> bool:
    """A key item's leader step goes with its escalation: not without it."""
    key = step.need.key
    return key not in with_escalation or (key, ESCALATE) in done


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
        [(f"{FIXES[fix][0]}：{serial}", cb.make(FIXES[fix][1], target))]
        for fix, target, serial in digest.fixes
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

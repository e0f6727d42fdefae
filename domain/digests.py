"""One automatic message per person per working day: today's steps gathered into digests.

Each unit gets one 今日待办 listing every reminder due today across its items, each with the
button that settles it; each supervisor one 需跟进 with every escalation, grouped by unit; a
plan target's 分管领导 one of their own with the overdue targets in their charge. Pure: the
orchestrator (bot/orchestrator.py) queues them and renders nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.policy import ESCALATE, REMIND, Step, Told

SHOWN = 10  # entries listed with their buttons; the rest are counted, /mytasks lists them
LEADER_KINDS = frozenset({"overdue"})  # also told to a plan target's 分管领导


@dataclass(frozen=True)
class Digest:
    key: str  # one per person (or unit) per day: the outbox's dedupe key
    rule: str  # todo | followup
    day: date
    steps: tuple[Step, ...]  # every step it carries: taken when it is queued
    unit_id: int | None = None
    person_id: int | None = None
    to_leader: bool = False

    @property
    def shown(self) -> tuple[Step, ...]:
        return self.steps[:SHOWN] if self.rule == "todo" else self.steps

    @property
    def fixes(self) -> list[tuple[str, int, str]]:
        """(fix, what its button names, serial) for each listed entry, once per item and fix:
        the item, or the revisit an unanswered revisit's form is for (`fix_id`)."""
        seen: dict[tuple[str, int], str] = {}
        for s in self.shown:
            target = s.need.context.get("fix_id", s.need.item_id)
            seen.setdefault((s.need.fix, target), s.need.context["serial"])
        return [(fix, item, serial) for (fix, item), serial in seen.items() if fix]

    def context(self) -> dict[str, Any]:
        """What the template needs, as plain values."""
        if self.rule == "todo":
            return {
                "day": self.day.isoformat(),
                "unit": self.steps[0].need.context["unit"],
                "entries": [entry(s) for s in self.shown],
                "more": len(self.steps) - len(self.shown),
            }
        units: dict[str, list[dict[str, Any]]] = {}
        for s in self.steps:
            units.setdefault(s.need.context["unit"], []).append(entry(s))
        return {
            "day": self.day.isoformat(),
            "to_leader": self.to_leader,
            "count": len(self.steps),
            "units": [{"unit": u, "entries": e} for u, e in units.items()],
        }


def entry(step: Step) -> dict[str, Any]:
    return {**step.need.context, "key": step.need.key, "n": step.n, **told_view(step.told)}


def told_view(told: Told | None) -> dict[str, Any]:
    """The honest words' facts: on which days a reminder really went out, and why not."""
    told = told or Told()
    return {
        "reminded": [d.isoformat() for d in told.sent],
        "held": told.held,
        "failed": told.failed,
        "waiting": told.waiting,
        "muted_until": told.muted_until.isoformat() if told.muted_until else "",
    }


def todos(steps: Iterable[Step], day: date) -> list[Digest]:
    """One 今日待办 per unit with reminders today."""
    by_unit: dict[int, list[Step]] = {}
    for s in steps:
        if s.action == REMIND:
            by_unit.setdefault(s.need.unit_id, []).append(s)
    return [
        Digest(f"todo:u{unit}:{day.isoformat()}", "todo", day, tuple(found), unit_id=unit)
        for unit, found in by_unit.items()
    ]


def followups(
    steps: Iterable[Step],
    supervisors: Iterable[int],
    leaders: Mapping[int, Iterable[int]],
    day: date,
) -> list[Digest]:
    """One 需跟进 per supervisor with every escalation; one per 分管领导 with theirs."""
    escalations = tuple(s for s in steps if s.action == ESCALATE)
    if not escalations:
        return []
    found = [_followup(p, escalations, day) for p in supervisors]
    theirs: dict[int, list[Step]] = {}
    for s in escalations:
        if s.need.kind in LEADER_KINDS:
            for p in leaders.get(s.need.item_id, ()):
                theirs.setdefault(p, []).append(s)
    found += [_followup(p, tuple(mine), day, True) for p, mine in theirs.items()]
    return found


def _followup(person: int, steps: tuple[Step, ...], day: date, to_leader: bool = False) -> Digest:
    key = f"followup:p{person}:{day.isoformat()}"
    return Digest(key, "followup", day, steps, person_id=person, to_leader=to_leader)

"""The status model is one table. For every (status, action, role) the rules give exactly one
answer: the table's target, "not now" (no rule for this status and action) or "not you" (a
rule, but for other roles). Nothing else in the code decides a status."""

from __future__ import annotations

import itertools

import pytest

from domain.errors import Refusal
from domain.items import (
    OPEN_STATUSES,
    PREVIOUS,
    TRANSITIONS,
    Action,
    Status,
    allowed,
    may_approve,
    transition,
)
from domain.models import Role

TRIPLES = list(itertools.product(Status, Action, Role))


def expected_outcome(status: Status, action: Action, role: Role) -> Status | str:
    """What the table says: a target status, or the key of the refusal."""
    rule = TRANSITIONS.get((status, action))
    if rule is None:
        return "not_allowed_now"
    target, roles = rule
    if role not in roles:
        return "wrong_role"
    return Status.IN_PROGRESS if target == PREVIOUS else Status(target)


def actual_outcome(status: Status, action: Action, role: Role) -> Status | str:
    try:
        return transition(status, action, role)
    except Refusal as refusal:
        return refusal.key


def test_every_triple_is_covered():
    assert len(TRIPLES) == len(Status) * len(Action) * len(Role) == 13 * 18 * 4


@pytest.mark.parametrize("status", list(Status), ids=[s.value for s in Status])
def test_each_status_action_role(status):
    """One test per status; inside it every (action, role) pair, all mismatches named at once."""
    mismatches = [
        f"{action}-{role}: {actual} (the table says {expected})"
        for action, role in itertools.product(Action, Role)
        if (actual := actual_outcome(status, action, role))
        != (expected := expected_outcome(status, action, role))
    ]
    assert mismatches == [], f"{status}: " + "; ".join(mismatches)


def test_the_answers_are_exactly_the_table():
    """Seen from the other side: the set of moves that succeed is the table, nothing more."""
    succeeded = {(s, a, r) for s, a, r in TRIPLES if isinstance(actual_outcome(s, a, r), Status)}
    in_table = {(s, a, r) for (s, a), (_, roles) in TRANSITIONS.items() for r in roles}
    assert succeeded == in_table


def test_refusals_say_what_was_refused():
    with pytest.raises(Refusal) as refused:
        transition(Status.CLOSED, Action.APPROVE, Role.LEADER)
    assert refused.value.context == {"status": Status.CLOSED, "action": "同意下发"}
    with pytest.raises(Refusal) as refused:
        transition(Status.PENDING_APPROVAL, Action.APPROVE, Role.LIAISON)
    assert refused.value.context == {"action": "同意下发"}


def test_a_status_is_accepted_as_its_stored_code_and_not_as_its_label():
    assert transition("awaiting_sign", Action.LEAD_SIGN, Role.LIAISON) == Status.IN_PROGRESS
    for stored in ("不存在的状态", Status.AWAITING_SIGN.label):
        with pytest.raises(ValueError):
            transition(stored, Action.LEAD_SIGN, Role.LIAISON)


@pytest.mark.parametrize(
    "before", [Status.AWAITING_SIGN, Status.IN_PROGRESS, Status.EXTENSION_REQUESTED]
)
def test_resume_returns_to_where_the_item_was_suspended(before):
    suspended = transition(before, Action.SUSPEND, Role.SUPERVISOR)
    assert suspended == Status.SUSPENDED
    assert transition(suspended, Action.RESUME, Role.SUPERVISOR, previous=before) == before


def test_resume_without_a_remembered_status_goes_back_to_work():
    assert transition(Status.SUSPENDED, Action.RESUME, Role.SUPERVISOR) == Status.IN_PROGRESS


def test_the_main_road_from_approval_to_closure():
    steps = [
        (Action.APPROVE, Role.LEADER, Status.AWAITING_SIGN),
        (Action.LEAD_SIGN, Role.LIAISON, Status.IN_PROGRESS),
        (Action.SUBMIT_COMPLETION, Role.LIAISON, Status.UNDER_REVIEW),
        (Action.RETURN_REPORT, Role.SUPERVISOR, Status.RETURNED_FOR_SUPPLEMENT),
        (Action.RESUBMIT_COMPLETION, Role.LIAISON, Status.UNDER_REVIEW),
        (Action.ORDER_VERIFICATION, Role.SUPERVISOR, Status.AWAITING_VERIFICATION),
        (Action.PASS, Role.SUPERVISOR, Status.CLOSED),
        (Action.START_REVISIT, Role.SYSTEM, Status.REVISITING),
        (Action.FINISH_REVISIT, Role.SUPERVISOR, Status.CLOSED),
    ]
    status = Status.PENDING_APPROVAL
    for action, role, target in steps:
        status = transition(status, action, role)
        assert status == target, action


def test_only_the_bot_starts_a_revisit_and_never_acts_otherwise():
    for (status, action), (_, roles) in TRANSITIONS.items():
        assert (Role.SYSTEM in roles) == ((status, action) == (Status.CLOSED, Action.START_REVISIT))


def test_finished_items_take_no_new_work():
    for status in (Status.CLOSED, Status.CANCELLED, Status.RECORDED):
        for action in (Action.SUBMIT_COMPLETION, Action.REQUEST_EXTENSION, Action.LEAD_SIGN):
            assert (status, action) not in TRANSITIONS
    # a cancelled item is final; a reference item is only recorded
    assert not [key for key in TRANSITIONS if key[0] in (Status.CANCELLED, Status.RECORDED)]
    assert Status.CANCELLED not in OPEN_STATUSES and Status.RECORDED not in OPEN_STATUSES


def test_every_open_item_can_be_cancelled_by_a_supervisor_until_it_is_closed():
    for status in OPEN_STATUSES - {Status.REVISITING}:
        assert transition(status, Action.CANCEL, Role.SUPERVISOR) == Status.CANCELLED


def test_buttons_offered_are_the_allowed_actions():
    assert allowed(Status.PENDING_APPROVAL, Role.LEADER, tuple(Action)) == [
        Action.APPROVE,
        Action.RETURN_LETTER,
    ]
    assert allowed(Status.PENDING_APPROVAL, Role.LIAISON, tuple(Action)) == []
    for status, role in itertools.product(Status, Role):
        for action in allowed(status, role, tuple(Action)):
            assert isinstance(actual_outcome(status, action, role), Status)


# Leaders approve letters; a supervisor stands in only when the office has no leader and
# its settings allow it. Liaisons and the bot never approve.
MAY_APPROVE = [
    # role, leaders registered, supervisor_may_approve, may approve
    (Role.LEADER, 0, True, True),
    (Role.LEADER, 0, False, True),
    (Role.LEADER, 1, True, True),
    (Role.LEADER, 3, False, True),
    (Role.SUPERVISOR, 0, True, True),
    (Role.SUPERVISOR, 0, False, False),
    (Role.SUPERVISOR, 1, True, False),
    (Role.SUPERVISOR, 3, False, False),
    (Role.LIAISON, 0, True, False),
    (Role.LIAISON, 0, False, False),
    (Role.LIAISON, 1, True, False),
    (Role.LIAISON, 3, False, False),
    (Role.SYSTEM, 0, True, False),
    (Role.SYSTEM, 0, False, False),
    (Role.SYSTEM, 1, True, False),
    (Role.SYSTEM, 3, False, False),
]


@pytest.mark.parametrize(("role", "leaders", "setting", "expected"), MAY_APPROVE)
def test_who_may_approve_a_letter(role, leaders, setting, expected):
    assert may_approve(role, leaders, setting) is expected


def test_the_approval_truth_table_is_complete():
    rows = {(r, min(n, 1), s) for r, n, s, _ in MAY_APPROVE}
    assert rows == set(itertools.product(Role, (0, 1), (True, False)))

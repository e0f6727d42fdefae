"""Status rules beside the full table (which test_status_transitions checks triple by triple)."""

from __future__ import annotations

import pytest

from domain.items import LABELS, TRANSITIONS, Action, Status, may_approve, transition
from domain.models import Role


def test_resume_returns_to_the_state_before_suspension():
    assert (
        transition(Status.SUSPENDED, Action.RESUME, Role.SUPERVISOR, previous=Status.AWAITING_SIGN)
        == Status.AWAITING_SIGN
    )


def test_each_status_is_an_ascii_code_with_its_own_label():
    assert set(LABELS) == set(Status)
    assert len(set(LABELS.values())) == len(Status)
    for status in Status:
        assert status.value.isascii() and status.value.isidentifier()
        assert status.label == LABELS[status] and not status.label.isascii()


def test_closed_and_cancelled_items_take_no_new_work():
    for action in (Action.SUBMIT_COMPLETION, Action.PASS, Action.REQUEST_EXTENSION):
        for state in (Status.CANCELLED, Status.CLOSED):
            assert (state, action) not in TRANSITIONS


@pytest.mark.parametrize(
    ("role", "leaders", "allowed", "expected"),
    [
        (Role.LEADER, 1, False, True),
        (Role.LEADER, 0, False, True),
        (Role.SUPERVISOR, 0, True, True),
        (Role.SUPERVISOR, 0, False, False),
        (Role.SUPERVISOR, 2, True, False),
        (Role.LIAISON, 0, True, False),
    ],
)
def test_who_approves_letters(role, leaders, allowed, expected):
    assert may_approve(role, leaders, allowed) is expected

"""Status rules beside the full table (which test_status_transitions checks triple by triple)."""

from __future__ import annotations

import ast
from pathlib import Path

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


ROOT = Path(__file__).parents[2]
OWN_PACKAGES = ("bot", "domain", "handlers", "storage", "tgemu", "bench")


def _status_literals(path: Path) -> list[str]:
    """String constants that are a status label, or quote one inside SQL ('已办结')."""
    labels = set(LABELS.values())
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
            if text in labels or any(f"'{label}'" in text for label in labels):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {text!r}")
    return found


def test_no_status_label_is_written_out_of_domain_items():
    """Statuses are codes compared through domain.items; a label typed elsewhere is a status
    check or a stored value that went round the one map."""
    sources = [p for pkg in OWN_PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))]
    assert len(sources) > 100
    found = [hit for p in sources if p != ROOT / "domain/items.py" for hit in _status_literals(p)]
    assert found == []
    assert _status_literals(ROOT / "domain/items.py")  # the scan does see the labels


def test_a_printed_status_reads_as_its_label_but_is_stored_as_its_code():
    """An office's older template printing {{ item.status }} still shows the word."""
    import sqlite3

    from jinja2 import Environment

    status = Status.IN_PROGRESS
    assert Environment(autoescape=True).from_string("{{ s }}").render(s=status) == "办理中"
    assert sqlite3.connect(":memory:").execute("SELECT ?", (status,)).fetchone() == (status.value,)

"""Which closed items are revisited: a key item always, another only if it ran a quarter or
more from its letter (not from its draft) with periodic reports."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain import revisits
from domain.items import Status
from domain.models import Category, Item, Period, Source


def make_item(*, is_key: bool, period: Period, days: int, sent: bool = True) -> Item:
    sent_at = "2026-01-10T09:00:00+08:00"
    return Item(
        id=1,
        title="t",
        instruction="i",
        instructing_leader="l",
        source=Source.INSTRUCTION,
        category=Category.ORDER,
        deadline=date(2026, 1, 10) + timedelta(days=days),
        period=period,
        is_key=is_key,
        status=Status.CLOSED,
        created_by=1,
        created_at="2025-12-01T09:00:00+08:00",
        sent_at=sent_at if sent else None,
    )


@pytest.mark.parametrize(
    ("is_key", "period", "days", "expected"),
    [
        (True, Period.ONCE, 10, True),  # key: always
        (True, Period.WEEKLY, 200, True),
        (False, Period.ONCE, 400, False),  # one-off, however long: not long-running
        (False, Period.WEEKLY, 89, False),  # a day short of a quarter
        (False, Period.WEEKLY, 90, True),
        (False, Period.FORTNIGHTLY, 120, True),
        (False, Period.MONTHLY, 365, True),
        (False, Period.MONTHLY, 30, False),
    ],
)
def test_needs_revisit_truth_table(is_key, period, days, expected):
    item = make_item(is_key=is_key, period=period, days=days)
    assert revisits.needs_revisit(item) is expected
    assert revisits.is_long_running(item) is (period is not Period.ONCE and days >= 90)


def test_long_running_counts_from_the_letter_not_the_draft():
    # drafted 2025-12-01, sent 2026-01-10: 100 days from the draft but 80 from the letter
    item = make_item(is_key=False, period=Period.MONTHLY, days=80)
    assert not revisits.needs_revisit(item)

"""How a person names an item in a command: by its serial, in any of the usual spellings, or by
its draft number; anything else is refused with the words to use."""

from __future__ import annotations

import pytest

from domain import queries
from domain.errors import Refusal


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("督办〔2026〕12号", ("serial", 2026, 12)),
        ("2025-3", ("serial", 2025, 3)),
        ("12", ("serial", 2026, 12)),
        ("#5", ("id", 0, 5)),
        ("草稿#5", ("id", 0, 5)),
    ],
)
def test_item_references(text, expected):
    assert queries.parse_ref(text, 2026) == expected


@pytest.mark.parametrize("text", ["", "第十二号", "abc"])
def test_bad_item_references(text):
    with pytest.raises(Refusal) as caught:
        queries.parse_ref(text, 2026)
    assert caught.value.key == "bad_ref"

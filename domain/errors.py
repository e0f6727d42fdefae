"""Refusals: a rule said no. Each names the message (a macro in templates/refusals.j2)."""

from __future__ import annotations

from typing import Any


class Refusal(Exception):
    """An action was refused; nothing changed. The handler renders `key` for the user."""

    def __init__(self, key: str, **context: Any) -> None:
        super().__init__(key)
        self.key = key
        self.context = context

    def __repr__(self) -> str:
        return f"Refusal({self.key!r}, {self.context!r})"

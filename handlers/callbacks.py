"""Callback data: `v1:<prefix>:<arg>...`, made in domain/buttons.py, parsed here.

The data says which button was pressed, never who may press it: every handler authorizes the
presser from the database. Anything that does not parse is a stale or forged button.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.buttons import *  # noqa: F403 (the prefixes and make, re-exported)
from domain.buttons import MAX_BYTES, VERSION


@dataclass(frozen=True)
class Callback:
    prefix: str
    args: tuple[str, ...]

    def int_arg(self, index: int = 0) -> int | None:
        try:
            value = int(self.args[index])
        except (IndexError, ValueError):
            return None
        return value if 0 <= value < 2**53 else None


def parse(data: str | None) -> Callback | None:
    """The button's meaning, or None for anything this version of the bot did not make."""
    if not data or len(data.encode()) > MAX_BYTES:
        return None
    parts = data.split(":")
    if len(parts) < 2 or parts[0] != VERSION:
        return None
    return Callback(parts[1], tuple(parts[2:]))


def pattern(prefix: str, first: str | None = None) -> str:
    """A CallbackQueryHandler pattern for one prefix (and, optionally, its first argument)."""
    if first is not None:
        return rf"^{VERSION}:{prefix}:{first}(:|$)"
    return rf"^{VERSION}:{prefix}(:|$)"

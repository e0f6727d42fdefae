"""No `Row` leaves storage/: every public function of every storage module declares what it
returns, and that is a frozen, slotted dataclass, a collection of them, a scalar or None.

Read from the annotations with `typing.get_type_hints`, so a function that starts handing out
rows again, or loses its annotation, fails here instead of in a template at render time.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import sqlite3
import typing
from collections.abc import Callable, Iterator
from typing import Any

import aiosqlite
import pytest

import storage
from domain.models import Report


def _modules() -> list[Any]:
    return [
        importlib.import_module(f"storage.{m.name}") for m in pkgutil.iter_modules(storage.__path__)
    ]


def _public_functions() -> Iterator[tuple[str, Callable[..., Any]]]:
    for module in _modules():
        for name, found in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(found):
                continue
            if found.__module__ == module.__name__:
                yield f"{module.__name__}.{name}", found


def _parts(hint: Any) -> Iterator[Any]:
    """The hint and every type inside it (list[X] | None → the union, list[X], X, None)."""
    yield hint
    for arg in typing.get_args(hint):
        yield from _parts(arg)


def _problems(hint: Any) -> list[str]:
    found = []
    for part in _parts(hint):
        if part in (aiosqlite.Row, sqlite3.Row):
            found.append("returns a Row")
        elif inspect.isclass(part) and dataclasses.is_dataclass(part):
            params = part.__dataclass_params__  # type: ignore[attr-defined]
            if not params.frozen or not hasattr(part, "__slots__"):
                found.append(f"{part.__name__} is not a frozen, slotted dataclass")
    return found


FUNCTIONS = dict(_public_functions())


def test_every_storage_module_is_seen() -> None:
    assert {"storage.reports.get", "storage.plan.targets", "storage.alerts.pending"} <= set(
        FUNCTIONS
    )


def test_the_check_catches_a_row_and_a_mutable_value() -> None:
    @dataclasses.dataclass
    class Loose:
        id: int

    assert _problems(list[aiosqlite.Row] | None) == ["returns a Row"]
    assert _problems(dict[int, Loose]) == ["Loose is not a frozen, slotted dataclass"]
    assert _problems(dict[tuple[int, int], Report] | None) == []


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_a_public_storage_function_returns_values_not_rows(name: str) -> None:
    function = FUNCTIONS[name]
    hints = typing.get_type_hints(function)
    assert "return" in hints, f"{name} has no return annotation"
    assert _problems(hints["return"]) == [], name

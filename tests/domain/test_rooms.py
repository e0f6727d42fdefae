"""The rooms say what they hold: the modules domain/__init__ lists as rules are pure (no
storage, no database), and every domain module is listed as one kind or the other."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import domain

ROOT = Path(domain.__file__).parent
DOC = domain.__doc__ or ""
RULES_PART, ACTIONS_PART = DOC.split("Actions and readers")


def _names(part: str) -> set[str]:
    listed = part.split(":", 1)[1]
    return set(re.findall(r"(?<![\w.])(?:plan\.)?[a-z_]+(?=[`,;.\s])", listed)) & _modules()


def _modules() -> set[str]:
    found = set()
    for path in ROOT.rglob("*.py"):
        if path.name == "__init__.py":
            continue
        relative = path.relative_to(ROOT).with_suffix("")
        found.add(".".join(relative.parts))
    return found


def _imports(module: str) -> set[str]:
    tree = ast.parse((ROOT / (module.replace(".", "/") + ".py")).read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
    return found


def test_every_domain_module_is_listed_once():
    rules, actions = _names(RULES_PART), _names(ACTIONS_PART)
    assert not rules & actions
    assert rules | actions == _modules()


def test_the_rules_touch_no_storage_and_no_telegram():
    for module in _names(RULES_PART):
        assert not _imports(module) & {"storage", "telegram", "aiosqlite", "bot", "handlers"}, (
            module
        )
        assert "db.transaction" not in (ROOT / (module.replace(".", "/") + ".py")).read_text()

"""The README tells each role every command /help lists, the emulator as it really runs, and
every folder of tests."""

from __future__ import annotations

import re
from pathlib import Path

from domain.models import Role
from handlers.basics import commands_for

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
ROWS = {"督查员": Role.SUPERVISOR, "领导": Role.LEADER, "联络员": Role.LIAISON}


def test_the_role_table_lists_every_command_help_lists():
    for label, role in ROWS.items():
        row = next(line for line in README.splitlines() if line.startswith(f"| {label} |"))
        written = set(re.findall(r"/([a-z]+)", row))
        missing = [c.command for c in commands_for(role) if c.command not in written]
        assert not missing, f"{label}: {missing}"


def test_the_emulator_command_is_the_one_that_runs():
    assert ".venv/bin/python -m tgemu --port 8081" in README
    assert re.search(r"(?<!bin/)python -m bot\.emulator", README) is None
    assert "不能扮演用户" in README


def test_every_tier_of_tests_is_described_in_both_languages():
    tiers = sorted(
        p.name for p in Path(__file__).parent.iterdir() if p.is_dir() and p.name != "__pycache__"
    )
    chinese, english = README.split("## English quick start")
    missing = [t for t in tiers for text in (chinese, english) if f"`tests/{t}`" not in text]
    assert tiers and not missing, missing

"""The wiring is explicit: every handler module's build() gives one Feature, bot/app.py hands
the reason prompts to reasons.build(), and nothing depends on the order modules are imported."""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest
from telegram.ext import BaseHandler, CommandHandler, ConversationHandler

import handlers
from bot.app import build_application, features
from bot.services import Context, Services
from bot.settings import Settings
from handlers import pickers, reasons
from handlers.common import Form
from handlers.feature import Feature, ReasonPrompt

TOKEN = "123456789:" + "W" * 35
ROOT = Path(__file__).resolve().parents[2]
MODULES = sorted(m.name for m in pkgutil.iter_modules(handlers.__path__))
BUILDERS = [
    (name, builder)
    for name in MODULES
    for builder in ("build", "build_exit")
    if hasattr(importlib.import_module(f"handlers.{name}"), builder)
]

# Imports the handler modules in the order given on the command line, then builds the
# application and prints what the reason conversation answers and what it was built from.
PROBE = """
import importlib
import json
import sys

for name in sys.argv[2:]:
    importlib.import_module("handlers." + name)
from bot.app import build_application
from bot.settings import Settings
app = build_application(Settings(token=sys.argv[1], db="probe.db"), None)
reasons = next(h for h in app.handlers[0] if getattr(h, "name", None) == "reasons")
print(json.dumps(reasons.entry_points[0].pattern.pattern))
"""


def _reasons_of(app) -> ConversationHandler:
    return next(h for h in app.handlers[0] if getattr(h, "name", None) == "reasons")


def _probe(order: list[str], tmp_path: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, TOKEN, *order],
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


@pytest.mark.slow
def test_the_reason_pattern_does_not_depend_on_import_order(tmp_path):
    forward = _probe(MODULES, tmp_path)
    backward = _probe(MODULES[::-1], tmp_path)
    assert forward == backward
    prompts = [p for f in features() for p in f.prompts]
    assert forward == reasons.pattern(prompts) and len(prompts) >= 8


def test_building_twice_gives_the_same_reason_pattern(tmp_path):
    settings = Settings(token=TOKEN, db=tmp_path / "duban.db")
    first, second = (_reasons_of(build_application(settings, None)) for _ in range(2))
    assert first.entry_points[0].pattern == second.entry_points[0].pattern
    prompts = [p for f in features() for p in f.prompts]
    assert first.entry_points[0].pattern.pattern == reasons.pattern(prompts)


@pytest.mark.parametrize(("name", "builder"), BUILDERS)
def test_every_build_returns_a_feature(name, builder):
    module = importlib.import_module(f"handlers.{name}")
    made = getattr(module, builder)(*([[]] if name == "reasons" else []))
    assert isinstance(made, Feature)
    assert isinstance(made.handlers, tuple) and made.handlers
    assert all(isinstance(h, BaseHandler) for h in made.handlers)
    assert isinstance(made.prompts, tuple)
    assert all(isinstance(p, ReasonPrompt) for p in made.prompts)


def test_every_module_with_a_build_is_wired():
    built = {name for name, _ in BUILDERS} - {"gate", "reasons"}  # wired by add_handlers
    assert len(features()) == len(built)


def test_a_prefix_given_twice_is_refused():
    prompt = next(p for f in features() for p in f.prompts)
    with pytest.raises(ValueError, match="share a button prefix"):
        reasons.build([prompt, prompt])


def test_handlers_and_jobs_get_the_typed_context_with_the_services(tmp_path):
    app = build_application(Settings(token=TOKEN, db=tmp_path / "duban.db"), None)
    assert app.context_types.context is Context
    context = Context(app)
    assert isinstance(context.services, Services)
    assert context.services is Context(app).services


def test_every_picker_is_installed_by_the_application_not_by_an_import(tmp_path):
    app = build_application(Settings(token=TOKEN, db=tmp_path / "duban.db"), None)
    installed = app.bot_data[pickers.KEY]
    assert set(installed) == {
        "item",
        "letter",
        "plan",
        "key",
        "unkey",
        "suspend",
        "resume",
        "revoke",
    }
    with pytest.raises(ValueError, match="two pickers for /item"):
        pickers.install(app, [*features(), *features()])


def test_every_conversation_says_when_it_moved(tmp_path: Path) -> None:
    """An update commits PTB's conversation states only when a Form handled it: a plain
    ConversationHandler's step would be committed late (on PTB's timer), and lost in a crash."""
    app = build_application(Settings(token=TOKEN, db=tmp_path / "w.db"), None)
    conversations = [
        h for group in app.handlers.values() for h in group if isinstance(h, ConversationHandler)
    ]
    assert conversations
    assert [h.name for h in conversations if not isinstance(h, Form)] == []
    assert all(h.persistent for h in conversations)


def test_plain_commands_are_tried_first_and_form_commands_stay_behind(tmp_path: Path) -> None:
    app = build_application(Settings(token=TOKEN, db=tmp_path / "w.db"), None)
    group = app.handlers[0]
    place = {
        command: i
        for i, h in enumerate(group)
        if isinstance(h, CommandHandler)
        for command in h.commands
    }
    first_form = next(i for i, h in enumerate(group) if isinstance(h, ConversationHandler))
    assert place["help"] < first_form and place["mytasks"] < first_form
    assert place["cancel"] > first_form, "the forms answer /cancel before the idle one"

"""deploy/ names only what exists: `duban` subcommands of the CLI's parser, DUBAN_* settings,
and the paths the settings use. Nothing is built here (no Docker engine, no systemd)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from bot.cli import parser
from bot.settings import Settings, load

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
FILES = ("duban.service", "Dockerfile", "compose.yaml", "duban.env.example")
# a command the files run: `…/bin/duban run`, `duban init`, ["CMD", "duban", "status"]
RUNS = re.compile(r"""(?:^|[\s/"'\[])duban["',\s]+([a-z][a-z ]*[a-z])""")


def text(name: str) -> str:
    return (DEPLOY / name).read_text(encoding="utf-8")


def commands(name: str) -> set[str]:
    """The `duban …` commands of the lines that run something (not comments)."""
    lines = [ln for ln in text(name).splitlines() if not ln.lstrip().startswith("#")]
    runners = ("ExecStart=", "CMD", "test:", "RUN")
    return {
        m.group(1) for ln in lines if ln.lstrip().startswith(runners) for m in RUNS.finditer(ln)
    }


def directives(name: str) -> dict[str, str]:
    found = {}
    for line in text(name).splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.startswith("#"):
            found.setdefault(key.strip(), value.strip())
    return found


@pytest.mark.parametrize("name", ["duban.service", "Dockerfile", "compose.yaml"])
def test_the_commands_run_are_duban_subcommands(name):
    found = commands(name)
    assert found, f"{name} runs no duban command"
    for command in found:
        parser().parse_args(command.split())  # an unknown one exits with usage


def test_every_duban_variable_is_a_setting():
    names = {v for n in FILES for v in re.findall(r"\bDUBAN_[A-Z_]+\b", text(n))}
    assert {"DUBAN_TOKEN", "DUBAN_DB", "DUBAN_LOG_FILE"} <= names
    settings = {f"DUBAN_{name.upper()}" for name in Settings.model_fields}
    assert names <= settings, names - settings


def test_the_unit_runs_duban_run_as_its_own_user_with_a_private_token_file():
    unit = directives("duban.service")
    assert commands("duban.service") == {"run"}
    assert unit["ExecStart"].split()[0].endswith("/.venv/bin/duban")
    assert unit["User"] == "duban" and unit["Restart"] == "on-failure"
    assert unit["EnvironmentFile"] == "/etc/duban/duban.env"
    assert unit["WorkingDirectory"] == "/var/lib/duban"
    assert unit["NoNewPrivileges"] == "yes" and unit["ProtectSystem"] == "strict"
    # the database the unit names lies in a folder it may write to
    settings = load(environ={"DUBAN_DB": unit["Environment"].split("=", 1)[1]})
    assert str(settings.db.parent) in unit["ReadWritePaths"].split()
    assert str(settings.attachments_path.parent) == "/var/lib/duban"
    assert "chmod 600" in text("duban.service") + text("duban.env.example")


def test_the_image_runs_as_non_root_with_the_data_on_a_volume_and_a_cjk_font():
    docker = text("Dockerfile")
    assert docker.startswith("#") and "FROM python:3.11-slim" in docker
    assert "fonts-wqy-microhei" in docker
    users = re.findall(r"^USER (\S+)", docker, re.M)
    assert users and users[-1] not in ("root", "0")
    db = re.search(r"DUBAN_DB=(\S+)", docker).group(1)
    volume = re.search(r'^VOLUME \["(\S+)"\]', docker, re.M).group(1)
    settings = load(environ={"DUBAN_DB": db})
    assert settings.db.parent == Path(volume) == settings.attachments_path.parent
    assert commands("Dockerfile") == {"init", "run"}


def test_the_image_holds_every_package_the_project_installs():
    project = tomllib.loads((DEPLOY.parent / "pyproject.toml").read_text(encoding="utf-8"))
    packages = {p.rstrip("*") for p in project["tool"]["setuptools"]["packages"]["find"]["include"]}
    copied = set(re.findall(r"^COPY (\w+) ", text("Dockerfile"), re.M))
    assert packages <= copied


def test_compose_restarts_and_keeps_the_data_on_a_volume():
    compose = text("compose.yaml")
    assert "restart: unless-stopped" in compose and "env_file: duban.env" in compose
    assert re.search(r"^\s+- duban-data:/data$", compose, re.M)
    assert "dockerfile: deploy/Dockerfile" in compose

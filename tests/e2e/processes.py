"""`duban` as its own process, in a folder of its own with only the given DUBAN_* settings, and
the checks its failures must pass: one clear Chinese line, no traceback, never the token."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from asyncio.subprocess import PIPE
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.e2e.conftest import TOKEN

SECRET = TOKEN.split(":")[1]


def env_for(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUBAN_")}
    env.update({"DUBAN_DB": str(tmp_path / "duban.db"), **extra})
    return env


async def spawn(
    tmp_path: Path, *args: str, stdout=PIPE, stderr=PIPE, **env: str
) -> asyncio.subprocess.Process:
    """`duban ARGS` as its own process, in `tmp_path`, with only the given DUBAN_* settings."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=tmp_path,
        env=env_for(tmp_path, **env),
        stdout=stdout,
        stderr=stderr,
    )


async def duban(tmp_path: Path, *args: str, **env: str) -> tuple[int, str, str]:
    proc = await spawn(tmp_path, *args, **env)
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    return proc.returncode, out.decode(), err.decode()


def one_clear_line(code: int, out: str, err: str, expected: str) -> None:
    assert code != 0, err
    lines = err.strip().splitlines()
    assert [line for line in lines if line.startswith("错误：")] == lines[-1:], err  # one line
    assert expected in lines[-1], err
    assert "Traceback" not in out + err
    assert TOKEN not in out + err and SECRET not in out + err


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """A file nobody may write: chmod for an ordinary user; root ignores that, so chattr +i."""
    root = os.geteuid() == 0
    if not root:
        path.chmod(0o444)
    elif subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
        pytest.skip("running as root, and chattr +i is not possible here")
    try:
        yield
    finally:
        if root:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        else:
            path.chmod(0o644)

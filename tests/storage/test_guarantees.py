"""Guarantees the office relies on: serials without gaps, an audit that cannot be rewritten,
migrations applied once, and a message for every refusal the rules can give."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FakeClock
from bot.render import Renderer
from domain import letters, registration
from domain.errors import Refusal
from domain.models import Category, Draft, Period, Role, Source
from domain.office import Office
from domain.workdays import WorkdayCalendar
from storage.db import Database
from tests.letters import letter_fixed

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
async def office(tmp_path: Path):
    db = await Database(tmp_path / "t.db").open()
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO units (id, name, kind, created_at, updated_at)"
            " VALUES (1, '住建局', '部门', '', '')"
        )
    yield Office(db=db, clock=FakeClock(NOW), calendar=WorkdayCalendar())
    await db.close()


async def person(office: Office, role: Role, tg: int):
    code, _ = await registration.create_invite(office, None, role)
    done = await registration.register(
        office,
        code,
        tg_user_id=tg,
        chat_id=tg,
        username="",
        name=f"人{tg}",
        title="",
        phone="13800000000",
    )
    return done.person


def draft(title: str) -> Draft:
    return Draft(
        title,
        "内容",
        "王书记",
        Source.INSTRUCTION,
        Category.ORDER,
        1,
        (),
        date(2026, 12, 31),
        Period.WEEKLY,
        False,
    )


async def test_concurrent_approvals_number_letters_without_gaps_or_duplicates(office):
    sup, leader = await person(office, Role.SUPERVISOR, 1), await person(office, Role.LEADER, 2)
    opened = [await letters.open_item(office, sup, draft(f"事项{i}")) for i in range(30)]
    done = await asyncio.gather(
        *(letters.approve(office, leader, o.item.id, then=letter_fixed) for o in opened)
    )
    assert sorted(d.item.serial for d in done) == list(range(1, 31))
    again = await asyncio.gather(
        *(letters.approve(office, leader, o.item.id, then=letter_fixed) for o in opened[:3]),
        return_exceptions=True,
    )
    assert all(isinstance(e, Refusal) and e.key == "not_allowed_now" for e in again)


async def test_audit_cannot_be_rewritten(office, tmp_path):
    await person(office, Role.SUPERVISOR, 1)
    raw = sqlite3.connect(tmp_path / "t.db")
    for statement in ("UPDATE audit SET action = 'x'", "DELETE FROM audit"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw.execute(statement)
    assert raw.execute("SELECT count(*) FROM audit").fetchone()[0] >= 2


async def test_a_failed_action_changes_nothing(office):
    sup = await person(office, Role.SUPERVISOR, 1)
    before = await office.db.raw.execute_fetchall("SELECT count(*) FROM items")
    with pytest.raises(RuntimeError):
        async with office.db.transaction() as conn:
            await conn.execute("UPDATE people SET name = '改' WHERE id = ?", (sup.id,))
            raise RuntimeError("boom")
    async with office.db.read() as conn:
        assert await conn.scalar("SELECT name FROM people WHERE id = ?", (sup.id,)) == "人1"
    assert before == await office.db.raw.execute_fetchall("SELECT count(*) FROM items")


async def test_migrations_apply_once_and_set_the_version(tmp_path):
    path = tmp_path / "m.db"
    for _ in range(2):
        async with Database(path) as db, db.read() as conn:
            version = await conn.scalar("PRAGMA user_version")
            mode = await conn.scalar("PRAGMA journal_mode")
            keys = await conn.scalar("PRAGMA foreign_keys")
    files = sorted(Path("storage/migrations").glob("*.sql"))
    assert version == int(files[-1].name[:4]) and mode == "wal" and keys == 1


def test_every_refusal_has_a_message():
    """Each Refusal('key') in the code has its Chinese macro in templates/refusals.j2."""
    keys = set()
    for path in [*Path("domain").rglob("*.py"), *Path("handlers").rglob("*.py")]:
        keys |= set(re.findall(r'Refusal\(\s*"([a-z_]+)"', path.read_text(encoding="utf-8")))
    module = Renderer().env.get_template("refusals.j2").module
    missing = sorted(k for k in keys if not hasattr(module, k))
    assert not missing, f"refusals without a message: {missing}"
    assert len(keys) > 30


def test_shipped_templates_compile_and_an_office_override_wins(tmp_path):
    assert Renderer().check() == []
    (tmp_path / "welcome.j2").write_text("本室定制：{{ person.name }}", encoding="utf-8")
    (tmp_path / "cancelled.j2").write_text("{% if %}", encoding="utf-8")
    office = Renderer(tmp_path)

    class P:
        name = "张三"

    assert office("welcome", person=P, role_label="x") == "本室定制：张三"
    assert any("cancelled.j2" in p for p in office.check())

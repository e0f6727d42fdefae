"""What every tier shares.

The process settings at the top only make the suite faster, never different. The fixtures
below give a real office on a real SQLite file, the clock at 2026-11-24 10:00 in Beijing: two
departments and a district, a way to enrol people through real invitations, and a form (Draft)
to open items with. Nothing is mocked: every helper goes through the domain. tests/storage,
tests/actions and tests/web use them; tests/e2e has its own office, served through the emulator.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FakeClock
from domain import registration
from domain.models import Category, Draft, LiaisonKind, Period, Person, Role, Source, UnitKind
from domain.office import Office
from domain.workdays import WorkdayCalendar
from storage import units
from storage.db import Database

SYSTEM_CA_DIR = Path("/etc/ssl/certs")

# Every PTB bot builds two httpx clients, and each one parses a whole CA bundle (certifi's, or
# the SSL_CERT_FILE one) at 0.05-0.1 s, although the emulator speaks plain http. OpenSSL reads
# a hashed CA directory lazily, so httpx pointed at the system's costs nothing and would still
# verify https. httpx prefers SSL_CERT_FILE, hence it is dropped in this process.
if SYSTEM_CA_DIR.is_dir():
    os.environ.pop("SSL_CERT_FILE", None)
    os.environ["SSL_CERT_DIR"] = str(SYSTEM_CA_DIR)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "slow: takes seconds (a process of its own, a demo month); scheduled first"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The slow tests first, shared out among the workers.

    pytest-xdist (worksteal) hands each worker one contiguous stretch of the list and later
    moves tests from the end of a long queue to an idle worker. With the twenty slow tests
    wherever they fell, one worker could start a minute-long test when the other had nothing
    left: put a fair share of them at the head of each worker's stretch, so the long ones run
    side by side with the many short ones. Only the order changes, never what is run.
    """
    workers = int(getattr(config, "workerinput", {}).get("workercount", 1))
    slow = [item for item in items if item.get_closest_marker("slow")]
    fast = iter(item for item in items if not item.get_closest_marker("slow"))
    ordered: list[pytest.Item] = []
    for worker in range(workers):
        share = (len(items) - len(ordered)) // (workers - worker)  # as worksteal splits
        head = slow[worker::workers]
        ordered += head + list(itertools.islice(fast, max(0, share - len(head))))
    items[:] = ordered + list(fast)


TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=TZ)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "duban.db"


@pytest.fixture
async def office(db_path: Path, clock: FakeClock) -> AsyncIterator[Office]:
    db = await Database(db_path).open()
    try:
        yield Office(db=db, clock=clock, calendar=WorkdayCalendar())
    finally:
        await db.close()


@dataclass(frozen=True)
class Units:
    housing: int  # 市住房和城乡建设局
    transport: int  # 市交通运输局
    district: int  # 甲区委


@pytest.fixture
async def unit_ids(office: Office) -> Units:
    async with office.db.transaction() as conn:
        await units.upsert(
            conn,
            [
                ("市住房和城乡建设局", "住建局", UnitKind.DEPARTMENT.value, None),
                ("市交通运输局", "交通局", UnitKind.DEPARTMENT.value, None),
                ("甲区委", "甲区", UnitKind.LOCAL.value, None),
            ],
            office.now(),
        )
        ids = {r["name"]: r["id"] for r in await conn.all("SELECT id, name FROM units")}
    return Units(ids["市住房和城乡建设局"], ids["市交通运输局"], ids["甲区委"])


class Enrol:
    """Registers people the way the office does: an invitation code, then /start."""

    def __init__(self, office: Office) -> None:
        self.office = office
        self._tg = itertools.count(1001)

    async def person(
        self,
        role: Role,
        unit_id: int | None = None,
        kind: LiaisonKind | None = None,
        *,
        tg: int | None = None,
        name: str | None = None,
    ) -> Person:
        code, _ = await registration.create_invite(self.office, None, role, unit_id, kind)
        tg_id = tg if tg is not None else next(self._tg)
        done = await registration.register(
            self.office,
            code,
            tg_user_id=tg_id,
            chat_id=tg_id,
            username=f"user{tg_id}",
            name=name or f"{role.label}{tg_id}",
            title="科员",
            phone="13800138000",
        )
        return done.person

    async def supervisor(self, **kw) -> Person:
        return await self.person(Role.SUPERVISOR, **kw)

    async def leader(self, **kw) -> Person:
        return await self.person(Role.LEADER, **kw)

    async def liaison(self, unit_id: int, kind: LiaisonKind = LiaisonKind.PRIMARY, **kw):
        return await self.person(Role.LIAISON, unit_id, kind, **kw)


@pytest.fixture
def enrol(office: Office) -> Enrol:
    return Enrol(office)


@pytest.fixture
def make_draft(unit_ids: Units) -> Callable[..., Draft]:
    """A filled-in /new form; by default 批办性, led by 住建局 with 交通局 as co-unit."""

    def make(
        title: str = "老旧小区改造进度滞后",
        *,
        category: Category = Category.ORDER,
        lead: int | None = None,
        co: tuple[int, ...] | None = None,
        deadline: date = date(2026, 12, 31),
        is_key: bool = False,
    ) -> Draft:
        return Draft(
            title=title,
            instruction="请住建局牵头，会同交通局于年底前拿出整改方案。",
            instructing_leader="王书记",
            source=Source.INSTRUCTION,
            category=category,
            lead_unit_id=unit_ids.housing if lead is None else lead,
            co_unit_ids=(unit_ids.transport,) if co is None else co,
            deadline=deadline,
            period=Period.WEEKLY,
            is_key=is_key,
        )

    return make

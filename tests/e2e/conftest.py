"""End-to-end harness: the real PTB Application over real HTTP to the project's emulator.

Only Telegram is emulated; the database, the clock-driven rules and the templates are real.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket

import bot.app
from bot.app import build_application
from bot.app import start as start_bot
from bot.app import stop as stop_bot
from bot.clock import FakeClock
from bot.render import Renderer
from bot.settings import Settings
from domain import registration, unit_import
from domain.models import Role
from domain.plan import actions as plan
from handlers.notify import fix_letters
from storage.db import Database
from tests.plan_sheet import sample_rows, workbook
from tgemu import Emulator, EmuUser

TOKEN = "123456789:" + "T" * 35
TZ = ZoneInfo("Asia/Shanghai")
UNITS_CSV = """名称,简称,类型,上级单位
市住房和城乡建设局,住建局,部门,
市交通运输局,交通局,部门,
市生态环境局,环境局,部门,
甲区委,甲区,下级党委政府,
"""


class Office:
    """The bot as an office runs it, plus the people who use it."""

    def __init__(
        self,
        tmp_path: Path,
        emu: Emulator,
        clock: FakeClock,
        rate_limit: bool = False,  # True: paced to Telegram's limits, as in production
        **overrides,
    ) -> None:
        self.emu = emu
        self.rate_limit = rate_limit
        self.clock = clock
        self.settings = Settings(
            token=TOKEN,
            db=tmp_path / "duban.db",
            api_url=emu.base_url,
            file_url=emu.base_file_url,
            leader_chat=-1001000,
            **{"tick_seconds": 0, **overrides},
        )
        self.db: Database | None = None
        self.app = None
        self.tmp_path = tmp_path

    async def start(self) -> None:
        self.db = await Database(self.settings.db).open()
        self.app = build_application(
            self.settings,
            self.db,
            self.clock,
            rate_limit=self.rate_limit,
        )
        await start_bot(self.app, poll_timeout=1)

    async def stop(self) -> None:
        if self.app is not None:
            await stop_bot(self.app)
            self.app = None
        if self.db is not None:
            await self.db.close()
            self.db = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    @property
    def office(self):
        return self.app.bot_data["services"].office

    async def import_units(self, text: str = UNITS_CSV) -> None:
        path = self.tmp_path / "units.csv"
        path.write_text(text, encoding="utf-8")
        await unit_import.import_units(self.office, path)

    async def unit_id(self, name: str) -> int:
        async with self.db.read() as conn:
            return await conn.scalar("SELECT id FROM units WHERE name = ?", (name,))

    async def cli_invite(self, role: Role) -> str:
        """What `duban supervisor invite` / `duban leader invite` does."""
        code, _ = await registration.create_invite(self.office, None, role)
        return code

    async def register(
        self, user: EmuUser, code: str, name: str, title: str = "科员", phone: str = "13800138000"
    ) -> None:
        await register(user, code, name, title, phone)

    async def drain(self, max_waits: int = 20) -> int:
        """Send everything queued; a row waiting to be retried is waited out on the fake
        clock (moved to its due moment), as the real clock would in production."""
        sender = self.app.bot_data["services"].sender
        handled = await sender.drain()
        for _ in range(max_waits):
            now = int(self.clock.now().timestamp())
            due = await self.scalar(
                "SELECT min(due_ts) FROM outbox WHERE state = 'pending' AND due_ts > ?", (now,)
            )
            if due is None:
                break
            self.clock.advance(seconds=due - now)
            handled += await sender.drain()
        return handled

    async def scalar(self, sql: str, params=()):
        async with self.db.read() as conn:
            return await conn.scalar(sql, params)

    async def rows(self, sql: str, params=()):
        async with self.db.read() as conn:
            return [dict(r) for r in await conn.all(sql, params)]


class SharedBytecode(BytecodeCache):
    """Compiled templates kept for the whole test process, as Jinja2 keeps them on disk.

    Every start of the bot compiles all ~110 templates (its start-up check), about half a
    second; a test starts the bot at least once. The cache is keyed by template name, file
    and source checksum, so an edited or office-overridden template is still compiled afresh.
    """

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


class CachedRenderer(Renderer):
    """The bot's renderer, with compiled templates shared between the bots a test run starts."""

    cache = SharedBytecode()

    def __init__(self, office_dir: Path | None = None) -> None:
        super().__init__(office_dir)
        self.env.bytecode_cache = self.cache


@pytest.fixture(scope="session", autouse=True)
def shared_template_bytecode():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bot.app, "Renderer", CachedRenderer)
        yield


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 24, 10, 0, tzinfo=TZ))


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    emulator = Emulator(bot_username="duban_test_bot")
    await emulator.start()
    yield emulator
    await emulator.stop()


@pytest.fixture
async def office(tmp_path: Path, emu: Emulator, clock: FakeClock) -> AsyncIterator[Office]:
    running = Office(tmp_path, emu, clock)
    await running.start()
    await running.import_units()
    yield running
    await running.stop()


@pytest.fixture
async def staffed(office: Office, emu: Emulator):
    """An office with a supervisor, a leader, and primary liaisons of two units."""
    return await enrol_staff(office, emu)


async def enrol_staff(
    office: Office,
    emu: Emulator,
    *,
    leader_shown: str = "领导赵",
    liaison_name: Callable[[str, str], str] = lambda key, unit: f"{unit[:3]}联络员",
) -> dict[str, EmuUser]:
    """Registers 王督查, 赵主任 and the primary liaisons of 住建局 ("zj") and 交通局 ("jt")
    through real invitations; `leader_shown` is the leader's Telegram name."""
    people = {
        "sup": emu.user(101, "督查员王"),
        "leader": emu.user(201, leader_shown),
        "zj": emu.user(301, "住建联络员"),
        "jt": emu.user(302, "交通联络员"),
    }
    await office.register(people["sup"], await office.cli_invite(Role.SUPERVISOR), "王督查")
    await office.register(people["leader"], await office.cli_invite(Role.LEADER), "赵主任")
    for key, unit in (("zj", "市住房和城乡建设局"), ("jt", "市交通运输局")):
        code = await invite_liaison(office, people["sup"], unit)
        await office.register(people[key], code, liaison_name(key, unit))
    return people


async def register(
    user: EmuUser, code: str, name: str, title: str = "科员", phone: str = "13800138000"
) -> None:
    """A person taps the link and fills the form, as on a phone (also used by bench/)."""
    await user.send(f"/start {code}")
    await user.expect("姓名")
    await user.send(name)
    await user.expect("职务")
    await user.send(title)
    await user.expect("手机")
    await user.send(phone)
    await user.expect("请核对注册信息")
    await user.press("确认")
    await user.expect("注册成功")


# --- the plan's office: January, the sample plan imported ----------------------------------


async def plan_office(tmp_path: Path, emu: Emulator, when: datetime):
    """An office started at `when`, its units imported, its staff registered by short names."""
    office = Office(tmp_path, emu, FakeClock(when))
    await office.start()
    await office.import_units()
    people = await enrol_staff(office, emu, leader_shown="赵主任", liaison_name=lambda k, u: k)
    return office, people


@pytest.fixture
async def january(tmp_path: Path, emu: Emulator):
    office, people = await plan_office(tmp_path, emu, datetime(2026, 1, 5, 10, 0, tzinfo=TZ))
    yield office, people
    await office.stop()


@pytest.fixture
async def planned(january):
    """January, with the 30-row sample plan imported (as `duban tasks import` does)."""
    office, people = january
    await plan.load_sheet(office.office, None, workbook(sample_rows()), letters_fixer(office))
    await drain(office)
    return office, people


def letters_fixer(office: Office):
    """The letters rendered and stored as `duban tasks import` and the upload handler do."""
    return fix_letters(office.app.bot_data["services"])


async def drain(office: Office) -> None:
    await office.app.bot_data["services"].sender.drain()


async def invite_liaison(office: Office, sup: EmuUser, unit: str, kind: str = "主联络员") -> str:
    """The supervisor's /invite flow; returns the code from the deep link."""
    await sup.send(f"/invite {unit}")
    await sup.expect("请选择邀请的身份")
    await sup.press(kind)
    message = await sup.expect("邀请链接已生成")
    link = next(w for w in message.text.split() if "start=" in w)
    return link.split("start=", 1)[1]

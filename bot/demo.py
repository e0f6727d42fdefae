"""`duban demo`: a month in a supervision office, with no Telegram account.

The real bot runs against the project's own Bot API emulator, on a simulated clock, with a
scripted office: a supervisor, a leader, liaisons of four units (a fifth unit never registers).
The script prints the conversation as it happens and leaves the database, the ledger, the
chart, a letter, screenshots of the web ledger (phone and desktop, where Chromium is there)
and a login link for reading it with `duban web` in the folder it names. It can be run again
and again: a folder a previous demo left is emptied first (and the demo says so); a folder
holding anything else is refused.
"""

from __future__ import annotations

import html
import logging
import re
import shutil
import socket
from dataclasses import replace
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import SecretStr

from bot import browser, demo_script, leader_channel, ledger_xlsx, letter_docx, scheduler, services
from bot.app import build_application
from bot.app import start as start_bot
from bot.app import stop as stop_bot
from bot.clock import FakeClock, SystemClock
from bot.revisit_tick import ask_due_revisits
from bot.settings import Settings
from domain import queries, registration, unit_import
from domain.models import Role
from domain.office import Office
from storage.db import Database
from tgemu import Emulator, EmuUser
from web import auth

TZ = ZoneInfo("Asia/Shanghai")
TOKEN = "700000001:DEMO_" + "x" * 30
CHANNEL = -1009000
UNITS = """名称,简称,类型
市住房和城乡建设局,住建局,部门
市交通运输局,交通局,部门
市生态环境局,环境局,部门
市教育局,教育局,部门
甲区委,甲区,下级党委政府
"""
MARK = ".duban-demo"  # written into the output folder: a folder with it may be emptied
SEND_METHODS = {"sendMessage", "sendDocument", "sendPhoto", "editMessageText"}
WEB_PORT = 8080  # where the left link points: `duban web` on the demo's database
LINK_FILE = "网页台账登录链接.txt"


class Narrator:
    """Prints what people say and what the bot sends, in order, as a chat transcript."""

    def __init__(self, emu: Emulator, clock: FakeClock) -> None:
        self.emu, self.clock = emu, clock
        self.names: dict[int, str] = {CHANNEL: "领导通报频道"}
        self.seen = 0

    def say(self, who: EmuUser, text: str) -> None:
        self.flush()
        print(f"{self.clock.now():%m-%d %H:%M}  {self.names[who.id]} ▸ {text}")

    def note(self, text: str) -> None:
        self.flush()
        print(f"\n—— {text} ——")

    def flush(self) -> None:
        for call in self.emu.calls[self.seen :]:
            if call.method in SEND_METHODS and call.ok and call.method != "editMessageText":
                chat = int(call.params.get("chat_id", 0))
                body = _plain(call.params.get("text") or call.params.get("caption") or "")
                if call.method != "sendMessage":
                    body = f"[文件] {body}".strip()
                lines = body.splitlines() or [""]
                head = f"{'':11}督办助手 → {self.names.get(chat, chat)}："
                print(head + lines[0][:80])
                for line in lines[1:6]:
                    print(" " * 13 + line[:80])
                if len(lines) > 6:
                    print(" " * 13 + "……")
        self.seen = len(self.emu.calls)


def _plain(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", str(text)))


class Demo:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.clock = FakeClock(datetime(2026, 11, 2, 9, 0, tzinfo=TZ))
        self.emu = Emulator(bot_username="duban_demo_bot", clock=self.clock)
        self.narrator = Narrator(self.emu, self.clock)
        self.people: dict[str, EmuUser] = {}

    async def start(self) -> None:
        await self.emu.start()
        self.settings = Settings(
            token=SecretStr(TOKEN),
            db=self.folder / "duban.db",
            api_url=self.emu.base_url,
            file_url=self.emu.base_file_url,
            leader_chat=CHANNEL,
            tick_seconds=0,
            office_name="市委督查室",
            web_port=_free_port(),  # the bot serves its web ledger, as `duban run` would
        )
        self.db = await Database(self.settings.db).open()
        self.app = build_application(self.settings, self.db, self.clock, rate_limit=False)
        # the channel exists before the bot checks that it can post there (no stray warning)
        self.emu.group(CHANNEL, "领导通报频道", type="channel")
        # no flood limits in the emulator here: let the month's pushes go out at once
        await start_bot(self.app, poll_timeout=1)

    async def stop(self) -> None:
        self.narrator.flush()
        await stop_bot(self.app)
        await self.db.close()
        await self.emu.stop()

    @property
    def office(self) -> Office:
        return services.of(self.app).office

    def person(self, key: str, user_id: int, name: str) -> EmuUser:
        user = self.emu.user(user_id, name)
        self.people[key] = user
        self.narrator.names[user_id] = name
        return user

    async def act(
        self, who: str, text: str, expect: str | None = None, press: bool = False
    ) -> None:
        """Someone types (or presses a button); wait for the bot's answer when one is named."""
        user = self.people[who]
        if press:  # the button may still be on its way (e.g. a card sent after a reply)
            await self.emu.wait_until(
                lambda: any(text in m.button_texts for m in user.inbox if not m.deleted), 10
            )
        self.narrator.say(user, f"[{text}]" if press else text)
        await (user.press(text) if press else user.send(text))
        if expect:
            await user.expect(expect, timeout=10)
        else:
            await user.settle(quiet=0.05)
        await self.flush()  # what the action told others shows under it, as it would arrive

    async def send_file(self, who: str, data: bytes, name: str, expect: str) -> None:
        user = self.people[who]
        self.narrator.say(user, f"[文件] {name}")
        await user.send_document(data, name)
        await user.expect(expect, timeout=10)

    async def register(self, key: str, code: str, name: str, title: str, phone: str) -> None:
        await self.act(key, f"/start {code}", "姓名")
        await self.act(key, name, "职务")
        await self.act(key, title, "手机")
        await self.act(key, phone, "请核对")
        await self.act(key, "确认", "注册成功", press=True)

    async def deliver(self) -> None:
        """Run the due tick and send what it queued (the scheduler's job, on demand)."""
        await scheduler.tick(self.app)
        await ask_due_revisits(self.app)
        await self.flush()

    async def flush(self) -> None:
        """Let the sender finish what it has queued, so the transcript reads in order."""
        sender = services.of(self.app).sender
        if sender is not None:
            await sender.drain()
        await self.emu.settle(quiet=0.05)

    async def day(self, when: datetime) -> None:
        self.clock.set(when)
        self.narrator.note(f"{when:%Y年%m月%d日 %H:%M}")
        await self.deliver()

    async def working_days(self, until: datetime, at: time = time(10, 0)) -> None:
        day = self.clock.today() + timedelta(days=1)
        while day <= until.date():
            if self.office.calendar.is_workday(day):
                await self.day(datetime.combine(day, at, tzinfo=TZ))
            day += timedelta(days=1)

    async def keep_documents(self) -> None:
        """The first letter as DOCX and the month's chart as PNG, beside the database."""
        svc = services.of(self.app)
        item = await queries.get_item(self.office, 1)
        serial = self.office.serial_label(item)
        data = letter_docx.build(
            svc.render,
            item,
            serial,
            self.settings.office_name,
            (item.approved_at or self.office.now())[:10],
        )
        (self.folder / f"督办函_{serial}.docx").write_bytes(data)
        chart_path = await leader_channel.monthly_chart(svc, self.clock.now())
        if chart_path is not None:
            (self.folder / "月度通报图表.png").write_bytes(chart_path.read_bytes())

    async def keep_web_pages(self) -> None:
        """The month's 台账 as the supervisor opens it from /web, photographed in Chromium at a
        phone's and a desktop's width; without a browser, one line says so."""
        self.narrator.note("督查员在浏览器中打开网页台账")
        await self.act("sup", "/web", "网页台账")
        answer = self.people["sup"].last
        if answer is None:  # act() waited for it
            raise RuntimeError("/web was not answered")
        link = next(w for w in answer.text.split() if "/login/" in w)
        try:
            async with browser.chromium() as chromium:
                page = await (await chromium.new_context()).new_page()
                await page.goto(link)
                await page.wait_for_url("**/ledger")
                await browser.screenshots(page, self.folder, "网页台账")
        except browser.NoBrowser as exc:
            print(f"未生成网页台账截图：{exc}")

    async def leave_login_link(self) -> None:
        """A fresh link for reading this database afterwards: issued on the real clock (the
        demo's own clock is a month away), good for ten minutes, once."""
        office = replace(self.office, clock=SystemClock(TZ))
        supervisor = await office.person(self.people["sup"].id)
        assert supervisor is not None
        token = await auth.issue_link(office, supervisor)
        minutes = auth.LINK_TTL // 60
        (self.folder / LINK_FILE).write_text(
            "在本目录运行网页台账（只读）：\n"
            f"  DUBAN_DB=duban.db DUBAN_WEB_PORT={WEB_PORT} duban web\n"
            f"然后在{minutes}分钟内用浏览器打开（只能使用一次，以督查员{supervisor.name}的身份登录）：\n"
            f"  http://127.0.0.1:{WEB_PORT}/login/{token}\n",
            encoding="utf-8",
        )
        print(f"\n网页台账的登录方法（{minutes}分钟内有效）见输出目录中的 {LINK_FILE}。")

    async def setup_office(self) -> None:
        self.narrator.note("督查室开始使用督办助手：导入单位，邀请督查员和领导")
        path = self.folder / "单位名单.csv"
        path.write_text(UNITS, encoding="utf-8")
        await unit_import.import_units(self.office, path)
        self.person("sup", 1001, "督查员王明")
        self.person("leader", 2001, "赵书记")
        code, _ = await registration.create_invite(self.office, None, Role.SUPERVISOR)
        await self.register("sup", code, "王明", "督查室副主任", "13800000001")
        code, _ = await registration.create_invite(self.office, None, Role.LEADER)
        await self.register("leader", code, "赵刚", "市委副书记", "13800000002")
        for key, uid, name, unit in (
            ("zj", 3001, "住建局联络员李华", "住建局"),
            ("jt", 3002, "交通局联络员张强", "交通局"),
            ("hj", 3003, "环境局联络员陈静", "环境局"),
            ("jy", 3004, "教育局联络员刘洋", "教育局"),
        ):
            self.person(key, uid, name)
            await self.act("sup", f"/invite {unit}", "请选择邀请的身份")
            await self.act("sup", "主联络员", "邀请链接已生成", press=True)
            link = (await self.people["sup"].expect("邀请链接已生成")).text  # since the press
            code = next(w for w in link.split() if "start=" in w).split("start=", 1)[1]
            await self.register(key, code, name[-2:], "办公室主任", f"1390000{uid}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FolderInUse(Exception):
    """The output folder holds files the demo did not write: it will not delete them."""


def prepare(folder: Path) -> None:
    """A clean folder for this run: empty or new, or one a previous demo left (emptied)."""
    if folder.is_dir() and any(folder.iterdir()):
        earlier = (folder / MARK).exists() or (
            (folder / "duban.db").exists() and (folder / "单位名单.csv").exists()
        )
        if not earlier:
            raise FolderInUse(f"目录 {folder} 不是空目录，也不是演示目录；请换一个目录。")
        print(f"输出目录 {folder} 是上次演示留下的，已清空，重新开始。")
        for entry in folder.iterdir():
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARK).write_text("duban demo output; `duban demo` empties this folder\n")


async def run(folder: Path) -> Path:
    prepare(folder)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    demo = Demo(folder)
    await demo.start()
    try:
        await demo.setup_office()
        await demo_script.month(demo)
        await ledger_xlsx.write(demo.office, folder / "督办台账.xlsx")
        await demo.keep_documents()
        await demo.keep_web_pages()
        await demo.leave_login_link()
    finally:
        await demo.stop()
    return folder

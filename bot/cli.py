"""`duban` — set up the office and run the bot.

    duban init                      create the database and apply migrations
    duban units import FILE         load units from CSV/XLSX (all rows or none)
    duban supervisor invite         one-time link for a supervisor
    duban leader invite             one-time link for a leader
    duban tasks import FILE.xlsx    load the year's 大事要事 plan (all rows or none)
    duban tasks template [FILE]     write the sample plan sheet to fill in
    duban run                       run the bot (long polling)
    duban backup [DIR]              back up the database and attachments now
    duban restore BACKUP            put a backup in place of the database (bot stopped)
    duban status                    how the bot is doing; exit 1 when a person is needed
    duban web                       serve the read-only web ledger alone (DUBAN_WEB_PORT)

Every command reads the same settings (duban.toml, DUBAN_* environment). Errors are one clear
line on stderr and a non-zero exit, never a traceback. Only `init` creates the database: any
other command refuses a missing one, so a mistyped DUBAN_DB is not an empty office.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from pathlib import Path

from telegram import Bot
from telegram.error import TelegramError

from bot import failures, logs, plan_template
from bot import settings as settings_mod
from bot.clock import SystemClock
from bot.render import Renderer
from bot.settings import Settings, SettingsError
from domain import registration, unit_import
from domain.errors import Refusal
from domain.models import Role
from domain.plan import actions as plan
from domain.plan import sheet as plan_sheet
from domain.workdays import HolidayFileError
from handlers.notify import fix_letters
from storage import meta
from storage.db import Database

log = logging.getLogger("duban")


class CliError(Exception):
    pass


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="duban", description="督办助手")
    p.add_argument("--config", type=Path, help="配置文件（默认 ./duban.toml）")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("init", help="创建数据库")
    units = sub.add_parser("units", help="单位管理").add_subparsers(dest="action", required=True)
    imp = units.add_parser("import", help="从 CSV/XLSX 导入单位")
    imp.add_argument("file", type=Path)
    for role in ("supervisor", "leader"):
        inv = sub.add_parser(role, help=f"{Role(role).label}邀请").add_subparsers(
            dest="action", required=True
        )
        inv.add_parser("invite", help="生成一次性邀请链接")
    tasks = sub.add_parser("tasks", help="大事要事计划").add_subparsers(
        dest="action", required=True
    )
    timp = tasks.add_parser("import", help="从 XLSX 导入大事要事计划（整表校验，全部或不导入）")
    timp.add_argument("file", type=Path)
    tpl = tasks.add_parser("template", help="生成计划表模板")
    tpl.add_argument("file", type=Path, nargs="?", default=Path("大事要事计划表模板.xlsx"))
    sub.add_parser("run", help="运行机器人")
    sub.add_parser("web", help="单独运行网页台账（只读，需设置 DUBAN_WEB_PORT）")
    backup = sub.add_parser("backup", help="立即备份数据库和附件")
    backup.add_argument("dir", type=Path, nargs="?", help="备份目录（默认 DUBAN_BACKUP_DIR）")
    restore = sub.add_parser("restore", help="从备份恢复数据库和附件（须先停止机器人）")
    restore.add_argument("file", type=Path, help="备份文件夹或其中的 duban.db")
    sub.add_parser("status", help="运行状况（需要人工处理时退出码为 1）")
    export = sub.add_parser("export", help="导出督办台账（XLSX）")
    export.add_argument("file", type=Path, nargs="?", default=Path("督办台账.xlsx"))
    demo = sub.add_parser("demo", help="不需要 Telegram 账号的演示：模拟一个月的督办工作")
    demo.add_argument(
        "folder", type=Path, nargs="?", default=Path("demo-out"), help="输出目录（默认 ./demo-out）"
    )
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    level = logging.INFO if args.command in ("run", "web") else logging.WARNING
    logs.setup(level, None)  # until the settings say the office's zone and the token
    settings = None
    try:
        settings = settings_mod.load(args.config)
        logs.setup(level, settings.zone, [settings.token.get_secret_value()], settings.log_file)
        return asyncio.run(dispatch(args, settings))
    except (SettingsError, CliError, HolidayFileError) as exc:
        return fail(str(exc), settings, 2)
    except (unit_import.ImportError_, plan_sheet.PlanError) as exc:
        print("导入失败，未做任何修改：", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the surroundings (disk, database file, network) or a bug
        line = failures.explain(exc, settings) if settings else None
        if line is None:
            log.critical("unexpected error", exc_info=exc)  # through the redacting handler
            line = "意外错误，详情见上方日志；请把日志（已隐去令牌）发给维护人员。"
        return fail(line, settings, 1)


def fail(line: str, settings: Settings | None, code: int) -> int:
    """The one line on stderr for a failed command, never with the token in it."""
    secrets = [settings.token.get_secret_value()] if settings else []
    print(f"错误：{logs.RedactToken(secrets).redact(line)}", file=sys.stderr)
    return code


async def dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "demo":
        from bot import demo

        await _refuse_leased(settings, args.folder / "duban.db", "演示输出目录中的数据库")
        try:
            await demo.run(args.folder)
        except demo.FolderInUse as exc:
            raise CliError(str(exc)) from None
        print(f"\n演示完成。数据库、台账、图表和督办函在：{args.folder.resolve()}")
        return 0
    if args.command == "tasks" and args.action == "template":  # a file to fill in: no database
        plan_template.write_template(args.file, SystemClock(settings.zone).today().year)
        print(f"模板已生成：{args.file}（“填写说明”页解释了每一列）")
        return 0
    if args.command == "restore":  # may put a backup where no database is yet
        await restore_command(settings, args.file)
        return 0
    if args.command != "init" and not settings.db.exists():  # opening would create it, empty
        raise CliError(f"数据库 {settings.db} 不存在，请先运行 duban init 或检查 DUBAN_DB。")
    if args.command == "run":
        await run(settings)
        return 0
    if args.command == "status":
        return await status_command(settings)
    if args.command == "web":
        await web_alone(settings)
        return 0
    async with Database(settings.db) as db:
        svc = _services(settings, db)
        office = svc.office
        if args.command == "init":
            print(f"数据库已就绪：{settings.db}")
        elif args.command == "backup":
            await backup_command(settings, db, args.dir)
        elif args.command == "export":
            from bot import ledger_xlsx

            if args.file.resolve() == settings.db.resolve():
                raise CliError(f"不能导出到数据库文件本身：{args.file}，请换一个文件名。")
            await ledger_xlsx.write(office, args.file)
            print(f"台账已导出：{args.file}")
        elif args.command == "tasks":
            await tasks_command(args, svc)
        elif args.command == "units":
            created, updated = await unit_import.import_units(office, args.file)
            print(f"导入完成：新增 {created} 个单位，更新 {updated} 个单位。")
        else:
            role = Role(args.command)
            username = await bot_username(settings, db)
            code, invitation = await registration.create_invite(office, None, role)
            expires = invitation.expires_at[:16].replace("T", " ")
            print(f"{role.label}邀请链接（一次性，有效期至 {expires}）：")
            print(f"https://t.me/{username}?start={code}")
    return 0


async def tasks_command(args: argparse.Namespace, svc) -> None:
    if not args.file.is_file():
        raise CliError(f"文件不存在：{args.file}")
    try:
        done = await plan.load_sheet(svc.office, None, args.file, then=fix_letters(svc))
    except Refusal as exc:
        raise CliError(Renderer().refusal(exc)) from None
    print(
        f"导入完成：任务新增 {done.tasks_new} 项、更新 {done.tasks_updated} 项；"
        f"目标新增 {done.targets_new} 个、更新 {done.targets_updated} 个、"
        f"未变 {done.unchanged} 个。"
    )
    if done.opened:
        print(f"已排队下发 {len(done.opened)} 份督办函/任务书，机器人运行时依次发送。")
    if done.late:
        print(f"{len(done.late)}个目标已过期限，将从今日起按逾期跟踪：{'、'.join(done.late)}。")
    if done.passed:
        print(f"{len(done.passed)}个节点日期已过，以报送的完成量为准：{'；'.join(done.passed)}。")
    if done.waiting_units:
        print(f"尚无联络员、待其注册后送达的单位：{'、'.join(done.waiting_units)}")


async def backup_command(settings: Settings, db: Database, into: Path | None) -> None:
    from bot import backup
    from storage import backup as backups

    clock = SystemClock(settings.zone)
    made = await backup.make(settings, clock.now(), into or settings.backup_path, create=True)
    async with db.transaction() as conn:
        await backups.record(conn, clock.now().isoformat(timespec="seconds"), made.path, made.size)
    print(f"备份完成：{made.path}（{made.size / 1024 / 1024:.1f} MB）")


async def restore_command(settings: Settings, source: Path) -> None:
    from bot import restore

    try:
        done = await restore.restore(settings, source, SystemClock(settings.zone).now())
    except restore.Refused as exc:
        raise CliError(str(exc)) from None
    print(f"已恢复数据库：{done.db}")
    if done.attachments is not None:
        print(f"已恢复附件：{done.attachments}")
    for path in done.aside:
        print(f"原文件已改名保留：{path}")


async def status_command(settings: Settings) -> int:
    """Print the status; 1 when something needs a person, so a monitor can act on it."""
    from bot import status
    from domain.workdays import WorkdayCalendar

    calendar = WorkdayCalendar.from_file(settings.holiday_file)
    now = SystemClock(settings.zone).now()
    async with Database(settings.db) as db:
        shown, alarms = await status.report(
            db, now, calendar, settings.work_hours, settings.lease_seconds
        )
    print(Renderer(settings.template_dir).plain("status", **shown))  # a terminal: no entities
    return 1 if alarms else 0


async def _refuse_leased(settings: Settings, path: Path, what: str) -> None:
    from bot.lease_keeper import describe, live_holder

    held = await live_holder(path, SystemClock(settings.zone), settings.lease_seconds)
    if held is not None:
        raise CliError(f"{what} {path} 正被运行中的机器人使用（{describe(held, settings.zone)}）。")


def _services(settings: Settings, db: Database):
    from bot.app import make_office

    return make_office(settings, db, SystemClock(settings.zone), Renderer(settings.template_dir))


async def bot_username(settings: Settings, db: Database) -> str:
    """From settings, else as the bot last reported it, else ask Telegram (getMe)."""
    if settings.bot_username:
        return settings.bot_username
    async with db.read() as conn:
        known = await meta.get(conn, "bot_username")
    if known:
        return known
    bot = Bot(settings.require_token(), base_url=settings.api_url)
    try:
        async with bot:
            username = bot.username
    except TelegramError as exc:
        raise CliError(
            f"获取机器人用户名失败。{failures.telegram(exc, settings)}"
            "（也可设置 DUBAN_BOT_USERNAME 跳过这一步。）"
        ) from None
    async with db.transaction() as conn:
        await meta.put(conn, "bot_username", username)
    return username


async def run(settings: Settings) -> None:
    from bot.app import build_application
    from bot.app import start as start_bot
    from bot.app import stop as stop_bot

    settings.require_token()
    stopped = asyncio.Event()
    async with Database(settings.db) as db, await _lease(settings, db, stopped) as keeper:
        app = build_application(settings, db)
        app.bot_data["lease_holder"] = keeper.me.holder  # the sender checks it on every send
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stopped.set)
        try:
            await start_bot(app)
            try:
                async with db.transaction() as conn:
                    await meta.put(conn, "bot_username", app.bot.username)
                log.info("督办助手 is running; Ctrl+C to stop")
                await stopped.wait()
            finally:
                await stop_bot(app)
        except TelegramError as exc:
            raise CliError(failures.telegram(exc, settings)) from None
    if keeper.lost:
        raise CliError("本数据库的运行租约已被另一进程接管，本进程已停止发送。")


async def web_alone(settings: Settings) -> None:
    """`duban web`: the ledger alone, for a desk machine reading the bot's database."""
    from web.app import create_app, serve

    if not settings.web_port:
        raise CliError("请先设置 DUBAN_WEB_PORT（例如 8080），再运行 duban web。")
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopped.set)
    async with Database(settings.db) as db:
        svc = _services(settings, db)
        ledger = create_app(svc.office, settings, svc.render)
        runner = await serve(ledger, settings.web_host, settings.web_port)
        print(f"网页台账已启动：{settings.web_base}（Ctrl+C 停止）", flush=True)
        try:
            await stopped.wait()
        finally:
            await runner.cleanup()


async def _lease(settings: Settings, db: Database, stopped: asyncio.Event):
    """The database's lease for this run, or one line naming the process that holds it."""
    from bot.lease_keeper import LeaseHeld, LeaseKeeper, describe

    keeper = LeaseKeeper(db, SystemClock(settings.zone), settings.lease_seconds, stopped)
    try:
        await keeper.take()
    except LeaseHeld as exc:
        raise CliError(
            f"数据库 {settings.db} 已有机器人在运行（{describe(exc.lease, settings.zone)}），"
            "同一数据库只能运行一个 duban run。"
        ) from None
    return keeper


if __name__ == "__main__":
    raise SystemExit(main())

"""Daily backups: a consistent copy of the database and the attachments, kept for years.

One backup is one folder named by the office's date and time (`2026-11-24_180000/`) holding
`duban.db` and `attachments/`. It is written under a hidden `.partial` name and renamed at the
end, so a half-written backup never looks complete. The tick asks `run_due()` every time; the
decision ("a working day, past backup_time, nothing tried since") reads the database, so a
restart neither skips nor repeats the day's backup. A failure is logged in one line and told to
the supervisors once, through the outbox, and the bot carries on.
"""

from __future__ import annotations

import asyncio
import logging
import re
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from telegram.ext import Application

from bot import failures, services
from bot.settings import Settings
from domain.models import Role
from storage import backup as backups
from storage import outbox, people
from storage.outbox import Push

log = logging.getLogger(__name__)
NAME = "%Y-%m-%d_%H%M%S"
NAMED = re.compile(r"^\d{4}-\d{2}-\d{2}_\d{6}$")
DB_NAME, ATTACHMENTS = "duban.db", "attachments"


@dataclass(frozen=True)
class Made:
    path: Path
    size: int  # bytes, database and attachments together


async def make(settings: Settings, now: datetime, into: Path, create: bool = False) -> Made:
    """Write one backup into `into`. The default folder is created; a configured one must
    exist (a missing mount must fail, not fill the system disk). `create` is for a folder the
    person named on the command line."""
    if not (create or into.is_dir()):
        raise FileNotFoundError(2, "no such folder", str(into))
    return await asyncio.to_thread(_write, settings.db, settings.attachments_path, into, now)


def _write(db: Path, attachments: Path, into: Path, now: datetime) -> Made:
    name = now.strftime(NAME)
    final, partial = into / name, into / f".{name}.partial"
    into.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    try:
        backups.copy_database(db, partial / DB_NAME)
        if attachments.is_dir():
            shutil.copytree(attachments, partial / ATTACHMENTS)
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return Made(final, sum(f.stat().st_size for f in final.rglob("*") if f.is_file()))


def kept(names: list[str], daily: int, monthly: int) -> set[str]:
    """The newest backup of each of the last `daily` days and of the last `monthly` months."""
    keep: set[str] = set()
    for width, count in ((10, daily), (7, monthly)):  # "YYYY-MM-DD", "YYYY-MM"
        periods: set[str] = set()
        for name in sorted(names, reverse=True):
            if name[:width] not in periods and len(periods) < count:
                periods.add(name[:width])
                keep.add(name)
    return keep


def prune(folder: Path, daily: int, monthly: int, today: str) -> list[str]:
    """Delete backups the retention does not keep, and partial ones left by an earlier day."""
    names = [p.name for p in folder.iterdir() if p.is_dir() and NAMED.match(p.name)]
    gone = sorted(set(names) - kept(names, daily, monthly))
    gone += [p.name for p in folder.glob(".*.partial") if p.name[1:11] < today]
    for name in gone:
        shutil.rmtree(folder / name)
    return gone


async def run_due(app: Application) -> Made | None:
    """The day's backup, when one is due; a failure is told, never raised."""
    svc = services.of(app)
    office, settings = svc.office, svc.settings
    now = office.clock.now()
    start = datetime.combine(now.date(), settings.backup_time, tzinfo=now.tzinfo)
    if now < start or not office.calendar.is_workday(now.date()):
        return None
    async with office.db.read() as conn:
        last = await backups.last_attempt(conn)
    if last is not None and last >= start:
        return None
    folder = settings.backup_path
    try:
        made = await make(settings, now, folder, create=settings.backup_dir is None)
        keep = (settings.backup_keep_daily, settings.backup_keep_monthly)
        await asyncio.to_thread(prune, folder, *keep, now.date().isoformat())
    except (OSError, sqlite3.Error) as exc:
        await _failed(app, reason(exc, settings), folder)
        return None
    async with office.db.transaction() as conn:
        await backups.record(conn, office.now(), made.path, made.size)
    log.info("backup written: %s (%d bytes)", made.path, made.size)
    return made


def reason(exc: BaseException, settings: Settings) -> str:
    """Why a backup failed, in the office's words."""
    if isinstance(exc, FileNotFoundError):
        return f"备份目录不存在：{exc.filename}，请创建该目录或修改 DUBAN_BACKUP_DIR。"
    return failures.explain(exc, settings) or f"{type(exc).__name__}: {exc}"


async def _failed(app: Application, why: str, folder: Path) -> None:
    """One log line, one message to each supervisor (keyed by the day), and no retry today."""
    svc = services.of(app)
    office = svc.office
    stamp, day = office.now(), office.clock.today().isoformat()
    log.error("backup failed: %s", why)
    async with office.db.transaction() as conn:
        await backups.record_failure(conn, stamp)
        for p in await people.with_role(conn, Role.SUPERVISOR):
            push = Push(
                f"backup_failed:{day}:sup{p.id}",
                "backup_failed",
                "push_backup_failed",
                stamp,
                person_id=p.id,
                chat_id=p.chat_id,
                context={"day": day, "reason": why, "folder": str(folder)},
            )
            await outbox.add(conn, push, stamp)
    svc.wake_sender()

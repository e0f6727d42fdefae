"""`duban restore FILE`: put a backup back in place of the office's database and attachments.

Everything is checked before anything is touched: the backup must pass PRAGMA integrity_check,
its schema must not be newer than this code, and no running bot may hold the database (a bot
writing to a file being replaced would lose the restore or the office's work). The replaced
files are renamed aside with a timestamp, never deleted.
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.backup import ATTACHMENTS, DB_NAME
from bot.settings import Settings
from storage import backup as backups
from storage import lease
from storage.db import code_version
from storage.lease import Verdict


class Refused(Exception):
    """Why the restore was not done, in one line; nothing was changed."""


@dataclass(frozen=True)
class Restored:
    db: Path
    attachments: Path | None  # None when the backup held no attachments
    aside: tuple[Path, ...]  # the replaced files, renamed


async def restore(settings: Settings, source: Path, now: datetime) -> Restored:
    db_file = source / DB_NAME if source.is_dir() else source
    await asyncio.to_thread(_check, db_file, settings.db)
    await _refuse_held(settings, now)
    stamp = now.strftime("%Y%m%d-%H%M%S")
    return await asyncio.to_thread(_replace, db_file, db_file.parent / ATTACHMENTS, settings, stamp)


def _check(db_file: Path, target: Path) -> None:
    if not db_file.is_file():
        raise Refused(f"找不到备份文件：{db_file}")
    if target.exists() and db_file.resolve() == target.resolve():
        raise Refused(f"备份文件就是当前数据库 {target}，无需恢复。")
    try:
        health = backups.health(db_file)
    except sqlite3.DatabaseError as exc:
        raise Refused(f"备份 {db_file} 已损坏或不是数据库（{exc}），未做任何修改。") from None
    if health.problems:
        raise Refused(
            f"备份 {db_file} 已损坏，完整性检查未通过（{health.problems[0]}），未做任何修改。"
        )
    if health.too_new:
        raise Refused(
            f"备份 {db_file} 的数据库版本（{health.version}）比本程序支持的（{code_version()}）新："
            "请先升级督办助手再恢复。"
        )


async def _refuse_held(settings: Settings, now: datetime) -> None:
    from bot.lease_keeper import describe

    held = await backups.holder(settings.db)
    verdict = lease.judge(held, int(now.timestamp()), settings.lease_seconds)
    if held is not None and verdict is Verdict.HELD:
        raise Refused(
            f"数据库 {settings.db} 正被运行中的机器人使用（{describe(held, settings.zone)}）："
            "请先停止 duban run 再恢复。"
        )


def _replace(db_file: Path, attachments: Path, settings: Settings, stamp: str) -> Restored:
    """Stage the copies beside their targets first, then swap them in with renames."""
    db, folder = settings.db, settings.attachments_path
    db.parent.mkdir(parents=True, exist_ok=True)
    staged_db = db.with_name(f"{db.name}.restoring")
    backups.copy_database(db_file, staged_db, drop_lease=True)
    staged_folder = None
    if attachments.is_dir():
        staged_folder = folder.with_name(f"{folder.name}.restoring")
        shutil.rmtree(staged_folder, ignore_errors=True)
        shutil.copytree(attachments, staged_folder)
    aside = []
    kept_as = db.with_name(f"{db.name}.before-restore-{stamp}")
    for suffix in ("", "-wal"):  # the journal goes with its database
        old = Path(f"{db}{suffix}")
        if old.exists():
            aside.append(old.rename(f"{kept_as}{suffix}"))
    Path(f"{db}-shm").unlink(missing_ok=True)  # an index of the journal, rebuilt on open
    staged_db.replace(db)
    if folder.exists():
        aside.append(folder.rename(folder.with_name(f"{folder.name}.before-restore-{stamp}")))
    if staged_folder is not None:
        staged_folder.rename(folder)
    return Restored(db, folder if staged_folder else None, tuple(aside))

"""Backups that restore: made by the running bot during a fan-out, restored by `duban restore`."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from bot import backup
from domain.models import Role
from storage import outbox
from storage.outbox import Push
from tests.e2e.conftest import TZ, Office
from tests.e2e.processes import duban, read_only
from tests.e2e.steps import answer, signed_item
from tests.emulator.support import PNG

LEDGER = ("items", "reports", "audit", "attachments")


async def report_with_files(office, staffed) -> None:
    """A signed item and a progress report carrying a document and a photo."""
    zj = staffed["zj"]
    await signed_item(office, staffed)
    await zj.send("/report")
    await answer(
        zj,
        ("send", "已完成32个小区外墙改造", "完成进度"),
        ("send", "30%", "困难和问题"),
        ("press", "无", "下步打算"),
        ("send", "继续推进", "附件"),
    )
    await zj.send_document(b"%PDF-1.4 test", filename="进度表.pdf", mime_type="application/pdf")
    await zj.expect("共1个")
    await zj.send_photo(PNG)
    await zj.expect("共2个")
    await answer(zj, ("press", "完成", "请核对"), ("press", "提交", "已报送进展"))


async def fan_out(office, n: int) -> list[int]:
    """Queue `n` notices to everyone registered and wake the sender; returns their ids."""
    stamp = office.office.now()
    chats = await office.rows("SELECT id, chat_id FROM people ORDER BY id")
    pushes = [
        Push(f"fan:{i}", "fan", "cancelled", stamp, person_id=p["id"], chat_id=p["chat_id"])
        for i in range(n)
        for p in chats
    ]
    async with office.db.transaction() as conn:
        await outbox.add_many(conn, pushes, stamp)
    office.app.bot_data["services"].wake_sender()
    return [r["id"] for r in await office.rows("SELECT id FROM outbox ORDER BY id")]


def table(path: Path, name: str) -> list[tuple]:
    db = sqlite3.connect(path)
    try:
        return db.execute(f"SELECT * FROM {name} ORDER BY id").fetchall()
    finally:
        db.close()


@pytest.mark.slow
async def test_backup_during_fan_out_restores_everything(office, staffed, tmp_path):
    await report_with_files(office, staffed)
    office.clock.set(datetime(2026, 11, 24, 18, 30, tzinfo=TZ))  # a Tuesday, after 18:00
    queued = await fan_out(office, 40)
    before = {name: table(office.settings.db, name) for name in LEDGER}
    made = await backup.run_due(office.app)  # while the sender is sending
    assert made is not None and made.path.name == "2026-11-24_183000"
    assert await backup.run_due(office.app) is None  # once a day
    await office.drain()
    assert await office.scalar("SELECT value FROM meta WHERE key = 'backup_last_path'") == str(
        made.path
    )
    assert all(before[name] for name in LEDGER)
    assert len(before["attachments"]) == 2

    elsewhere = tmp_path / "restored"
    elsewhere.mkdir()
    code, out, err = await duban(elsewhere, "restore", str(made.path))
    assert code == 0, err
    restored = elsewhere / "duban.db"
    for name in LEDGER:
        assert table(restored, name) == before[name], name
    assert [r[0] for r in table(restored, "outbox")] == queued
    assert table(restored, "lease") == []  # a restored database belongs to no process
    for row in await office.rows("SELECT local_path FROM attachments"):
        kept = Path(row["local_path"])
        copy = elsewhere / "attachments" / kept.relative_to(office.settings.attachments_path)
        assert copy.read_bytes() == kept.read_bytes()

    code, out, err = await duban(elsewhere, "restore", str(made.path / "duban.db"))
    assert code == 0, err
    assert "原文件已改名保留" in out
    assert sorted(p.name for p in elsewhere.glob("*.before-restore-*")) == [
        next(p.name for p in elsewhere.glob("attachments.*")),
        next(p.name for p in elsewhere.glob("duban.db.*")),
    ]


async def test_failed_backup_tells_supervisors_once(office, staffed, caplog):
    sup = staffed["sup"]
    folder = office.settings.backup_path
    folder.mkdir()
    office.clock.set(datetime(2026, 11, 24, 18, 30, tzinfo=TZ))
    with read_only(folder):
        assert await backup.run_due(office.app) is None
        office.clock.advance(minutes=30)
        assert await backup.run_due(office.app) is None  # not retried (nor told) again today
        await office.restart()
        assert await backup.run_due(office.app) is None
    assert sum("backup failed" in r.getMessage() for r in caplog.records) == 1
    assert list(folder.iterdir()) == []  # no half-written backup left behind

    office.clock.set(datetime(2026, 11, 25, 9, 30, tzinfo=TZ))  # told in working hours
    await office.drain()
    told = [m for m in sup.inbox if "备份失败" in m.text]
    assert len(told) == 1 and "没有权限写入" in told[0].text
    await sup.send("/units")  # the bot carries on
    await sup.expect("市住房和城乡建设局")

    office.clock.set(datetime(2026, 11, 25, 18, 5, tzinfo=TZ))
    assert await backup.run_due(office.app) is not None  # the next day's backup is made


async def test_a_missing_backup_folder_is_not_created_but_told(tmp_path, emu, clock):
    """A configured folder (a mounted disk, say) that is absent must not fill the system disk."""
    mount = tmp_path / "mnt" / "backups"
    office = Office(tmp_path, emu, clock, backup_dir=mount)
    await office.start()
    try:
        sup = emu.user(101, "督查员王")
        await office.register(sup, await office.cli_invite(Role.SUPERVISOR), "王督查")
        office.clock.set(datetime(2026, 11, 24, 18, 30, tzinfo=TZ))
        assert await backup.run_due(office.app) is None
        (told,) = await office.rows("SELECT context FROM outbox WHERE rule = 'backup_failed'")
        assert "备份目录不存在" in json.loads(told["context"])["reason"]
        assert not mount.exists()
    finally:
        await office.stop()


async def test_retention_over_forty_days(office):
    """Each working day's backup, 14 daily and the monthly ones kept; a restart repeats none."""
    day = date(2026, 11, 16)  # to 2026-12-25: a year whose holidays the calendar knows
    for _ in range(40):
        office.clock.set(datetime.combine(day, time(18, 1), tzinfo=TZ))
        await backup.run_due(office.app)
        if day == date(2026, 12, 15):
            await office.restart()
            assert await backup.run_due(office.app) is None
        day += timedelta(days=1)
    kept = sorted(p.name[:10] for p in office.settings.backup_path.iterdir())
    daily = [f"2026-12-{d:02}" for d in (8, 9, 10, 11, 14, 15, 16, 17, 18, 21, 22, 23, 24, 25)]
    assert kept == ["2026-11-30", *daily]  # November's last; December's is among the 14


def test_kept_is_newest_per_day_and_month():
    names = ["2026-10-30_180000", "2026-10-31_090000", "2026-11-02_180000", "2026-11-02_100000"]
    assert backup.kept(names, 1, 2) == {"2026-11-02_180000", "2026-10-31_090000"}
    assert backup.kept(names, 3, 0) == {"2026-11-02_180000", "2026-10-31_090000", names[0]}


def damaged(source: Path, target: Path) -> Path:
    """A copy of `source` whose units table no longer matches its index: a silent bit-rot."""
    target.write_bytes(source.read_bytes())
    db = sqlite3.connect(target)
    root = db.execute("SELECT rootpage FROM sqlite_schema WHERE name = 'units'").fetchone()[0]
    size = db.execute("PRAGMA page_size").fetchone()[0]
    db.close()
    data = bytearray(target.read_bytes())
    at = data.find("住房".encode(), (root - 1) * size, root * size)
    assert at > 0
    data[at : at + 6] = "土木".encode()
    target.write_bytes(data)
    return target


@pytest.mark.slow
async def test_restore_refuses_a_held_database_and_a_bad_backup(tmp_path):
    from tests.e2e.conftest import UNITS_CSV
    from tests.e2e.processes import one_clear_line

    await duban(tmp_path, "init")
    (tmp_path / "units.csv").write_text(UNITS_CSV, encoding="utf-8")
    await duban(tmp_path, "units", "import", "units.csv")
    code, out, err = await duban(tmp_path, "backup", "saved")
    assert code == 0 and "备份完成" in out, err
    (made,) = (tmp_path / "saved").iterdir()
    target = tmp_path / "office"
    target.mkdir()
    await duban(target, "init")

    too_new = tmp_path / "new.db"
    too_new.write_bytes((made / "duban.db").read_bytes())
    with sqlite3.connect(too_new) as db:
        db.execute("PRAGMA user_version = 999")
    (tmp_path / "junk.db").write_bytes(b"not a database at all" * 300)
    for source, said in (
        (damaged(made / "duban.db", tmp_path / "rot.db"), "完整性检查未通过"),
        (tmp_path / "junk.db", "已损坏或不是数据库"),
        (too_new, "请先升级督办助手"),
        (tmp_path / "missing", "找不到备份文件"),
    ):
        one_clear_line(*await duban(target, "restore", str(source)), said)

    now = int(datetime.now(TZ).timestamp())
    with sqlite3.connect(target / "duban.db") as db:
        db.execute("INSERT INTO lease VALUES (1, 'other', 4242, 'host', ?, ?)", (now, now))
    one_clear_line(*await duban(target, "restore", str(made)), "正被运行中的机器人使用")
    assert list(target.glob("*.before-restore-*")) == []
    with sqlite3.connect(target / "duban.db") as db:
        db.execute("DELETE FROM lease")
        assert db.execute("SELECT count(*) FROM units").fetchone() == (0,)
    code, out, err = await duban(target, "restore", str(made))
    assert code == 0, err
    with sqlite3.connect(target / "duban.db") as db:
        assert db.execute("SELECT count(*) FROM units").fetchone() == (4,)
    (aside,) = (p for p in target.glob("duban.db.before-restore-*") if not p.name.endswith("-wal"))
    with sqlite3.connect(aside) as db:  # the replaced database, kept whole
        assert db.execute("SELECT count(*) FROM units").fetchone() == (0,)

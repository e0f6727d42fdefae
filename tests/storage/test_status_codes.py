"""Statuses are stored as codes: migration 0011 converts a database whose rows still hold the
display labels, and the labels people read come back unchanged through Status.label."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from domain.items import Status
from storage import db as db_module
from storage import items
from storage.db import Database

# what schema 10 stored: the display label, as the office read it
OLD_LABELS = [
    "待审定",
    "已退回修改",
    "待签收",
    "办理中",
    "申请延期",
    "暂停",
    "待审核",
    "已退回补充",
    "待核查",
    "已办结",
    "回访中",
    "已撤销",
    "已登记",
]
NOW = "2026-11-24T10:00:00+08:00"


async def _schema_10(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A database left at schema 10, one item per label, a suspended item and its audit."""
    shipped = db_module._migration_files()
    monkeypatch.setattr(db_module, "_migration_files", lambda: [m for m in shipped if m[0] <= 10])
    async with Database(path) as db, db.transaction() as conn:
        assert await conn.scalar("PRAGMA user_version") == 10
        await conn.execute(
            "INSERT INTO people (id, tg_user_id, chat_id, role, name, created_at)"
            " VALUES (1, 1, 1, 'supervisor', '督查员', ?)",
            (NOW,),
        )
        for label in OLD_LABELS:
            await conn.execute(
                "INSERT INTO items (title, instruction, instructing_leader, source, category,"
                " deadline, period, status, suspended_from, created_by, created_at, updated_at)"
                " VALUES (?, '批示', '李市长', '领导批示', '批办性', '2026-12-31', '一次性', ?,"
                " ?, 1, ?, ?)",
                (label, label, "待签收" if label == "暂停" else None, NOW, NOW),
            )
        for detail in ({"status_from": "办理中", "reason": "等待上级"}, {"status": "待审定"}):
            await conn.execute(
                "INSERT INTO audit (at, person_id, action, item_id, detail) VALUES (?, 1, ?, 1, ?)",
                (NOW, "暂停", json.dumps(detail, ensure_ascii=False)),
            )
    monkeypatch.undo()


async def test_label_rows_are_migrated_to_codes_that_show_the_same_labels(tmp_path, monkeypatch):
    path = tmp_path / "duban.db"
    await _schema_10(path, monkeypatch)
    async with Database(path) as db, db.read() as conn:
        assert await conn.scalar("PRAGMA user_version") >= 11
        found = [await items.get(conn, i) for i in range(1, len(OLD_LABELS) + 1)]
        stored = {r[0] for r in await conn.all("SELECT status FROM items")}
        indexes = {r[0] for r in await conn.all("SELECT name FROM sqlite_master")}
        details = [json.loads(r[0]) for r in await conn.all("SELECT detail FROM audit")]
    assert stored <= set(Status) and len(stored) == len(OLD_LABELS)  # a code for each label
    assert [(i.title, i.status.label) for i in found] == [(x, x) for x in OLD_LABELS]
    assert all(isinstance(i.status, Status) for i in found)
    (suspended,) = [i for i in found if i.status is Status.SUSPENDED]
    assert suspended.suspended_from is Status.AWAITING_SIGN
    assert details == [
        {"status_from": "in_progress", "reason": "等待上级"},
        {"status": "pending_approval"},
    ]
    assert "items_status" in indexes


async def test_the_audit_is_append_only_again_after_the_migration(tmp_path, monkeypatch):
    path = tmp_path / "duban.db"
    await _schema_10(path, monkeypatch)
    async with Database(path) as db:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            async with db.transaction() as conn:
                await conn.execute("UPDATE audit SET detail = '{}'")

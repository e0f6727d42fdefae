"""Statuses are stored as codes: migration 0011 converts a database whose rows still hold the
display labels, and the labels people read come back unchanged through Status.label."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from domain import summaries
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


async def _item_rows(conn, statuses) -> None:
    """Bare item rows in these stored statuses, made by a supervisor (person 1)."""
    for status in statuses:
        await conn.execute(
            "INSERT INTO items (title, instruction, instructing_leader, source, category,"
            " deadline, period, status, created_by, created_at, updated_at)"
            " VALUES (?, '批示', '李市长', '领导批示', '批办性', '2026-12-31', '一次性', ?,"
            " 1, ?, ?)",
            (status, status, NOW, NOW),
        )


async def _supervisor(conn) -> None:
    await conn.execute(
        "INSERT INTO people (id, tg_user_id, chat_id, role, name, created_at)"
        " VALUES (1, 1, 1, 'supervisor', '督查员', ?)",
        (NOW,),
    )


async def _schema_10(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A database left at schema 10, one item per label, a suspended item and its audit."""
    shipped = db_module._migration_files()
    monkeypatch.setattr(db_module, "_migration_files", lambda: [m for m in shipped if m[0] <= 10])
    async with Database(path) as db, db.transaction() as conn:
        assert await conn.scalar("PRAGMA user_version") == 10
        await _supervisor(conn)
        await _item_rows(conn, OLD_LABELS)
        await conn.execute("UPDATE items SET suspended_from = '待签收' WHERE status = '暂停'")
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


async def test_the_weekly_summary_lists_statuses_by_label_as_before(office):
    """The database groups by code (awaiting_sign before in_progress); the summary keeps the
    order people always read, by label (办理中 before 待签收)."""
    async with office.db.transaction() as conn:
        await _supervisor(conn)
        await _item_rows(conn, [Status.AWAITING_SIGN, Status.IN_PROGRESS, Status.AWAITING_SIGN])
        await _item_rows(conn, [Status.CLOSED, Status.PENDING_APPROVAL])
    week = await summaries.weekly(office, NOW)
    assert [(s.label, n) for s, n in week.by_status.items()] == [("办理中", 1), ("待签收", 2)]
    assert week.closed_total == 1

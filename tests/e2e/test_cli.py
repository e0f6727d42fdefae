"""The `duban` command as an office uses it, in a real subprocess."""

from __future__ import annotations

import asyncio
import re
import signal
import sqlite3
from asyncio.subprocess import STDOUT
from datetime import datetime
from pathlib import Path

import pytest

from tests.e2e.conftest import TOKEN, TZ, UNITS_CSV
from tests.e2e.processes import duban, spawn

pytestmark = pytest.mark.slow  # every test here runs `duban` as a process


async def test_setup_commands(tmp_path, emu):
    code, out, _ = await duban(tmp_path, "init")
    assert code == 0 and "数据库已就绪" in out
    (tmp_path / "units.csv").write_text(UNITS_CSV, encoding="utf-8")
    code, out, _ = await duban(tmp_path, "units", "import", "units.csv")
    assert (code, out.strip()) == (0, "导入完成：新增 4 个单位，更新 0 个单位。")
    code, out, _ = await duban(tmp_path, "units", "import", "units.csv")
    assert "新增 0 个单位" in out
    (tmp_path / "bad.csv").write_text("名称,类型\n,部门\n某局,未知\n", encoding="utf-8")
    code, _, err = await duban(tmp_path, "units", "import", "bad.csv")
    assert code == 2 and "第2行" in err and "第3行" in err and "Traceback" not in err
    # the link needs the bot's username: asked from the (emulated) Bot API
    code, out, err = await duban(
        tmp_path, "supervisor", "invite", DUBAN_TOKEN=TOKEN, DUBAN_API_URL=emu.base_url
    )
    assert code == 0, err
    assert "https://t.me/duban_test_bot?start=" in out
    code, out, _ = await duban(tmp_path, "leader", "invite")  # username now cached in the db
    assert code == 0 and "领导邀请链接" in out


async def test_a_missing_database_is_refused_not_created(tmp_path):
    """Only `init` creates the database: a mistyped DUBAN_DB is one line, not an empty office."""
    (tmp_path / "units.csv").write_text(UNITS_CSV, encoding="utf-8")
    (tmp_path / "plan.xlsx").write_bytes(b"PK")
    typo = tmp_path / "dubna.db"
    commands = (
        ("export", "台账.xlsx"),
        ("run",),
        ("units", "import", "units.csv"),
        ("tasks", "import", "plan.xlsx"),
        ("supervisor", "invite"),
        ("leader", "invite"),
    )
    env = {"DUBAN_DB": str(typo), "DUBAN_TOKEN": TOKEN, "DUBAN_BOT_USERNAME": "duban_test_bot"}
    results = await asyncio.gather(*(duban(tmp_path, *args, **env) for args in commands))
    for args, (code, out, err) in zip(commands, results, strict=True):
        assert code == 2 and out == "", (args, out, err)
        assert err.splitlines() == [
            f"错误：数据库 {typo} 不存在，请先运行 duban init 或检查 DUBAN_DB。"
        ], (args, err)
    assert not typo.exists() and not (tmp_path / "台账.xlsx").exists()
    code, out, _ = await duban(tmp_path, "tasks", "template", "模板.xlsx", **env)
    assert code == 0 and (tmp_path / "模板.xlsx").is_file() and not typo.exists()
    code, out, _ = await duban(tmp_path, "init", **env)
    assert code == 0 and typo.is_file()
    code, out, err = await duban(tmp_path, "export", "台账.xlsx", **env)
    assert code == 0 and "台账已导出" in out, err


async def test_bad_settings_give_one_clear_line(tmp_path):
    await duban(tmp_path, "init")
    broken = tmp_path / "office-templates"
    broken.mkdir()
    (broken / "cancelled.j2").write_text("{% if %}", encoding="utf-8")  # a broken override
    cases = (
        ({}, "未配置机器人令牌"),
        ({"DUBAN_TOKEN": "not-a-token"}, "令牌格式不正确"),
        ({"DUBAN_TOKEN": TOKEN, "DUBAN_TZ": "Mars/Base"}, "未知的时区"),
        ({"DUBAN_TOKEN": TOKEN, "DUBAN_TEMPLATE_DIR": str(broken)}, "cancelled.j2"),
    )
    # independent processes, at most one of which gets as far as the database: run together
    results = await asyncio.gather(*(duban(tmp_path, "run", **env) for env, _ in cases))
    for (_, expected), (code, _, err) in zip(cases, results, strict=True):
        assert code == 2, err
        assert expected in err and "Traceback" not in err
        assert [line for line in err.splitlines() if "错误" in line] == [err.splitlines()[-1]]


async def test_run_serves_updates_and_never_logs_the_token(tmp_path, emu):
    await duban(tmp_path, "init")
    log_file = tmp_path / "logs" / "duban.log"
    proc = await spawn(
        tmp_path,
        "run",
        stderr=STDOUT,
        DUBAN_TOKEN=TOKEN,
        DUBAN_API_URL=emu.base_url,
        DUBAN_LOG_FILE=str(log_file),
    )
    try:
        stranger = emu.user(999, "路人")
        await emu.wait_until(lambda: any(c.method == "getUpdates" for c in emu.calls), 30)
        await stranger.send("/help")
        await stranger.expect("请联系督查室获取邀请链接", timeout=15)
    finally:
        proc.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(proc.communicate(), 30)
    log = output.decode()
    assert proc.returncode == 0, log
    assert "is running" in log
    assert TOKEN not in log and TOKEN.split(":")[1] not in log
    written = log_file.read_text(encoding="utf-8")  # the same lines, also in the file
    assert re.search(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d INFO duban .*is running", written, re.M)
    assert TOKEN.split(":")[1] not in written


def put_meta(tmp_path: Path, **values: str) -> None:
    db = sqlite3.connect(tmp_path / "duban.db")
    with db:
        db.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", values.items())
    db.close()


async def test_status_exits_1_with_the_reason_when_pushes_failed(tmp_path):
    code, _, err = await duban(tmp_path, "status")
    assert code == 2 and "不存在" in err and "Traceback" not in err
    await duban(tmp_path, "init")
    now = datetime.now(TZ).isoformat(timespec="seconds")
    put_meta(tmp_path, backup_last_at=now, backup_last_bytes="2048")
    code, out, err = await duban(tmp_path, "status")
    assert code == 0, out + err
    assert "运行进程：无" in out and "最近备份：" in out and "2.0 KB" in out
    assert "一切正常" in out and "需要处理" not in out

    db = sqlite3.connect(tmp_path / "duban.db")
    with db:
        db.execute(
            "INSERT INTO outbox (dedupe_key, rule, template, due_at, due_ts, created_at,"
            " created_ts, state, error) VALUES ('x', 'test', 'cancelled', ?, 0, ?, 0,"
            " 'failed', '对方已屏蔽机器人')",
            (now, now),
        )
    db.close()
    code, out, _ = await duban(tmp_path, "status")
    assert code == 1
    assert "发送失败 1" in out and "需要处理" in out and "有 1 条推送发送失败" in out


async def test_tasks_template_and_import(tmp_path):
    """`duban tasks template|import`: all rows or none, problems by line and column."""
    from datetime import date

    from tests.plan_sheet import sample_rows, set_cell, workbook

    year = date.today().year
    await duban(tmp_path, "init")
    (tmp_path / "units.csv").write_text(UNITS_CSV, encoding="utf-8")
    await duban(tmp_path, "units", "import", "units.csv")
    code, out, err = await duban(tmp_path, "tasks", "template", "模板.xlsx")
    assert code == 0 and (tmp_path / "模板.xlsx").is_file() and "填写说明" in out, err

    (tmp_path / "plan.xlsx").write_bytes(workbook(sample_rows(year)))
    code, _, err = await duban(tmp_path, "tasks", "import", "plan.xlsx")
    assert code == 2 and "还没有登记督查员" in err and "Traceback" not in err

    db = sqlite3.connect(tmp_path / "duban.db")
    with db:
        db.execute(
            "INSERT INTO people (tg_user_id, chat_id, role, name, created_at)"
            " VALUES (101, 101, 'supervisor', '王督查', '2026-01-01T09:00:00+08:00')"
        )
    db.close()
    code, out, err = await duban(tmp_path, "tasks", "import", "plan.xlsx")
    assert code == 0, err
    assert "任务新增 8 项" in out and "目标新增 30 个" in out and "排队下发 30 份" in out
    code, out, _ = await duban(tmp_path, "tasks", "import", "plan.xlsx")
    assert "未变 30 个" in out

    rows = sample_rows(year)
    set_cell(rows, "T01-02", "责任单位", "")
    set_cell(rows, "T05-02", "目标数量", -20)
    (tmp_path / "bad.xlsx").write_bytes(workbook(rows))
    code, _, err = await duban(tmp_path, "tasks", "import", "bad.xlsx")
    assert code == 2 and "导入失败，未做任何修改" in err
    assert "第3行 I列（责任单位）：必填" in err and "第17行 J列（目标数量）" in err
    code, _, err = await duban(tmp_path, "tasks", "import", "missing.xlsx")
    assert code == 2 and "文件不存在" in err

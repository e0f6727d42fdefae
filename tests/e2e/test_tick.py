"""The real tick, on the real application, walked through a month on the fake clock."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path

import pytest

from bot import scheduler
from bot.clock import FakeClock
from domain.models import Role
from tests.e2e.conftest import TZ, Office, invite_liaison
from tests.e2e.test_journey import fill_new_item


@pytest.fixture
async def september(tmp_path: Path, emu):
    clock = FakeClock(datetime(2026, 9, 22, 10, 0, tzinfo=TZ))
    office = Office(tmp_path, emu, clock)
    await office.start()
    await office.import_units()
    people = {
        "sup": emu.user(101, "督查员"),
        "leader": emu.user(201, "领导"),
        "zj": emu.user(301, "住建"),
        "jt": emu.user(302, "交通"),
    }
    await office.register(people["sup"], await office.cli_invite(Role.SUPERVISOR), "王督查")
    await office.register(people["leader"], await office.cli_invite(Role.LEADER), "赵主任")
    for key, unit in (("zj", "市住房和城乡建设局"), ("jt", "市交通运输局")):
        await office.register(people[key], await invite_liaison(office, people["sup"], unit), key)
    await fill_new_item(people["sup"], deadline="2026-10-16")
    await people["sup"].press("提交")
    await people["leader"].expect("请审定督办函")
    await people["leader"].press("同意下发")
    await people["zj"].expect("督 办 函")
    await people["zj"].press("签收")
    await people["zj"].expect("已签收")
    yield office, people
    await office.stop()


async def test_a_month_of_ticks(september):
    office, _ = september
    queued_at: dict[str, int] = {}
    day = office.clock.today() + timedelta(days=1)
    while day <= datetime(2026, 10, 23).date():
        for moment in (time(8, 0), time(10, 0), time(10, 30), time(20, 0)):
            office.clock.set(datetime.combine(day, moment, tzinfo=TZ))
            queued_at[f"{day} {moment:%H:%M}"] = await scheduler.tick(office.app)
        if day.isoformat() == "2026-10-09":
            await office.restart()  # nothing decided before a restart is decided again
        day += timedelta(days=1)

    assert all(n == 0 for k, n in queued_at.items() if k.endswith(("08:00", "20:00")))
    assert all(n == 0 for k, n in queued_at.items() if k.endswith("10:30"))  # same day again
    for holiday in ("2026-09-25", "2026-09-26", "2026-10-01", "2026-10-05", "2026-10-11"):
        assert queued_at[f"{holiday} 10:00"] == 0, holiday
    assert queued_at["2026-10-10 10:00"] > 0  # the 调休 Saturday is a working day

    rows = await office.rows(
        "SELECT dedupe_key, rule, unit_id, substr(created_at, 1, 10) AS day FROM outbox ORDER BY id"
    )
    keys = [r["dedupe_key"] for r in rows]
    assert len(keys) == len(set(keys))
    jt = await office.unit_id("市交通运输局")
    sign_days = [r["day"][5:] for r in rows if r["rule"] == "sign" and r["unit_id"] == jt]
    assert sign_days == [
        "09-23",
        "09-24",
        "09-28",
        "09-29",
        "09-30",
        "10-08",
        "10-09",
        "10-10",
        "10-12",
        "10-13",
        "10-14",
        "10-15",
        "10-16",
        "10-19",
        "10-20",
        "10-21",
        "10-22",
        "10-23",
    ]
    escalations = [r for r in rows if r["rule"] == "esc_sign"]
    assert [r["day"] for r in escalations] == ["2026-09-24"]  # one supervisor, once
    leader = await office.rows("SELECT kind, substr(created_at, 1, 10) AS day FROM alerts")
    assert [(a["kind"], a["day"]) for a in leader] == [
        ("key_red", "2026-10-19"),  # the key item went red, lead unit, once
        ("escalation", "2026-10-20"),
    ]

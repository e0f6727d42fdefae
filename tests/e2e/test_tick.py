"""The real tick and sender, on the real application, walked through a month on the fake clock.

Three units on one key item sent Tuesday 2026-09-22 (deadline 10-16, weekly reports): 交通局
never signs, 住建局 signs but never names its 承办责任人 nor reports, 环境局 does both but
reports late once. Working days: 09-25 and 10-01..10-07 are holidays, Saturday 10-10 is worked.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from bot import scheduler
from bot.clock import FakeClock
from domain.models import Role
from tests.e2e.conftest import TZ, Office, invite_liaison
from tests.e2e.steps import fill_new_item, report

UNITS = {"zj": "市住房和城乡建设局", "jt": "市交通运输局", "hj": "市生态环境局"}


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
        "hj": emu.user(303, "环境"),
    }
    await office.register(people["sup"], await office.cli_invite(Role.SUPERVISOR), "王督查")
    await office.register(people["leader"], await office.cli_invite(Role.LEADER), "赵主任")
    for key, unit in UNITS.items():
        await office.register(people[key], await invite_liaison(office, people["sup"], unit), key)
    await fill_new_item(people["sup"], co=("交通局", "环境局"), deadline="2026-10-16")
    await people["sup"].press("提交")
    await people["leader"].expect("请审定督办函")
    await people["leader"].press("同意下发")
    for key in ("zj", "hj"):
        await people[key].expect("督 办 函")
        await people[key].press("签收")
        await people[key].expect("已签收")
    hj = people["hj"]
    for press, text, then in (
        (True, "现在填写承办责任人", "姓名"),
        (False, "周建国", "职务"),
        (False, "科长", "电话"),
        (False, "13911112222", "已报送承办责任人"),
    ):
        await (hj.press(text) if press else hj.send(text))
        await hj.expect(then)
    yield office, people
    await office.stop()


def workdays(office: Office, start: date, end: date) -> list[date]:
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    return [d for d in days if office.office.calendar.is_workday(d)]


async def test_a_month_of_ticks(september):
    office, people = september
    queued_at: dict[str, int] = {}
    received: dict[str, Counter] = {k: Counter() for k in ("zj", "jt", "hj", "sup")}
    day = office.clock.today() + timedelta(days=1)
    while day <= date(2026, 10, 30):
        for moment in (time(8, 0), time(10, 0), time(10, 30), time(20, 0)):
            office.clock.set(datetime.combine(day, moment, tzinfo=TZ))
            seen = {k: len(people[k].inbox) for k in received}
            queued_at[f"{day} {moment:%H:%M}"] = await scheduler.tick(office.app)
            await office.app.bot_data["services"].sender.drain()
            await office.emu.settle(quiet=0.02)
            for key, before in seen.items():
                word = "需跟进" if key == "sup" else "今日待办"
                new = [m for m in people[key].inbox[before:] if word in (m.text or "")]
                received[key][f"{day} {moment:%H:%M}"] += len(new)
        if day == date(2026, 10, 9):
            await office.restart()  # nothing decided before a restart is decided again
        if day == date(2026, 10, 14):
            office.clock.set(datetime.combine(day, time(15, 0), tzinfo=TZ))
            await report(people["hj"], "已完成排查", "30", None)  # late, then on time
        day += timedelta(days=1)

    # nothing at night, nothing on a day off, nothing twice a day
    assert all(n == 0 for k, n in queued_at.items() if not k.endswith("10:00"))
    for holiday in ("2026-09-25", "2026-09-26", "2026-10-01", "2026-10-05", "2026-10-11"):
        assert queued_at[f"{holiday} 10:00"] == 0, holiday
    assert queued_at["2026-10-10 10:00"] > 0  # the 调休 Saturday is a working day
    for key, counts in received.items():
        assert all(n <= 1 for n in counts.values()), (key, counts)
        assert all(k.endswith("10:00") for k, n in counts.items() if n), key
        assert sum(counts.values()) > 0, key  # each of them was told something

    # the unit that never signs: 签收 asked on working days 1, 3, 5; then the supervisor once
    jt = [k[:10] for k, n in received["jt"].items() if n]
    assert jt[:3] == ["2026-09-23", "2026-09-28", "2026-09-30"]
    chased = await office.rows("SELECT need_key, step, day FROM chases ORDER BY day")
    per_need = Counter(c["need_key"] for c in chased if c["step"] == "remind")
    assert per_need and max(per_need.values()) <= 3
    jt_id = await office.unit_id(UNITS["jt"])
    sign = [c for c in chased if c["need_key"].startswith(f"sign:1:{jt_id}:")]
    assert [(c["step"], c["day"]) for c in sign] == [
        ("remind", "2026-09-23"),
        ("remind", "2026-09-28"),
        ("remind", "2026-09-30"),
        ("escalate", "2026-10-08"),
        ("leader", "2026-10-08"),  # a key item: the leader channel with the escalation
    ]
    followup = next(m for m in people["sup"].inbox if "需跟进" in (m.text or ""))
    assert "已提醒3次（9月23日、28日、30日）" in followup.text
    assert "市交通运输局" in followup.text and "尚未签收" in followup.text

    # the unit that never names its 承办责任人: 3 reminders from working day 6 after 签收
    zj_id = await office.unit_id(UNITS["zj"])
    named = [c for c in chased if c["need_key"].startswith(f"responsible:1:{zj_id}:")]
    assert [c["step"] for c in named] == ["remind", "remind", "remind", "escalate", "leader"]
    # the unit that reported late: one ladder for all the weeks it missed, none for the week
    # it reported in, and a new one when it missed again
    hj_id = await office.unit_id(UNITS["hj"])
    hj_reports = [c for c in chased if c["need_key"].startswith(f"report:1:{hj_id}:")]
    assert [(c["need_key"][-8:], c["step"]) for c in hj_reports] == [
        ("2026-W39", "remind"),
        ("2026-W39", "remind"),
        ("2026-W39", "remind"),
        ("2026-W39", "escalate"),
        ("2026-W39", "leader"),
        ("2026-W43", "remind"),
        ("2026-W43", "remind"),
        ("2026-W43", "remind"),
    ]
    alerts = await office.rows("SELECT kind, dedupe_key FROM alerts")
    assert len({a["dedupe_key"] for a in alerts}) == len(alerts)
    assert {a["kind"] for a in alerts} == {"escalation"}
    # the leader channel's 报忧 digest says what was missing and what was really done
    posted = "".join(
        r["context"] for r in await office.rows("SELECT context FROM outbox WHERE rule = 'digest'")
    )
    assert "重点事项未签收" in posted and "已提醒3次（9月23日、28日、30日）" in posted
    assert "重点事项未报承办责任人" in posted and "机器人已自动提醒" not in posted

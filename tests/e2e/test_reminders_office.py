"""What supervisors see and steer of the pushes: /reminders, /mute, and next year's calendar."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from bot import scheduler
from bot.clock import FakeClock
from domain.models import Role
from domain.workdays import WorkdayCalendar
from tests.e2e.conftest import TZ, Office
from tests.e2e.steps import approved_item


async def drain(office: Office) -> None:
    await office.app.bot_data["services"].sender.drain()


async def test_reminders_overview_and_mute(office, staffed):
    sup, jt = staffed["sup"], staffed["jt"]
    await approved_item(office, staffed)  # 交通局 has not signed
    office.clock.set(datetime(2026, 11, 25, 10, 0, tzinfo=TZ))
    await scheduler.tick(office.app)
    await drain(office)
    chased = await jt.expect("今日待办")
    assert "尚未签收" in chased.text and "签收：督办〔2026〕1号" in chased.button_texts
    await sup.send("/reminders")
    overview = await sup.expect("自动提醒情况")
    assert "今日已发送：" in overview.text and "市生态环境局" in overview.text  # no liaison

    await sup.send("/mute 交通局 2026-11-30")
    await sup.expect("已暂停向 市交通运输局 推送提醒，至 2026年11月30日")
    office.clock.set(datetime(2026, 11, 26, 10, 0, tzinfo=TZ))
    jt.mark()
    await scheduler.tick(office.app)
    await drain(office)
    await jt.settle()
    assert not [m for m in jt.inbox[-3:] if "今日待办" in m.text and "11月26日" in m.text]
    rules = await office.rows(
        "SELECT rule, unit_id FROM outbox WHERE created_at LIKE '2026-11-26%'"
    )
    jt_unit = await office.unit_id("市交通运输局")
    assert not [r for r in rules if r["rule"] == "todo" and r["unit_id"] == jt_unit]
    await sup.send("/reminders")
    assert "已暂停提醒" in (await sup.expect("自动提醒情况")).text
    await sup.send("/mute 交通局 取消")
    await sup.expect("已恢复向 市交通运输局 推送提醒")
    await sup.send("/mute 交通局")  # no date: asked, and a typed one is taken
    await sup.expect("请选择暂停向 市交通运输局 推送提醒到哪一天")
    await sup.send("2026-12-02")
    await sup.expect("已暂停向 市交通运输局 推送提醒，至 2026年12月2日")
    await sup.send("/mute 不存在 2026-12-01")
    await sup.expect("没有找到")


@pytest.fixture
async def late_2026(tmp_path: Path, emu):
    office = Office(tmp_path, emu, FakeClock(datetime(2026, 10, 30, 10, 0, tzinfo=TZ)))
    await office.start()
    yield office
    await office.stop()


async def test_next_years_calendar_is_asked_for_once_in_november(late_2026, emu, tmp_path):
    office = late_2026
    sup = emu.user(101, "督查员")
    await office.register(sup, await office.cli_invite(Role.SUPERVISOR), "王督查")
    without_file = WorkdayCalendar()
    if without_file.knows(2027):
        pytest.skip("the calendar library already knows 2027")
    await scheduler.tick(office.app)  # October: too early to worry
    assert await office.scalar("SELECT count(*) FROM outbox WHERE rule = 'calendar'") == 0
    for day in (2, 3, 4):
        office.clock.set(datetime(2026, 11, day, 10, 0, tzinfo=TZ))
        await scheduler.tick(office.app)
    await drain(office)
    warned = [m for m in sup.inbox if "节假日安排" in m.text]
    assert len(warned) == 1 and "2027" in warned[0].text
    # the office adds next year's arrangement in its holiday file: it is used, no more warnings
    holidays = tmp_path / "holidays.toml"
    holidays.write_text('holidays = ["2027-01-01"]\nworkdays = ["2027-01-09"]\n', encoding="utf-8")
    await office.stop()
    office.settings = office.settings.__class__(
        **{**office.settings.__dict__, "holiday_file": holidays}
    )
    await office.start()
    office.clock.set(datetime(2026, 12, 1, 10, 0, tzinfo=TZ))
    await scheduler.tick(office.app)
    assert await office.scalar("SELECT count(*) FROM outbox WHERE rule = 'calendar'") == 1
    calendar = office.office.calendar
    assert calendar.knows(2027)
    assert not calendar.is_workday(date(2027, 1, 1))  # from the office's file
    assert calendar.is_workday(date(2027, 1, 9))  # a Saturday worked (调休), from the file
    assert not calendar.is_workday(date(2027, 1, 10))  # an ordinary Sunday

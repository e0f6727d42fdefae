"""The outbox and time: nothing automatic outside working hours, whatever sat in the queue;
a reminder overtaken while it waited is dropped; a change of time zone delays nothing."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot import scheduler
from bot.clock import FakeClock
from storage import outbox
from storage.outbox import Push
from tests.e2e.conftest import TZ, Office
from tests.e2e.steps import approved_item

THURSDAY = datetime(2026, 4, 30, 17, 29, tzinfo=TZ)  # 1 May (Friday) starts a 5-day holiday


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 4, 27, 10, 0, tzinfo=TZ))


def note(key: str, chat: int, text: str, at: datetime, automatic: bool = True) -> Push:
    return Push(
        key,
        "test",
        "push_unreachable",
        at.isoformat(timespec="seconds"),
        chat_id=chat,
        context={"unit": "单位", "person": text, "phone": "1"},
        automatic=automatic,
    )


async def queue(office: Office, *pushes: Push) -> None:
    async with office.db.transaction() as conn:
        await outbox.add_many(conn, list(pushes), office.office.now())


def received(user, text: str) -> int:
    return sum(text in m.text for m in user.inbox)


async def test_a_push_queued_at_closing_time_waits_for_the_next_working_morning(
    office, staffed, clock
):
    zj = staffed["zj"]
    clock.set(THURSDAY.replace(minute=31))  # queued at 17:29, still waiting after 17:30
    await queue(
        office,
        note("late", zj.id, "下班前的提醒", THURSDAY),
        note("answer", zj.id, "一个人的操作带来的通知", THURSDAY, automatic=False),
    )
    await office.drain()
    assert received(zj, "一个人的操作带来的通知") == 1  # not automatic: goes at once
    assert received(zj, "下班前的提醒") == 0

    clock.set(datetime(2026, 5, 1, 3, 0, tzinfo=TZ))  # a restart at night, on a holiday
    await office.restart()
    await office.drain()
    assert received(zj, "下班前的提醒") == 0

    first = office.office.calendar.add_workdays(THURSDAY.date(), 1)
    clock.set(datetime.combine(first, datetime.min.time(), TZ).replace(hour=8, minute=59))
    await office.drain()
    assert received(zj, "下班前的提醒") == 0
    clock.advance(minutes=1)  # 09:00 on the first working day after the holiday
    await office.drain()
    assert received(zj, "下班前的提醒") == 1
    assert await office.scalar("SELECT state FROM outbox WHERE dedupe_key = 'late'") == "sent"


async def test_a_reminder_overtaken_while_it_waited_is_dropped_not_sent_late(
    office, staffed, emu, clock
):
    await approved_item(office, staffed)
    zj, jt = staffed["zj"], staffed["jt"]
    await jt.press("签收")
    clock.set(THURSDAY)
    emu.fail_next("sendMessage", 502, "Bad Gateway", chat_id=zj.id, times=50)
    await scheduler.tick(office.app)  # 今日待办 (签收) for 住建局, which cannot be sent right now
    await office.app.bot_data["services"].sender.drain()
    thursday_key = await office.scalar("SELECT dedupe_key FROM outbox WHERE rule = 'todo'")
    assert thursday_key.endswith(":2026-04-30")
    assert await office.scalar("SELECT state FROM outbox WHERE rule = 'todo'") == "pending"

    emu.faults.clear()
    clock.set(datetime(2026, 5, 1, 3, 0, tzinfo=TZ))
    await office.restart()
    await office.drain()
    first = office.office.calendar.add_workdays(THURSDAY.date(), 1)
    clock.set(datetime.combine(first, datetime.min.time(), TZ).replace(hour=9))
    before = received(zj, "今日待办")
    await office.drain()
    state = "SELECT state FROM outbox WHERE dedupe_key = ?"
    assert await office.scalar(state, (thursday_key,)) == "dropped"  # its day has passed
    assert received(zj, "今日待办") == before

    await scheduler.tick(office.app)  # the dropped one never went out: asked again today
    await office.drain()
    assert received(zj, "今日待办") == before + 1


async def test_a_change_of_time_zone_delays_nothing(tmp_path: Path, emu, staffed, office, clock):
    zj = staffed["zj"]
    await queue(office, note("due", zj.id, "按时送达", clock.now(), automatic=False))
    await office.stop()
    office.settings = office.settings.model_copy(update={"tz": "UTC"})
    office.clock = FakeClock(clock.now(), ZoneInfo("UTC"))
    await office.start()
    await office.drain()
    assert received(zj, "按时送达") == 1

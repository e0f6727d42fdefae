"""The outbox sender against Telegram's failures: 429, 403, 400, timeouts and crashes."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from bot.app import make_office
from bot.render import Renderer
from domain import letters
from domain.models import Role
from handlers.notify import fix_letters
from storage import outbox
from storage.db import Database
from storage.outbox import Push
from tests.e2e.conftest import Office, invite_liaison
from tests.e2e.steps import fill_new_item
from tgemu import Emulator


async def queue(office: Office, *pushes: Push) -> None:
    async with office.db.transaction() as conn:
        for push in pushes:
            await outbox.add(conn, push, office.office.now())


def note(
    key: str,
    *,
    unit: int | None = None,
    person: int | None = None,
    chat: int | None = None,
    text: str = "",
) -> Push:
    return Push(
        key,
        "test",
        "push_unreachable",
        "2026-01-01T00:00:00+08:00",
        unit_id=unit,
        person_id=person,
        chat_id=chat,
        context={"unit": "单位", "person": text or key, "phone": "1"},
    )


async def drain(office: Office) -> int:
    return await office.drain()


async def states(office: Office) -> dict[str, str]:
    return {r["dedupe_key"]: r["state"] for r in await office.rows("SELECT * FROM outbox")}


async def test_429_is_waited_out_without_loss_or_reordering(office, staffed, emu):
    zj = staffed["zj"]
    unit = await office.unit_id("市住房和城乡建设局")
    emu.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    await queue(office, *(note(f"n{i}", unit=unit, text=f"第{i}条") for i in range(3)))
    await drain(office)
    texts = [m.text for m in zj.inbox if "第" in m.text and "条" in m.text]
    assert [t[t.index("第") : t.index("条") + 1] for t in texts] == ["第0条", "第1条", "第2条"]
    assert set((await states(office)).values()) == {"sent"}


async def test_blocked_liaison_falls_back_to_the_deputy_then_waits_for_a_new_one(
    office, staffed, emu
):
    sup, zj = staffed["sup"], staffed["zj"]
    unit = await office.unit_id("市住房和城乡建设局")
    deputy = emu.user(311, "住建备用")
    await office.register(
        deputy, await invite_liaison(office, sup, "市住房和城乡建设局", "备用联络员"), "备用"
    )
    zj.block()
    await queue(office, note("first", unit=unit, text="给单位的提醒"))
    await drain(office)
    assert "给单位的提醒" in deputy.last.text
    assert (
        await office.scalar("SELECT unreachable_at IS NOT NULL FROM people WHERE tg_user_id = 301")
        == 1
    )
    await drain(office)
    told = [m for m in sup.inbox if "联络员无法接收消息" in m.text]
    assert len(told) == 1
    deputy.block()
    await queue(office, note("second", unit=unit, text="第二条"))
    await drain(office)
    assert (await states(office))["second"] == "held"
    newcomer = emu.user(312, "新联络员")
    await office.register(newcomer, await invite_liaison(office, sup, "市住房和城乡建设局"), "新人")
    await drain(office)
    assert "第二条" in newcomer.last.text
    assert (await states(office))["second"] == "sent"


async def test_a_timeout_is_uncertain_and_never_resent(office, staffed, emu):
    zj = staffed["zj"]
    emu.hang_next("sendMessage", 6, chat_id=zj.id)  # past PTB's 5 s read timeout
    await queue(office, note("slow", person=None, chat=zj.id, text="慢"))
    await drain(office)
    assert (await states(office))["slow"] == "uncertain"
    await office.restart()
    await drain(office)
    # the hung request still arrives on Telegram's side — once; the bot never sends it again
    await emu.wait_until(lambda: any("慢" in m.text for m in zj.inbox), 10)
    await emu.settle()
    assert sum("慢" in m.text for m in zj.inbox) == 1


async def test_a_crash_mid_send_leaves_it_uncertain_not_duplicated(office, staffed):
    zj = staffed["zj"]
    stamp = office.office.now()
    async with office.db.transaction() as conn:  # as if the process died after 'sending'
        await outbox.add(conn, note("crash", chat=zj.id, text="崩溃前"), stamp)
        await outbox.add(conn, note("later", chat=zj.id), stamp)
        row = await conn.one("SELECT id FROM outbox WHERE dedupe_key = 'crash'")
        await outbox.sending(conn, row["id"])
    await office.restart()
    await drain(office)
    found = await states(office)
    assert (found["crash"], found["later"]) == ("uncertain", "sent")
    assert not any("崩溃前" in m.text for m in zj.inbox)


@pytest.fixture
async def limited(tmp_path: Path, clock):
    emulator = Emulator(bot_username="duban_test_bot", rate_limits=True)
    await emulator.start()
    running = Office(tmp_path, emulator, clock, rate_limit=True)  # as in production
    await running.start()
    await running.import_units()
    yield running, emulator
    await running.stop()
    await emulator.stop()


@pytest.mark.slow
async def test_pacing_never_trips_telegrams_limits(limited):
    office, emu = limited
    sup = emu.user(101, "督查员")
    await office.register(sup, await office.cli_invite(Role.SUPERVISOR), "王督查")
    users = [emu.user(500 + i, f"用户{i}") for i in range(20)]
    for u in users:
        await u.send("/help")  # they have written to the bot, so it may write to them
    await emu.settle()
    await asyncio.sleep(1.1)  # let the per-chat windows of those replies pass
    before = emu.stats["429"]
    mark = len(emu.calls)
    await queue(
        office,
        *(note(f"k{u.id}-{n}", chat=u.id, text=f"{u.id}-{n}") for n in range(3) for u in users),
    )
    await drain(office)
    limited_calls = [
        (c.method, c.params.get("chat_id"), c.at) for c in emu.calls[mark:] if c.error_code == 429
    ]
    assert emu.stats["429"] == before, limited_calls
    for u in users:
        mine = [m.text for m in u.inbox if str(u.id) in m.text]
        assert len(mine) == 3 and mine == sorted(mine), [m.text for m in u.inbox]


async def test_a_letter_approved_just_before_a_crash_is_sent_after_the_restart(office, staffed):
    """The approval commits the letter's outbox rows with the status: nothing lives only in
    the handler. Here the process stops right after the commit, before any send."""
    sup, leader, zj = staffed["sup"], staffed["leader"], staffed["zj"]
    await fill_new_item(sup, co=())
    await sup.press("提交")
    await leader.expect("请审定督办函")
    await office.stop()
    db = await Database(office.settings.db).open()
    services = make_office(office.settings, db, office.clock, Renderer())
    leader_person = await services.office.person(leader.id)
    fix = fix_letters(services)  # as the approval handler renders it
    await letters.approve(services.office, leader_person, 1, then=fix)  # …and the process dies
    await db.close()
    assert not any("督 办 函" in (m.text or "") for m in zj.inbox)

    await office.start()
    letter = await zj.expect("督 办 函")
    assert "督办〔2026〕1号" in letter.text and letter.button_texts == ["签收"]


async def test_a_process_that_lost_the_lease_sends_nothing(office, staffed):
    """Frozen past its lease, a process wakes while another sends: it must not send too."""
    zj = staffed["zj"]
    sender = office.app.bot_data["services"].sender
    sender.holder = "a process whose lease was taken over"
    await queue(office, note("mine", chat=zj.id, text="不该由我发送"))
    await sender.send_ready()
    assert not any("不该由我发送" in m.text for m in zj.inbox)
    assert (await states(office))["mine"] == "pending"  # left for the lease's holder
    assert sender.stopping


async def test_a_passing_outage_is_one_log_line_and_its_end_another(office, staffed, emu, caplog):
    """Telegram's 5xx on every try for a while: the log says it once, not per row or retry."""
    zj, jt = staffed["zj"], staffed["jt"]
    await drain(office)  # what registering queued
    emu.fail_next("sendMessage", 502, "Bad Gateway", times=5)
    await queue(
        office, *(note(f"o{i}", chat=u.id, text=f"断{i}") for i in range(3) for u in (zj, jt))
    )
    with caplog.at_level(logging.INFO, logger="bot.outbox_sender"):
        await drain(office)
    assert set((await states(office)).values()) == {"sent"}
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.outbox_sender"]
    assert [line[:6] for line in lines] == ["推送发送受阻", "推送发送已恢"], lines
    assert "Traceback" not in caplog.text


async def test_a_fan_out_under_telegrams_limits_while_a_liaison_talks(limited):
    """Pushes and replies draw from one pacer: no 429, every push once and in order, and the
    liaison is answered while the fan-out is still going, not after it."""
    office, emu = limited
    sup, zj = emu.user(101, "督查员"), emu.user(301, "住建联络员")
    await office.register(sup, await office.cli_invite(Role.SUPERVISOR), "王督查")
    await office.register(zj, await invite_liaison(office, sup, "市住房和城乡建设局"), "住建")
    users = [emu.user(1000 + i, f"用户{i}") for i in range(60)]
    for u in users:
        u._state.started = True  # they have written to the bot before
    await queue(
        office,
        *(note(f"k{u.id}-{n}", chat=u.id, text=f"{u.id}-{n}") for n in range(3) for u in users),
    )
    still_queued = []

    async def talk() -> None:
        for _ in range(4):
            await zj.send("/mytasks")
            await zj.expect("本单位督办事项", timeout=30)
            still_queued.append(
                await office.scalar("SELECT count(*) FROM outbox WHERE state = 'pending'")
            )

    talking = asyncio.create_task(talk())
    await drain(office)
    await talking
    assert emu.stats["429"] == 0
    for u in users:
        mine = [m.text for m in u.inbox if str(u.id) in m.text]
        assert mine == sorted(mine) and len(mine) == 3, mine
    assert still_queued[0] > 0, still_queued  # the first answer did not wait for the fan-out


@pytest.mark.slow
async def test_many_pushes_queued_chat_by_chat_keep_every_chat_busy(limited):
    """30 chats × 10 pushes, all of one chat's rows before the next chat's: each arrives once
    and in order, with no 429, and the last chat starts before the first one is done: the
    sender keeps reading while chats send, instead of waiting for a batch's slowest chat."""
    office, emu = limited
    users = [emu.user(2000 + i, f"用户{i}") for i in range(30)]
    for u in users:
        u._state.started = True  # they have written to the bot before
    await queue(
        office,
        *(note(f"c{u.id}-{n}", chat=u.id, text=f"{u.id}-{n}") for u in users for n in range(10)),
    )
    mark = len(emu.calls)
    await drain(office)
    assert emu.stats["429"] == 0
    for u in users:
        mine = [m.text for m in u.inbox if str(u.id) in m.text]
        assert mine == sorted(mine) and len(mine) == 10, mine
    sends = [c.params.get("chat_id") for c in emu.calls[mark:] if c.method == "sendMessage"]
    first_of_last = sends.index(users[-1].id)
    last_of_first = len(sends) - 1 - sends[::-1].index(users[0].id)
    assert first_of_last < last_of_first, (first_of_last, last_of_first)

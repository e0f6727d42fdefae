"""The leader channel: what the weekly 调度 says, digests, closure lines, nothing twice."""

from __future__ import annotations

from datetime import datetime

from bot import leader_channel, scheduler
from bot.render import split_messages
from domain.items import Status
from tests.e2e.conftest import TZ
from tests.e2e.steps import approved_item, report, signed_item


async def test_weekly_summary_leads_with_key_items_and_names_the_late(office, staffed):
    zj = staffed["zj"]
    await signed_item(office, staffed)  # key item 1: 住建局 leads, 交通局 co-unit, both signed
    office.clock.set(datetime(2026, 12, 14, 10, 0, tzinfo=TZ))
    await report(zj, "已完成外墙改造", "40", "资金缺口2000万元")
    office.clock.set(datetime(2026, 12, 17, 10, 0, tzinfo=TZ))  # deadline 12-15: 2 days late
    svc = office.app.bot_data["services"]
    parts = await leader_channel.render_weekly(svc, office.clock.now())
    text = "\n".join(parts)
    assert "在办事项 1 项：🔴 逾期 1" in text
    # the status line adds up to 在办: a draft waiting for 审定 or a closed item is not in it
    async with office.db.transaction() as conn:
        await conn.execute(
            "INSERT INTO items (title, instruction, instructing_leader, source, category,"
            " deadline, period, is_key, status, created_by, created_at, updated_at)"
            " SELECT title, instruction, instructing_leader, source, category, deadline,"
            " period, is_key, s.value, created_by, created_at, updated_at FROM items,"
            " (SELECT ? AS value UNION ALL SELECT ?) AS s WHERE items.id = 1",
            (Status.PENDING_APPROVAL, Status.CLOSED),
        )
    text = "\n".join(await leader_channel.render_weekly(svc, office.clock.now()))
    assert text.splitlines()[2] == "办理中 1；累计已办结 1 项"
    assert text.index("一、重点事项") < text.index("二、逾期事项") < text.index("三、本期未报送")
    assert "最新进展（40%）：已完成外墙改造" in text
    assert "逾期" in text.split("二、逾期事项")[1].split("三、")[0]
    silent = text.split("三、本期未报送进展的单位")[1].split("\n")[0]
    assert "市交通运输局" in silent and "市住房和城乡建设局" not in silent
    assert "资金缺口2000万元" in text.split("四、新反映的困难和问题")[1]


def test_long_summaries_split_on_block_boundaries():
    blocks = [f"事项{i} " + "进展说明" * 60 for i in range(40)]
    text = "标题\n␞\n" + "\n␞\n".join(blocks)
    parts = split_messages(text)
    assert len(parts) > 1 and all(len(p) <= 4096 for p in parts)
    for block in blocks:  # every block is whole, in exactly one message
        assert sum(block in p for p in parts) == 1
    huge = split_messages("甲 " * 5000)
    assert all(len(p) <= 4096 for p in huge) and "".join(huge).replace(" ", "") == "甲" * 5000


async def test_posts_are_queued_once_per_period_across_restarts(office, staffed):
    await approved_item(office, staffed)
    office.clock.set(datetime(2026, 11, 30, 9, 30, tzinfo=TZ))  # Monday morning
    await scheduler.tick(office.app)
    await office.restart()
    await scheduler.tick(office.app)
    office.clock.set(datetime(2026, 11, 30, 11, 0, tzinfo=TZ))
    await scheduler.tick(office.app)
    weekly = await office.rows("SELECT dedupe_key, chat_id FROM outbox WHERE rule = 'weekly'")
    assert [w["dedupe_key"] for w in weekly] == ["weekly:2026-W49:1"]
    assert weekly[0]["chat_id"] == office.settings.leader_chat
    office.clock.set(datetime(2026, 12, 1, 10, 0, tzinfo=TZ))  # Tuesday: no second weekly
    await scheduler.tick(office.app)
    assert await office.scalar("SELECT count(*) FROM outbox WHERE rule = 'weekly'") == 1


async def test_supervisor_previews_and_posts_the_summary(office, staffed):
    sup = staffed["sup"]
    await approved_item(office, staffed)
    await sup.send("/summary")
    await sup.expect("督办工作周调度")
    await sup.press("立即发布")
    await sup.expect("已排队发布")
    assert await office.scalar("SELECT count(*) FROM outbox WHERE rule = 'weekly'") >= 1
    await sup.send("/summary")
    await sup.expect("督办工作周调度")
    result = await sup.press("立即发布")
    await result.answered()
    assert "已经发布过" in result.answer
    await sup.send("/digest")
    empty = await sup.expect("目前没有待发布的预警")
    assert "预览" not in empty.text and not empty.button_texts
    await staffed["zj"].send("/summary")
    await staffed["zj"].expect("仅限督查员使用")


async def test_monthly_report_ranks_units_once_a_month(office, staffed):
    await approved_item(office, staffed)  # 住建局 leads, signed by nobody yet
    # the channel exists before the tick: the sender may post as soon as the rows are queued
    channel = office.emu.group(office.settings.leader_chat, "领导通报", type="channel")
    office.clock.set(datetime(2026, 12, 1, 9, 30, tzinfo=TZ))  # first working day of December
    for _ in range(2):
        await scheduler.tick(office.app)
    keys = [
        r["dedupe_key"]
        for r in await office.rows("SELECT dedupe_key FROM outbox WHERE rule = 'monthly'")
    ]
    assert keys == ["monthly:2026-12:1", "monthly:2026-12:chart"]
    await office.app.bot_data["services"].sender.drain()
    assert "2026年11月督办工作通报" in channel.inbox[0].text
    photos = [c for c in office.emu.calls_of("sendPhoto") if c.ok]
    assert len(photos) == 1 and "各单位办结情况" in photos[0].params["caption"]
    office.clock.set(datetime(2026, 12, 16, 10, 0, tzinfo=TZ))  # past the 12-15 deadline
    svc = office.app.bot_data["services"]
    text = "\n".join(await leader_channel.render_monthly(svc, office.clock.now()))
    assert "2026年11月督办工作通报" in text
    assert text.index("市交通运输局") < text.index("市住房和城乡建设局")  # the overdue lead last
    assert "逾期未办结1" in text and "需要关注" in text
    assert "市生态环境局" not in text  # no items: not ranked


async def test_alerts_are_batched_into_at_most_one_digest_an_hour(office, staffed):
    from storage import alerts

    await approved_item(office, staffed)

    async def alert(kind: str) -> None:
        async with office.db.transaction() as conn:
            await alerts.add(
                conn, kind, now=office.office.now(), item_id=1, unit_id=1, difficulties="资金缺口"
            )

    office.clock.set(datetime(2026, 11, 25, 10, 0, tzinfo=TZ))
    await alert("key_difficulty")
    await alert("escalation")
    await scheduler.tick(office.app)
    await alert("key_difficulty")
    office.clock.set(datetime(2026, 11, 25, 10, 30, tzinfo=TZ))
    await scheduler.tick(office.app)  # within the hour: waits
    digests = await office.rows("SELECT context FROM outbox WHERE rule = 'digest'")
    assert len(digests) == 1
    first = digests[0]["context"]
    assert first.index("重点事项逾期") < first.index("重点事项反映困难")  # most important first
    office.clock.set(datetime(2026, 11, 25, 11, 5, tzinfo=TZ))
    await office.restart()
    await scheduler.tick(office.app)
    await scheduler.tick(office.app)
    assert await office.scalar("SELECT count(*) FROM outbox WHERE rule = 'digest'") == 2

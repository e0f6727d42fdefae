"""/status in the chat: the supervisor sees what `duban status` prints; others are refused."""

from __future__ import annotations

from bot import scheduler
from storage import meta, outbox
from storage.db import code_version
from storage.outbox import Push


async def test_supervisor_sees_the_status_with_the_last_tick(office, staffed):
    sup = staffed["sup"]
    queued = await scheduler.tick(office.app)  # 10:00 on a working Tuesday
    async with office.db.transaction() as conn:
        await meta.put(conn, "backup_last_at", "2026-11-24T01:30:00+00:00")  # 09:30 office time
        await meta.put(conn, "backup_last_bytes", str(3 * 1024 * 1024))
    await sup.send("/status")
    text = (await sup.expect("督办助手运行状况")).text
    assert f"最近巡检：2026-11-24 10:00，新排队 {queued} 条" in text
    assert "最近备份：2026-11-24 09:30，3.0 MB" in text
    assert "运行进程：无" in text  # the test's bot runs without `duban run`'s lease
    assert "2004–2026" in text and f"结构版本 {code_version()}" in text
    assert "一切正常" in text


async def test_failed_pushes_and_no_backup_are_listed_for_a_person(office, staffed):
    sup = staffed["sup"]
    now = office.office.now()
    async with office.db.transaction() as conn:
        await outbox.add(conn, Push("lost", "test", "cancelled", now, chat_id=sup.id), now)
        row = await conn.scalar("SELECT id FROM outbox WHERE dedupe_key = 'lost'")
        await outbox.settle(conn, row, "failed", "对方已屏蔽机器人")
    await sup.send("/status")
    text = (await sup.expect("督办助手运行状况")).text
    assert "最近备份：尚无备份" in text and "需要处理" in text
    assert "有 1 条推送发送失败" in text and "· 尚无备份" in text


async def test_status_is_refused_to_a_liaison(office, staffed):
    await staffed["zj"].send("/status")
    await staffed["zj"].expect("此功能仅限督查员使用")

"""/help, /units, /items and what the office is told when a letter cannot reach a unit."""

from __future__ import annotations

from pathlib import Path

import pytest
from telegram.ext import CommandHandler, ConversationHandler

from domain.models import Role
from handlers.basics import COMMANDS
from tests.e2e.conftest import Office, invite_liaison
from tests.e2e.steps import fill_new_item


def registered_commands(app) -> set[str]:
    found: set[str] = set()

    def walk(handler):
        if isinstance(handler, CommandHandler):
            found.update(handler.commands)
        if isinstance(handler, ConversationHandler):
            for h in [*handler.entry_points, *handler.fallbacks]:
                walk(h)
            for handlers in handler.states.values():
                for h in handlers:
                    walk(h)

    for group in app.handlers.values():
        for handler in group:
            walk(handler)
    return found


async def test_help_lists_every_command_of_the_role(office, staffed):
    assert registered_commands(office.app) - {"start"} == {c.command for c in COMMANDS}
    for key, role in (("sup", Role.SUPERVISOR), ("leader", Role.LEADER), ("zj", Role.LIAISON)):
        await staffed[key].send("/help")
        text = (await staffed[key].expect("可用的功能")).text
        for command in COMMANDS:
            assert (f"/{command.command} " in text) == (role in command.roles), command
    menus = [c for c in office.emu.calls if c.method == "setMyCommands"]
    assert menus, "each person's menu is set to their role's commands"


async def test_units_shows_who_is_registered(office, staffed):
    await staffed["sup"].send("/units")
    text = (await staffed["sup"].expect("各单位联络员注册情况")).text
    assert "共4个单位，2个未注册" in text
    assert "市生态环境局：无主联络员" in text
    assert "市住房和城乡建设局：市住房联络员" in text


async def test_items_filters_by_key_category_and_unit(office, staffed):
    sup, leader = staffed["sup"], staffed["leader"]
    await fill_new_item(sup, title="重点事项甲", co=())
    await sup.press("提交")
    await sup.expect("已提交审定")
    await fill_new_item(sup, title="普通事项乙", co=("交通局",), key="否", category="指导性")
    await sup.press("提交")
    await sup.expect("已提交审定")
    for query, present, absent in (
        ("", ["重点事项甲", "普通事项乙"], []),
        ("重点", ["重点事项甲"], ["普通事项乙"]),
        ("指导性", ["普通事项乙"], ["重点事项甲"]),
        ("交通局", ["普通事项乙"], ["重点事项甲"]),
    ):
        await leader.send(f"/items {query}".strip())
        text = (await leader.expect("在办督办事项")).text
        assert all(p in text for p in present) and not any(a in text for a in absent), query
    await leader.send("/items 不存在的单位")
    await leader.expect("没有找到名称包含“不存在的单位”的单位")


async def test_units_nobody_can_receive_are_reported_and_their_letter_waits(office, staffed):
    sup, leader, jt = staffed["sup"], staffed["leader"], staffed["jt"]
    jt.block()
    await fill_new_item(sup, co=("交通局", "环境局"))
    await sup.press("提交")
    await leader.expect("请审定督办函")
    await leader.press("同意下发")
    report = await sup.expect("已审定同意")
    assert "发送给 2 个单位的 2 位联络员" in report.text
    waiting = report.text.split("以下单位暂无可联系的联络员")[1]
    assert "市生态环境局" in waiting and "市住房和城乡建设局" not in waiting
    # the blocked liaison is found out by the sender, which tells the supervisor
    blocked = await sup.expect("联络员无法接收消息")
    assert "市交通运输局" in blocked.text
    unreachable = await office.scalar("SELECT unreachable_at FROM people WHERE tg_user_id = 302")
    assert unreachable is not None
    await sup.send("/units")
    assert "不可达" in (await sup.expect("注册情况")).text
    held = await office.rows(
        "SELECT u.name FROM outbox o JOIN units u ON u.id = o.unit_id"
        " WHERE o.rule = 'letter' AND o.state = 'held' ORDER BY u.name"
    )
    assert sorted(r["name"] for r in held) == ["市交通运输局", "市生态环境局"]
    await sup.send("/reminders")
    overview = (await sup.expect("自动提醒情况")).text
    assert "暂无人接收：2" in overview
    assert "市生态环境局 督办函：暂无人接收（该单位暂无可接收的联络员）" in overview
    assert "letter" not in overview

    # a liaison registers for each: the letter reaches them once, with its 签收 button
    for uid, unit in ((311, "市交通运输局"), (312, "市生态环境局")):
        newcomer = office.emu.user(uid, f"{unit}新联络员")
        await office.register(newcomer, await invite_liaison(office, sup, unit), "新人")
        letter = await newcomer.expect("督 办 函")
        assert letter.button_texts == ["签收"]
        await newcomer.settle()
        assert sum("督 办 函" in (m.text or "") for m in newcomer.inbox) == 1
        await newcomer.press("签收")
        await newcomer.expect("已签收")


@pytest.fixture
async def leaderless(tmp_path: Path, emu, clock):
    running = Office(tmp_path, emu, clock)
    await running.start()
    await running.import_units()
    yield running
    await running.stop()


async def test_supervisor_approves_when_the_office_has_no_leader(leaderless, emu):
    sup, zj = emu.user(101, "督查员"), emu.user(301, "住建")
    await leaderless.register(sup, await leaderless.cli_invite(Role.SUPERVISOR), "王督查")
    await leaderless.register(zj, await invite_liaison(leaderless, sup, "市住房和城乡建设局"), "住")
    await fill_new_item(sup, co=())
    await sup.press("提交")
    await sup.expect("请审定督办函")
    await sup.press("同意下发")
    await zj.expect("督办〔2026〕1号")

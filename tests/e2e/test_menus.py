"""What each update costs: the command menu is sent only when it changes, and the person is
looked up once per update however many handlers ask who they are."""

from __future__ import annotations

import asyncio
import json

import storage.people
import storage.persistence
from domain.models import Role
from handlers.basics import fingerprint, menu_of
from storage.persistence import PENDING_SECONDS


def menus_sent(office, chat_id: int) -> int:
    """setMyCommands calls Telegram accepted for this person's chat."""
    return sum(
        1 for c in office.emu.calls_of("setMyCommands") if c.ok and _scope_chat(c.params) == chat_id
    )


def _scope_chat(params) -> int | None:
    scope = params.get("scope")
    if isinstance(scope, str):
        scope = json.loads(scope)
    return scope.get("chat_id") if scope else None


async def change(office, sql: str, *params) -> None:
    async with office.db.transaction() as conn:
        await conn.execute(sql, params)


async def help_twice(user) -> None:
    for _ in range(2):
        await user.send("/help")
        await user.expect("可用的功能")


async def test_menu_is_sent_when_it_changes_and_not_again(office, staffed):
    leader = staffed["leader"]
    assert menus_sent(office, leader.id) == 1, "registration sets the leader's menu"
    await help_twice(leader)
    assert menus_sent(office, leader.id) == 1, "/help does not resend an unchanged menu"

    await change(office, "UPDATE people SET menu = '' WHERE tg_user_id = ?", leader.id)
    await help_twice(leader)
    assert menus_sent(office, leader.id) == 2, "registered before menus were remembered: once"

    await change(office, "UPDATE people SET role = 'supervisor' WHERE tg_user_id = ?", leader.id)
    await help_twice(leader)
    assert menus_sent(office, leader.id) == 3, "a new role, a new menu, once"
    stored = await office.scalar("SELECT menu FROM people WHERE tg_user_id = ?", (leader.id,))
    assert stored == fingerprint(menu_of(Role.SUPERVISOR))

    await office.restart()
    await help_twice(leader)
    assert menus_sent(office, leader.id) == 3, "a restart remembers what each chat has"


async def test_changed_command_list_is_sent_again(office, staffed):
    sup = staffed["sup"]
    await change(office, "UPDATE people SET menu = 'an older list' WHERE tg_user_id = ?", sup.id)
    await help_twice(sup)
    assert menus_sent(office, sup.id) == 2


async def test_person_is_looked_up_once_per_update(office, staffed, monkeypatch):
    lookups: list[int] = []
    real = storage.people.active_by_tg

    async def counted(conn, tg_user_id):
        lookups.append(tg_user_id)
        return await real(conn, tg_user_id)

    monkeypatch.setattr(storage.people, "active_by_tg", counted)
    zj, sup = staffed["zj"], staffed["sup"]
    for user, command, answer in (
        (zj, "/help", "可用的功能"),
        (zj, "/mytasks", "督办事项"),
        (sup, "/items", "在办督办事项"),
        (sup, "/invite", "请选择"),
    ):
        lookups.clear()
        await user.send(command)
        await user.expect(answer)
        assert lookups == [user.id], command


async def test_an_update_that_changes_nothing_writes_only_its_id_within_a_second(office, staffed):
    statements: list[str] = []
    await office.emu.settle()  # the registrations are written
    await office.db.raw.set_trace_callback(statements.append)
    zj = staffed["zj"]
    try:
        await zj.send("/help")
        await zj.expect("可用的功能")
        await written(office, office.emu.world.updates.max_returned, PENDING_SECONDS + 2)
    finally:
        await office.db.raw.set_trace_callback(None)
    touched = " ".join(statements)
    assert "ptb_user_data" not in touched and "ptb_chat_data" not in touched
    assert "SELECT 1 FROM seen_updates" not in touched, "a new update id needs no look-up"
    # its id alone, one statement committed by itself (the trace repeats the statement for
    # the pruning trigger it starts): no transaction around it
    assert "INSERT OR IGNORE INTO seen_updates" in touched
    assert not [s for s in statements if s.startswith(("BEGIN", "COMMIT"))], statements


async def test_waiting_ids_go_with_the_next_update_that_writes(office, staffed, monkeypatch):
    monkeypatch.setattr(storage.persistence, "PENDING_SECONDS", 60.0)  # no timer in the way
    sup = staffed["sup"]
    await sup.send("/help")
    await sup.expect("可用的功能")
    helped = office.emu.world.updates.max_returned
    assert not await recorded(office, helped)  # waiting: it changed nothing
    office.emu.redeliver(helped)  # a second delivery while it waits is still recognised
    await sup.send("/items")
    await sup.expect("在办督办事项")
    assert len([m for m in sup.inbox if "可用的功能" in (m.text or "")]) == 1
    await sup.send("/new")  # a form starts: its state is committed, the waiting ids with it
    await sup.expect("标题")
    await written(office, office.emu.world.updates.max_returned, 5)
    assert await recorded(office, helped)


async def test_waiting_ids_are_written_at_shutdown(office, staffed, monkeypatch):
    monkeypatch.setattr(storage.persistence, "PENDING_SECONDS", 60.0)
    zj = staffed["zj"]
    await zj.send("/help")
    await zj.expect("可用的功能")
    helped = office.emu.world.updates.max_returned
    await office.restart()
    assert await recorded(office, helped)


async def recorded(office, update_id: int) -> bool:
    found = await office.scalar(
        "SELECT count(*) FROM seen_updates WHERE update_id = ?", (update_id,)
    )
    return bool(found)


async def written(office, update_id: int, timeout: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await recorded(office, update_id):
        assert loop.time() < deadline, f"update {update_id} was not recorded in {timeout} s"
        await asyncio.sleep(0.05)

"""Nobody uses the bot except through a one-time invitation code.

A code is bound to a role (and for a liaison to a unit and a kind), can be used once, expires
after a week, and is kept only as a hash. A new primary liaison takes over from the old one;
the old registration is kept as history.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from domain import registration
from domain.errors import Refusal
from domain.models import LiaisonKind, Role

pytestmark = pytest.mark.usefixtures("unit_ids")


async def claim(office, code, tg, name="张三"):
    return await registration.register(
        office,
        code,
        tg_user_id=tg,
        chat_id=tg,
        username="zhangsan",
        name=name,
        title="科长",
        phone="13800138000",
    )


async def refused_key(awaitable) -> str:
    with pytest.raises(Refusal) as refused:
        await awaitable
    return refused.value.key


async def rows(office, sql, params=()):
    async with office.db.read() as conn:
        return [dict(r) for r in await conn.all(sql, params)]


# --- the code -------------------------------------------------------------------------------


async def test_a_supervisor_invitation_is_checked_then_claimed(office):
    code, invitation = await registration.create_invite(office, None, Role.SUPERVISOR)
    assert invitation.role is Role.SUPERVISOR and invitation.unit is None
    assert invitation.expires_at.startswith("2026-12-01T10:00")  # seven days

    checked = await registration.check_invite(office, code)
    assert checked.role is Role.SUPERVISOR and checked.label == "督查员"

    done = await claim(office, code, tg=501)
    assert done.person.role is Role.SUPERVISOR
    assert done.person.unit_id is None and done.person.active
    assert done.replaced is None
    assert await office.person(501) == done.person


async def test_a_liaison_invitation_names_the_unit_and_the_kind(office, unit_ids, enrol):
    supervisor = await enrol.supervisor()
    code, invitation = await registration.create_invite(
        office, supervisor, Role.LIAISON, unit_ids.housing, LiaisonKind.PRIMARY
    )
    assert invitation.label == "市住房和城乡建设局主联络员"

    done = await claim(office, code, tg=601)
    assert done.person.role is Role.LIAISON
    assert done.person.unit_id == unit_ids.housing
    assert done.person.liaison_kind is LiaisonKind.PRIMARY
    assert done.supervisors == [supervisor]  # they are told a liaison has joined


async def test_only_a_supervisor_issues_invitations(office, unit_ids, enrol):
    liaison = await enrol.liaison(unit_ids.housing)
    key = await refused_key(registration.create_invite(office, liaison, Role.LEADER))
    assert key == "wrong_role_for"


async def test_a_liaison_invitation_for_a_unit_that_does_not_exist_is_refused(office):
    key = await refused_key(
        registration.create_invite(office, None, Role.LIAISON, 999, LiaisonKind.PRIMARY)
    )
    assert key == "unknown_unit"
    assert await rows(office, "SELECT * FROM invites") == []


async def test_a_used_code_cannot_be_used_again(office):
    code, _ = await registration.create_invite(office, None, Role.LEADER)
    await claim(office, code, tg=701)

    assert await refused_key(registration.check_invite(office, code)) == "invite_used"
    assert await refused_key(claim(office, code, tg=702)) == "invite_used"
    assert await office.person(702) is None


async def test_two_people_racing_for_one_code_one_wins(office):
    code, _ = await registration.create_invite(office, None, Role.LEADER)
    results = await asyncio.gather(
        claim(office, code, tg=711), claim(office, code, tg=712), return_exceptions=True
    )
    winners = [r for r in results if not isinstance(r, BaseException)]
    losers = [r for r in results if isinstance(r, Refusal)]
    assert len(winners) == 1 and len(losers) == 1
    assert losers[0].key == "invite_used"
    assert len(await rows(office, "SELECT * FROM people")) == 1


async def test_a_code_expires_after_the_invitation_period(office, clock):
    code, _ = await registration.create_invite(office, None, Role.SUPERVISOR)
    clock.advance(days=6, hours=23)
    assert (await registration.check_invite(office, code)).role is Role.SUPERVISOR

    clock.advance(days=1, hours=1)  # eight days after it was issued
    assert await refused_key(registration.check_invite(office, code)) == "invite_expired"
    assert await refused_key(claim(office, code, tg=801)) == "invite_expired"
    assert await rows(office, "SELECT * FROM people") == []


@pytest.mark.parametrize("code", ["", "not-a-code", "x" * 24])
async def test_an_unknown_code_is_refused(office, code):
    await registration.create_invite(office, None, Role.SUPERVISOR)
    assert await refused_key(registration.check_invite(office, code)) == "invite_unknown"
    assert await refused_key(claim(office, code, tg=901)) == "invite_unknown"


async def test_the_code_is_never_stored_in_clear(office, db_path: Path):
    code, _ = await registration.create_invite(office, None, Role.SUPERVISOR)
    await claim(office, code, tg=1)

    async with office.db.read() as conn:
        tables = [r[0] for r in await conn.all("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            for row in await conn.all(f"SELECT * FROM {table}"):
                assert not any(code in str(value) for value in tuple(row)), table
        stored = await conn.scalar("SELECT code_hash FROM invites")
    assert stored == registration.hash_code(code) != code
    # nor anywhere in the database files (main file, WAL, shared memory)
    for path in db_path.parent.glob(db_path.name + "*"):
        assert code.encode() not in path.read_bytes(), path.name


# --- who is registered ----------------------------------------------------------------------


async def test_a_registered_telegram_user_cannot_register_again(office, enrol):
    await enrol.supervisor(tg=42)
    code, _ = await registration.create_invite(office, None, Role.LEADER)

    with pytest.raises(Refusal) as refused:
        await claim(office, code, tg=42)
    assert refused.value.key == "already_registered"
    assert refused.value.context == {"role": "督查员"}
    # the code was not spent on the refused attempt
    assert (await registration.check_invite(office, code)).role is Role.LEADER


async def test_a_new_primary_liaison_takes_over_and_the_old_one_is_kept_as_history(
    office, unit_ids, clock
):
    first_code, _ = await registration.create_invite(
        office, None, Role.LIAISON, unit_ids.housing, LiaisonKind.PRIMARY
    )
    first = (await claim(office, first_code, tg=11, name="老李")).person

    clock.advance(days=2)
    second_code, _ = await registration.create_invite(
        office, None, Role.LIAISON, unit_ids.housing, LiaisonKind.PRIMARY
    )
    done = await claim(office, second_code, tg=12, name="小王")

    assert done.replaced == first
    history = await rows(
        office,
        "SELECT name, active, deactivated_at FROM people WHERE unit_id = ? ORDER BY id",
        (unit_ids.housing,),
    )
    assert history == [
        {"name": "老李", "active": 0, "deactivated_at": "2026-11-26T10:00:00+08:00"},
        {"name": "小王", "active": 1, "deactivated_at": None},
    ]
    assert await office.person(11) is None
    assert (await office.person(12)).name == "小王"

    audit = await rows(office, "SELECT person_id, action, unit_id, detail FROM audit ORDER BY id")
    assert [a["action"] for a in audit] == ["发出邀请", "注册", "发出邀请", "注册"]
    handover = audit[-1]
    assert handover["person_id"] == done.person.id and handover["unit_id"] == unit_ids.housing
    assert json.loads(handover["detail"]) == {
        "role": "liaison",
        "kind": "primary",
        "replaced": first.id,
    }


async def test_a_deputy_does_not_replace_the_primary(office, unit_ids, enrol):
    primary = await enrol.liaison(unit_ids.housing, LiaisonKind.PRIMARY)
    code, invitation = await registration.create_invite(
        office, None, Role.LIAISON, unit_ids.housing, LiaisonKind.DEPUTY
    )
    assert invitation.label == "市住房和城乡建设局备用联络员"
    done = await claim(office, code, tg=77)

    assert done.replaced is None
    assert done.person.liaison_kind is LiaisonKind.DEPUTY
    active = await rows(
        office,
        "SELECT id, liaison_kind FROM people WHERE unit_id = ? AND active = 1 ORDER BY id",
        (unit_ids.housing,),
    )
    assert active == [
        {"id": primary.id, "liaison_kind": "primary"},
        {"id": done.person.id, "liaison_kind": "deputy"},
    ]


async def test_a_primary_of_another_unit_is_not_touched(office, unit_ids, enrol):
    housing = await enrol.liaison(unit_ids.housing)
    transport = await enrol.liaison(unit_ids.transport)
    assert (await office.person(housing.tg_user_id)).active
    assert (await office.person(transport.tg_user_id)).active


async def test_every_invitation_and_registration_is_audited(office):
    code, _ = await registration.create_invite(office, None, Role.LEADER)
    person = (await claim(office, code, tg=5)).person
    audit = await rows(office, "SELECT person_id, action, detail FROM audit ORDER BY id")
    assert audit == [
        {
            "person_id": None,
            "action": "发出邀请",
            "detail": json.dumps({"role": "leader", "kind": None}),
        },
        {
            "person_id": person.id,
            "action": "注册",
            "detail": json.dumps({"role": "leader", "kind": None, "replaced": None}),
        },
    ]

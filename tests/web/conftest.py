"""A real office on a real SQLite file, served by the real web app through aiohttp's test
client: people enrolled through invitations, items written through storage as the bot would
leave them (sent, signed, reported, reviewed), a file kept on disk.
"""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.settings import Settings
from domain.items import Status
from domain.models import Attachment, Category, Draft, Period, Person, Source
from domain.office import Office
from storage import audit, items, reports, reviews
from tests.conftest import Enrol, Units
from web import auth
from web.app import create_app

TOKEN = "123456789:" + "W" * 35
HOSTILE = '<script>alert("x")</script>&<b>'
SENT = "2026-11-02T10:00:00+08:00"


@dataclass
class People:
    sup: Person
    leader: Person
    housing: Person  # 住建局 liaison: leads item "led"
    transport: Person  # 交通局 liaison: co-unit of "led", lead of "other"


@dataclass
class Items:
    led: int  # 住建局 leads, 交通局 helps; hostile title, a report with a file, a review
    other: int  # 交通局 alone: not 住建局's
    draft: int  # never sent
    file_id: int


@pytest.fixture
def settings(db_path: Path, tmp_path: Path) -> Settings:
    return Settings(token=TOKEN, db=db_path, attachments_dir=tmp_path / "attachments")


@pytest.fixture
async def people(enrol: Enrol, unit_ids: Units) -> People:
    return People(
        await enrol.supervisor(name="王督查"),
        await enrol.leader(name="赵主任"),
        await enrol.liaison(unit_ids.housing, name="住建联络员"),
        await enrol.liaison(unit_ids.transport, name="交通联络员"),
    )


def draft(title: str, lead: int, co: tuple[int, ...] = (), **kw) -> Draft:
    return Draft(
        title=title,
        instruction=kw.get("instruction", "请按期办理并报送进展。"),
        instructing_leader=kw.get("leader", "王书记"),
        source=Source.INSTRUCTION,
        category=kw.get("category", Category.ORDER),
        lead_unit_id=lead,
        co_unit_ids=co,
        deadline=kw.get("deadline", date(2026, 12, 31)),
        period=Period.WEEKLY,
        is_key=kw.get("is_key", False),
    )


async def add_item(
    conn, d: Draft, sup: Person, serial: int | None, status=Status.IN_PROGRESS
) -> int:
    """An item as the bot leaves it once approved and sent (no serial: a draft)."""
    item_id = await items.insert(conn, d, status=status, created_by=sup.id, now=SENT)
    if serial is not None:
        await conn.execute(
            "UPDATE items SET year = 2026, serial = ?, sent_at = ?, letter_html = ? WHERE id = ?",
            (serial, SENT, f"<b>督 办 函</b>\n{html.escape(d.title)}", item_id),
        )
    return item_id


@pytest.fixture
async def ledger(office: Office, people: People, unit_ids: Units, settings: Settings) -> Items:
    folder = settings.attachments_path / "2026-11-03"
    folder.mkdir(parents=True)
    (folder / "photo.jpg").write_bytes(b"\xff\xd8photo")
    sup = people.sup
    async with office.db.transaction() as conn:
        led = await add_item(
            conn, draft(HOSTILE, unit_ids.housing, (unit_ids.transport,), is_key=True), sup, 1
        )
        other = await add_item(
            conn,
            draft(
                "交通秩序整治", unit_ids.transport, leader="钱副市长", category=Category.GUIDANCE
            ),
            sup,
            2,
        )
        drafted = await add_item(
            conn, draft("草拟中的事项", unit_ids.housing), sup, None, Status.PENDING_APPROVAL
        )
        await items.sign(
            conn, led, unit_ids.housing, people.housing.id, "2026-11-03T09:00:00+08:00"
        )
        await audit.record(
            conn,
            at="2026-11-03T09:00:00+08:00",
            person_id=people.housing.id,
            action="签收",
            item_id=led,
            unit_id=unit_ids.housing,
        )
        photo = Attachment(
            "photo", "F1", "U1", "现场<照片>.jpg", "image/jpeg", 7, str(folder / "photo.jpg")
        )
        report = await reports.insert(
            conn,
            item_id=led,
            unit_id=unit_ids.housing,
            person_id=people.housing.id,
            kind="progress",
            period_key="2026-W45",
            now="2026-11-03T10:00:00+08:00",
            progress="已完成<b>摸底</b>",
            percent=40,
            attachments=(photo,),
        )
        await reviews.add(
            conn,
            item_id=led,
            report_id=report,
            reviewer_id=sup.id,
            checks={"按批示精神办理": True, "问题全部查清": False},
            decision="return",
            reason="问题未查清",
            now="2026-11-04T10:00:00+08:00",
        )
        file_id = await conn.scalar("SELECT id FROM attachments WHERE report_id = ?", (report,))
    return Items(led, other, drafted, file_id)


@pytest.fixture
async def client(office: Office, settings: Settings) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(create_app(office, settings))) as found:
        yield found


async def log_in(client: TestClient, office: Office, person: Person) -> None:
    """What tapping the /web link does: spend it, keep the session cookie."""
    token = await auth.issue_link(office, person)
    response = await client.get(f"/login/{token}")
    assert response.status == 200, await response.text()

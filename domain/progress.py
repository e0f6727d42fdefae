"""进展 and 办结报告: a unit reports on an item; every version is kept, nothing overwritten.

A progress report belongs to the item's current reporting period; a second one in the same
period is version 2. A correction (补充更正) is allowed until a supervisor has read the
report, and is itself a new version that names the one it corrects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from domain.errors import Refusal
from domain.items import COMPLETABLE, REPORTABLE, completion_action, transition
from domain.models import Attachment, Item, Person, Report, Role, Unit
from domain.office import Office, Then, after, require, unit_of
from domain.periods import window
from storage import alerts, audit, items, people, plan, reports, units
from storage.db import Conn

NOTHING = {"", "无", "没有", "暂无"}
_PERCENT = re.compile(r"^(\d{1,3})\s*[%％]?$")


@dataclass(frozen=True)
class ProgressForm:
    progress: str
    percent: int
    difficulties: str
    next_steps: str
    attachments: tuple[Attachment, ...] = ()
    quantity: Decimal | None = None  # cumulative, on a quantified 大事要事 target


@dataclass
class Submitted:
    report_id: int
    item: Item
    unit: Unit
    version: int
    period_key: str
    notify: list[Person] = field(default_factory=list)
    key_flagged: bool = False
    corrects: int | None = None


def percent(value: str | None) -> int:
    match = _PERCENT.match((value or "").strip())
    if not match or int(match.group(1)) > 100:
        raise Refusal("bad_percent", value=(value or "")[:20])
    return int(match.group(1))


def has_difficulties(text: str) -> bool:
    return text.strip() not in NOTHING


def sent_on(item: Item) -> date:
    return date.fromisoformat((item.sent_at or item.created_at)[:10])


async def _mine(conn: Conn, liaison: Person, item_id: int) -> Item:
    item = await items.get(conn, item_id)
    if item is None:
        raise Refusal("item_unknown")
    mine = item.unit(liaison.unit_id)
    if mine is None:
        raise Refusal("not_your_item")
    if not mine.signed_at:
        raise Refusal("sign_before_report")
    return item


async def reportable(office: Office, person: Person | None) -> list[Item]:
    """The liaison's items that take a progress report now (signed, in a reporting state)."""
    liaison = require(person, Role.LIAISON)
    async with office.db.read() as conn:
        found = await items.search(conn, statuses=REPORTABLE, unit_id=unit_of(liaison))
    return [i for i in found if i.signed_by(unit_of(liaison))]


async def start_report(
    office: Office, person: Person | None, item_id: int
) -> tuple[Item, Report | None, tuple[Decimal, str] | None]:
    """The item to report on, the unit's previous report (to carry over), and the goal of a
    quantified 大事要事 target (its quantity and measure), if the item carries one."""
    liaison = require(person, Role.LIAISON)
    async with office.db.read() as conn:
        item = await _mine(conn, liaison, item_id)
        if item.status not in REPORTABLE:
            raise Refusal("not_allowed_now", status=item.status, action="报送进展")
        previous = await reports.latest(conn, item_id, unit_of(liaison), "progress")
        return item, previous, await plan.goal(conn, item.target_id)


async def submit_progress(
    office: Office,
    person: Person | None,
    item_id: int,
    form: ProgressForm,
    corrects: int | None = None,
    then: Then | None = None,
) -> Submitted:
    liaison = require(person, Role.LIAISON)
    now = office.now()
    async with office.db.transaction() as conn:
        item = await _mine(conn, liaison, item_id)
        if item.status not in REPORTABLE:
            raise Refusal("not_allowed_now", status=item.status, action="报送进展")
        if await plan.goal(conn, item.target_id) is None:
            form = replace(form, quantity=None)
        elif form.quantity is None:
            raise Refusal("quantity_needed")
        repeated = False
        if corrects is not None:
            corrected = await _correctable(conn, liaison, corrects)
            period_key = corrected.period_key
            repeated = corrected.difficulties == form.difficulties
        else:
            period_key = window(item.period, office.clock.today(), sent_on(item), item.deadline).key
        flagged = item.is_key and has_difficulties(form.difficulties)
        report_id = await reports.insert(
            conn,
            item_id=item_id,
            unit_id=unit_of(liaison),
            person_id=liaison.id,
            kind="progress",
            period_key=period_key,
            now=now,
            progress=form.progress,
            percent=form.percent,
            difficulties=form.difficulties,
            next_steps=form.next_steps,
            key_flagged=flagged,
            corrects=corrects,
            attachments=form.attachments,
            quantity=None if form.quantity is None else str(form.quantity),
        )
        version = await reports.version(conn, report_id)
        await audit.record(
            conn,
            at=now,
            person_id=liaison.id,
            action="补充更正进展" if corrects else "报送进展",
            item_id=item_id,
            unit_id=liaison.unit_id,
            note=f"{period_key} 第{version}版 {form.percent}%"
            + ("" if form.quantity is None else f" 累计{form.quantity}"),
        )
        if flagged and not repeated:  # a correction that keeps the same difficulty is no news
            await alerts.add(
                conn,
                "key_difficulty",
                now=now,
                item_id=item_id,
                unit_id=liaison.unit_id,
                difficulties=form.difficulties,
            )
        unit = await units.known(conn, unit_of(liaison))
        drafter = await people.get(conn, item.created_by)
        notify = [drafter] if drafter and drafter.active else []
        done = Submitted(report_id, item, unit, version, period_key, notify, flagged, corrects)
        return await after(then, conn, done)


async def _correctable(conn: Conn, liaison: Person, report_id: int) -> Report:
    report = await reports.get(conn, report_id)
    if report is None or report.unit_id != liaison.unit_id or report.kind != "progress":
        raise Refusal("stale_button")
    if report.read_at:
        raise Refusal("report_already_read")
    if await reports.newer_exists(conn, report):
        raise Refusal("report_superseded")
    return report


async def start_correction(office: Office, person: Person | None, report_id: int) -> Report:
    """The report to correct, if it is still the unit's newest and unread."""
    liaison = require(person, Role.LIAISON)
    async with office.db.read() as conn:
        return await _correctable(conn, liaison, report_id)


async def mark_read(office: Office, person: Person | None, report_id: int) -> bool:
    """A supervisor has read the progress report: from now on it can no longer be corrected.
    Only the 督查室 reads them off; a completion report is settled by review (五查), not 已阅."""
    reader = require(person, Role.SUPERVISOR)
    async with office.db.transaction() as conn:
        report = await reports.get(conn, report_id)
        if report is None or report.kind != "progress":
            raise Refusal("stale_button")
        return await reports.mark_read(conn, report_id, reader.id, office.now())


async def submit_completion(
    office: Office,
    person: Person | None,
    item_id: int,
    text: str,
    attachments: tuple[Attachment, ...] = (),
    then: Then | None = None,
) -> Submitted:
    """申请办结 by the lead unit: the item waits for review (待审核)."""
    liaison = require(person, Role.LIAISON)
    now = office.now()
    async with office.db.transaction() as conn:
        item = await _mine(conn, liaison, item_id)
        if not item.led_by(unit_of(liaison)):
            raise Refusal("lead_only")
        action = completion_action(item.status)
        target = transition(item.status, action, liaison.role)
        report_id = await reports.insert(
            conn,
            item_id=item_id,
            unit_id=unit_of(liaison),
            person_id=liaison.id,
            kind="completion",
            period_key="completion",
            now=now,
            progress=text,
            percent=100,
            attachments=attachments,
        )
        version = await reports.version(conn, report_id)
        await items.set_status(conn, item_id, target, now)
        await audit.record(
            conn,
            at=now,
            person_id=liaison.id,
            action=action.value,
            item_id=item_id,
            unit_id=liaison.unit_id,
            note=f"第{version}次报送",
        )
        unit = await units.known(conn, unit_of(liaison))
        supervisors = await people.with_role(conn, Role.SUPERVISOR)
        item = await items.known(conn, item_id)
        done = Submitted(report_id, item, unit, version, "completion", supervisors)
        return await after(then, conn, done)


async def completable(office: Office, person: Person | None) -> list[Item]:
    """The lead unit's items where 申请办结 is possible now."""
    liaison = require(person, Role.LIAISON)
    return [
        i
        for i in await reportable(office, liaison)
        if i.status in COMPLETABLE and i.led_by(unit_of(liaison))
    ]

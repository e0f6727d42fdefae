"""审核 with the 五查: a completion report passes only if all five checks hold.

The reviewer's five answers travel as a bit mask (bit i set = check i holds). The mask is only
the reviewer's own opinion, so it may ride in callback data; who may decide, and whether the
report is still the one under review, is checked against the database on every press.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from domain import revisits
from domain.errors import Refusal
from domain.items import IN_REVIEW, VERIFYING, Action, transition
from domain.models import Attachment, Event, Item, Person, Report, Role, Verification
from domain.office import Office, Then, after, require
from storage import alerts, audit, items, people, reports, reviews
from storage.db import Conn


@dataclass(frozen=True)
class Check:
    name: str
    question: str
    failure: str


CHECKS: tuple[Check, ...] = (
    Check("按批示精神办理", "是否按批示精神办理", "未按批示精神办理，存在跑偏走样"),
    Check("问题全部查清", "反映的问题是否全部查清", "问题未全部查清，存在漏题错项"),
    Check("定性结论准确", "定性结论是否准确", "定性结论不准确，存在避重就轻"),
    Check("整改意见务实", "整改意见是否务实", "整改意见不务实，存在空洞违规"),
    Check("措施落实到位", "整改措施是否落实到位", "措施未落实到位，存在漂浮落空"),
)
ALL_PASS = (1 << len(CHECKS)) - 1


def failed(mask: int) -> list[Check]:
    return [c for i, c in enumerate(CHECKS) if not mask >> i & 1]


def valid_mask(mask: int | None) -> int:
    if mask is None or not 0 <= mask <= ALL_PASS:
        raise Refusal("stale_button")
    return mask


@dataclass
class Decided:
    item: Item
    liaisons: list[Person] = field(default_factory=list)
    failed: list[Check] = field(default_factory=list)
    revisits: list[date] = field(default_factory=list)


# the review card: the report, its files, the item, its history and the latest on-site check
Card = tuple[Report, Item, list[Attachment], list[Event], Verification | None]


async def under_review(conn: Conn, report_id: int) -> tuple[Report, Item]:
    """The completion report and its item, if this report is the one awaiting a decision."""
    report = await reports.get(conn, report_id)
    if report is None or report.kind != "completion":
        raise Refusal("stale_button")
    item = await items.known(conn, report.item_id)
    latest = await reports.latest(conn, item.id, report.unit_id, "completion")
    if latest is None or latest.id != report_id:
        raise Refusal("report_superseded")
    if item.status not in IN_REVIEW:
        raise Refusal("not_allowed_now", status=item.status, action="审核")
    return report, item


async def load_card(
    office: Office, person: Person | None, report_id: int, conn: Conn | None = None
) -> Card:
    """What the review card shows: the report, its files, the item and its history. Inside
    a transaction pass its `conn` (the card is queued with the action that causes it)."""
    require(person, Role.SUPERVISOR)
    if conn is not None:
        return await _card(conn, report_id)
    async with office.db.read() as conn:
        return await _card(conn, report_id)


async def _card(conn: Conn, report_id: int) -> Card:
    report, item = await under_review(conn, report_id)
    files = await reports.attachments(conn, report_id)
    history = await audit.timeline(conn, item.id)
    verification = await reviews.latest_verification(conn, report_id)
    return report, item, files, history, verification


async def _liaisons(conn: Conn, item: Item) -> list[Person]:
    found = []
    for unit in item.units:
        found += await people.liaisons(conn, unit.unit_id)
    return found


async def _record(
    conn: Conn,
    item: Item,
    report_id: int,
    reviewer: Person,
    mask: int,
    decision: str,
    reason: str,
    now: str,
) -> None:
    checks = {c.name: bool(mask >> i & 1) for i, c in enumerate(CHECKS)}
    await reviews.add(
        conn,
        item_id=item.id,
        report_id=report_id,
        reviewer_id=reviewer.id,
        checks=checks,
        decision=decision,
        reason=reason,
        now=now,
    )


async def pass_report(
    office: Office, person: Person | None, report_id: int, mask: int, then: Then | None = None
) -> Decided:
    """通过办结: all five checks must hold; the item closes and revisits are scheduled."""
    reviewer = require(person, Role.SUPERVISOR)
    if failed(valid_mask(mask)):
        raise Refusal("checks_not_all_passed", failed="、".join(c.name for c in failed(mask)))
    now = office.now()
    async with office.db.transaction() as conn:
        _, item = await under_review(conn, report_id)
        target = transition(item.status, Action.PASS, reviewer.role)
        await _record(conn, item, report_id, reviewer, mask, "pass", "", now)
        await items.set_status(conn, item.id, target, now, closed_at=now)
        item = await items.known(conn, item.id)
        scheduled = await revisits.schedule(conn, office, item, office.clock.today())
        await audit.record(
            conn,
            at=now,
            person_id=reviewer.id,
            action="通过办结",
            item_id=item.id,
            note="五查全部通过",
        )
        await alerts.add(
            conn,
            "closed",
            now=now,
            item_id=item.id,
            unit_id=item.lead.unit_id if item.lead else None,
            leader=item.instructing_leader,
            source=item.source.value,
        )
        liaisons = await _liaisons(conn, item)
        return await after(then, conn, Decided(item, liaisons, [], scheduled))


async def return_report(
    office: Office,
    person: Person | None,
    report_id: int,
    mask: int,
    reason: str,
    then: Then | None = None,
) -> Decided:
    """退回补充: the failed checks are named for the unit, with the reviewer's reason."""
    reviewer = require(person, Role.SUPERVISOR)
    failures = failed(valid_mask(mask))
    if not failures:
        raise Refusal("return_needs_failed_check")
    now = office.now()
    async with office.db.transaction() as conn:
        report, item = await under_review(conn, report_id)
        target = transition(item.status, Action.RETURN_REPORT, reviewer.role)
        await _record(conn, item, report_id, reviewer, mask, "return", reason, now)
        await items.set_status(conn, item.id, target, now, status_reason=reason)
        await items.count_return(conn, item.id)
        await audit.record(
            conn,
            at=now,
            person_id=reviewer.id,
            action="退回补充",
            item_id=item.id,
            reason=reason,
            failed=[c.name for c in failures],
        )
        item = await items.known(conn, item.id)
        lead = await people.liaisons(conn, report.unit_id)
        return await after(then, conn, Decided(item, lead, failures))


async def order_verification(
    office: Office,
    person: Person | None,
    report_id: int,
    mask: int,
    verifier: str,
    planned_on: date,
) -> Decided:
    """需实地核查: who verifies and when; the decision waits for the finding."""
    reviewer = require(person, Role.SUPERVISOR)
    valid_mask(mask)
    now = office.now()
    async with office.db.transaction() as conn:
        _, item = await under_review(conn, report_id)
        target = transition(item.status, Action.ORDER_VERIFICATION, reviewer.role)
        await _record(conn, item, report_id, reviewer, mask, "verify", "", now)
        await reviews.order_verification(
            conn,
            item_id=item.id,
            report_id=report_id,
            verifier=verifier,
            planned_on=planned_on.isoformat(),
            ordered_by=reviewer.id,
            now=now,
        )
        await items.set_status(conn, item.id, target, now)
        await audit.record(
            conn,
            at=now,
            person_id=reviewer.id,
            action="需实地核查",
            item_id=item.id,
            note=f"{verifier}，{planned_on.isoformat()}",
        )
        item = await items.known(conn, item.id)
    return Decided(item)


def _awaits_finding(item: Item) -> None:
    if item.status not in VERIFYING:
        raise Refusal("not_allowed_now", status=item.status, action="录入核查结果")


async def may_answer(office: Office, person: Person | None, report_id: int, finding: bool) -> None:
    """Asked before a 退回补充 reason or a 核查 finding is typed: refused now, not after."""
    require(person, Role.SUPERVISOR)
    async with office.db.read() as conn:
        _, item = await under_review(conn, report_id)
    if finding:
        _awaits_finding(item)


async def record_finding(
    office: Office, person: Person | None, report_id: int, finding: str
) -> Item:
    """The on-site finding; the review card is then shown again for the decision."""
    reviewer = require(person, Role.SUPERVISOR)
    now = office.now()
    async with office.db.transaction() as conn:
        _, item = await under_review(conn, report_id)
        _awaits_finding(item)
        verification = await reviews.latest_verification(conn, report_id)
        if verification is None:
            raise Refusal("stale_button")
        await reviews.record_finding(conn, verification.id, finding, reviewer.id, now)
        await audit.record(
            conn,
            at=now,
            person_id=reviewer.id,
            action="录入核查结果",
            item_id=item.id,
            note=finding,
        )
    return item

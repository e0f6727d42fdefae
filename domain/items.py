"""Item states, the actions that move them, and who may take each: one table, one function.

The table is the whole status model. Everything else asks `transition()` or one of the named
groups below; no handler, query or template compares statuses on its own. A status is stored
as its code (`Status.value`) and shown by its label (`Status.label`, from LABELS): storage
binds codes, people read labels.
"""

from __future__ import annotations

from enum import StrEnum

from domain.errors import Refusal
from domain.models import Role


class Status(StrEnum):
    """An item's state. The value is the code stored in the database; `label` is what people
    read (templates, the ledger, the chart), from the one map LABELS below."""

    PENDING_APPROVAL = "pending_approval"
    RETURNED_FOR_REVISION = "returned_for_revision"
    AWAITING_SIGN = "awaiting_sign"
    IN_PROGRESS = "in_progress"
    EXTENSION_REQUESTED = "extension_requested"
    SUSPENDED = "suspended"
    UNDER_REVIEW = "under_review"
    RETURNED_FOR_SUPPLEMENT = "returned_for_supplement"
    AWAITING_VERIFICATION = "awaiting_verification"
    CLOSED = "closed"
    REVISITING = "revisiting"
    CANCELLED = "cancelled"
    RECORDED = "recorded"

    @property
    def label(self) -> str:
        """The office's word for this state."""
        return LABELS[self]

    def __str__(self) -> str:
        """Printed, a state reads as its label: an office's own template written before the
        codes (`{{ item.status }}`) still shows 办理中. Formatting and SQL use the code."""
        return LABELS[self]


LABELS: dict[Status, str] = {
    Status.PENDING_APPROVAL: "待审定",
    Status.RETURNED_FOR_REVISION: "已退回修改",
    Status.AWAITING_SIGN: "待签收",
    Status.IN_PROGRESS: "办理中",
    Status.EXTENSION_REQUESTED: "申请延期",
    Status.SUSPENDED: "暂停",
    Status.UNDER_REVIEW: "待审核",
    Status.RETURNED_FOR_SUPPLEMENT: "已退回补充",
    Status.AWAITING_VERIFICATION: "待核查",
    Status.CLOSED: "已办结",
    Status.REVISITING: "回访中",
    Status.CANCELLED: "已撤销",
    Status.RECORDED: "已登记",
}


class Action(StrEnum):
    APPROVE = "同意下发"
    RETURN_LETTER = "退回修改"
    RESUBMIT = "重新提交"
    LEAD_SIGN = "牵头单位签收"
    REQUEST_EXTENSION = "申请延期"
    GRANT_EXTENSION = "同意延期"
    REFUSE_EXTENSION = "不同意延期"
    SUSPEND = "暂停"
    RESUME = "恢复"
    CANCEL = "撤销"
    SUBMIT_COMPLETION = "申请办结"
    RETURN_REPORT = "退回补充"
    RESUBMIT_COMPLETION = "重新报送办结"
    ORDER_VERIFICATION = "需实地核查"
    PASS = "通过办结"
    START_REVISIT = "开始回访"
    FINISH_REVISIT = "回访完成"
    REOPEN = "重办"


S, A = Status, Action
SUP, LEAD, LIA, SYS = Role.SUPERVISOR, Role.LEADER, Role.LIAISON, Role.SYSTEM
PREVIOUS = "（暂停前的状态）"  # RESUME returns to where the item was when it was suspended
_ACTIVE = (
    S.AWAITING_SIGN,
    S.IN_PROGRESS,
    S.EXTENSION_REQUESTED,
    S.UNDER_REVIEW,
    S.RETURNED_FOR_SUPPLEMENT,
    S.AWAITING_VERIFICATION,
    S.SUSPENDED,
)

# (from, action) -> (to, roles allowed)
TRANSITIONS: dict[tuple[Status, Action], tuple[Status | str, frozenset[Role]]] = {
    (S.PENDING_APPROVAL, A.APPROVE): (S.AWAITING_SIGN, frozenset({LEAD, SUP})),
    (S.PENDING_APPROVAL, A.RETURN_LETTER): (S.RETURNED_FOR_REVISION, frozenset({LEAD, SUP})),
    (S.RETURNED_FOR_REVISION, A.RESUBMIT): (S.PENDING_APPROVAL, frozenset({SUP})),
    (S.AWAITING_SIGN, A.LEAD_SIGN): (S.IN_PROGRESS, frozenset({LIA})),
    (S.IN_PROGRESS, A.REQUEST_EXTENSION): (S.EXTENSION_REQUESTED, frozenset({LIA})),
    (S.EXTENSION_REQUESTED, A.GRANT_EXTENSION): (S.IN_PROGRESS, frozenset({SUP})),
    (S.EXTENSION_REQUESTED, A.REFUSE_EXTENSION): (S.IN_PROGRESS, frozenset({SUP})),
    (S.IN_PROGRESS, A.SUBMIT_COMPLETION): (S.UNDER_REVIEW, frozenset({LIA})),
    (S.RETURNED_FOR_SUPPLEMENT, A.RESUBMIT_COMPLETION): (S.UNDER_REVIEW, frozenset({LIA})),
    (S.UNDER_REVIEW, A.RETURN_REPORT): (S.RETURNED_FOR_SUPPLEMENT, frozenset({SUP})),
    (S.UNDER_REVIEW, A.ORDER_VERIFICATION): (S.AWAITING_VERIFICATION, frozenset({SUP})),
    (S.UNDER_REVIEW, A.PASS): (S.CLOSED, frozenset({SUP})),
    (S.AWAITING_VERIFICATION, A.PASS): (S.CLOSED, frozenset({SUP})),
    (S.AWAITING_VERIFICATION, A.RETURN_REPORT): (S.RETURNED_FOR_SUPPLEMENT, frozenset({SUP})),
    (S.REVISITING, A.FINISH_REVISIT): (S.CLOSED, frozenset({SUP})),
    (S.REVISITING, A.REOPEN): (S.IN_PROGRESS, frozenset({SUP})),
    (S.CLOSED, A.REOPEN): (S.IN_PROGRESS, frozenset({SUP})),
    (S.SUSPENDED, A.RESUME): (PREVIOUS, frozenset({SUP})),
    (S.CLOSED, A.START_REVISIT): (S.REVISITING, frozenset({SYS})),
}
for _state in (S.AWAITING_SIGN, S.IN_PROGRESS, S.EXTENSION_REQUESTED):
    TRANSITIONS[(_state, A.SUSPEND)] = (S.SUSPENDED, frozenset({SUP}))
for _state in (*_ACTIVE, S.PENDING_APPROVAL, S.RETURNED_FOR_REVISION):
    TRANSITIONS[(_state, A.CANCEL)] = (S.CANCELLED, frozenset({SUP}))


def sources(action: Action, role: Role | None = None) -> frozenset[Status]:
    """The statuses the table lets `action` start from (for `role`, if named): asked of the
    table, never written out by hand."""
    return frozenset(
        s
        for (s, a), (_, roles) in TRANSITIONS.items()
        if a is action and (role is None or role in roles)
    )


# ---- status groups: every "finished", "stopped", "open" in the code is one of these -----------
DRAFTS = frozenset({S.PENDING_APPROVAL, S.RETURNED_FOR_REVISION})  # not yet sent to a unit
FINISHED = frozenset({S.CLOSED, S.REVISITING})  # the work is done (a revisit only checks it)
STOPPED = frozenset({S.CANCELLED, S.RECORDED})  # withdrawn, or only kept for reference
SETTLED = FINISHED | STOPPED  # nothing more is asked of the units
OPEN_STATUSES = frozenset({*DRAFTS, *_ACTIVE, S.REVISITING})
SEEN = OPEN_STATUSES | {S.CLOSED}  # what /item and /letter offer (撤销 items are typed)
IN_WORK = OPEN_STATUSES - DRAFTS  # sent to the units and not finished: what summaries count
RUNNING = frozenset(_ACTIVE) - {S.SUSPENDED}  # sent, not finished, not paused: may fall overdue
PAUSED = frozenset({S.SUSPENDED})  # set aside by the office: nothing is owed meanwhile
REVISITS = frozenset({S.REVISITING})  # closed, and the lead unit is asked whether it held
# what the reminder policy chases, and where it expects periodic reports
CHASED = frozenset(
    {S.AWAITING_SIGN, S.IN_PROGRESS, S.EXTENSION_REQUESTED, S.RETURNED_FOR_SUPPLEMENT}
)
REPORTING = CHASED - {S.AWAITING_SIGN}
# what the policy decides on: the chased statuses, and a revisit the lead unit has not answered
DECIDED = CHASED | REVISITS
WAITING_ON_UNIT = frozenset({S.AWAITING_SIGN, S.IN_PROGRESS, S.RETURNED_FOR_SUPPLEMENT})
# where a unit may still sign: the lead unit's 签收 starts the work, a co-unit may sign later
SIGNABLE = frozenset({S.AWAITING_SIGN, S.IN_PROGRESS})
# where a unit may report progress (a report during review or an extension request is welcome)
REPORTABLE = frozenset(
    {
        S.IN_PROGRESS,
        S.EXTENSION_REQUESTED,
        S.RETURNED_FOR_SUPPLEMENT,
        S.UNDER_REVIEW,
        S.AWAITING_VERIFICATION,
    }
)
REVISABLE = sources(A.RESUBMIT)  # a returned letter its drafter may edit and send again
IN_REVIEW = sources(A.PASS)  # a completion report waits for the office's decision
VERIFYING = frozenset({S.AWAITING_VERIFICATION})  # the office checks on site before deciding
# where the lead unit may apply for 办结: first time, or again after a return
COMPLETABLE = sources(A.SUBMIT_COMPLETION) | sources(A.RESUBMIT_COMPLETION)


def completion_action(status: str) -> Action:
    """申请办结 the first time, or 重新报送办结 after the office returned the report."""
    if status in sources(A.RESUBMIT_COMPLETION):
        return A.RESUBMIT_COMPLETION
    return A.SUBMIT_COMPLETION


def transition(status: str, action: Action, role: Role, previous: str | None = None) -> Status:
    """The state after `action`, or a Refusal naming why it is not allowed now.

    `previous` is the state before a suspension, where RESUME returns to.
    """
    current = Status(status)
    rule = TRANSITIONS.get((current, action))
    if rule is None:
        raise Refusal("not_allowed_now", status=current, action=action.value)
    target, roles = rule
    if role not in roles:
        raise Refusal("wrong_role", action=action.value)
    if target == PREVIOUS:
        return Status(previous) if previous else Status.IN_PROGRESS
    return Status(target)


def may_approve(role: Role, leaders_registered: int, supervisor_may_approve: bool) -> bool:
    """Leaders approve letters; a supervisor only stands in when the office has no leader."""
    if role is Role.LEADER:
        return True
    return role is Role.SUPERVISOR and leaders_registered == 0 and supervisor_may_approve


def allowed(status: str, role: Role, actions: tuple[Action, ...]) -> list[Action]:
    """Which of `actions` this role may take on an item in this status (for offering buttons)."""
    return [
        a for a in actions if (rule := TRANSITIONS.get((Status(status), a))) and role in rule[1]
    ]

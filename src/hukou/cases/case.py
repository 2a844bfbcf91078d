"""A case is an append-only log of actions; everything else about it is derived from the log.

Kinds: `settlement` (a principal with followers), `residence_permit` (apply, issue, then yearly
endorsement, replacement and cancellation), `student_move` (a rural student's move to the college's collective household) and
`graduate_move` (back to the place of origin or to the place of work). `next_actions(case, role)` says
what may happen next and by whom; `append(case, action, expected_version)` checks the action against
the log and returns the longer log, or raises naming what is wrong. Nothing here touches storage:
the store writes the appended action in one transaction (see the casework issue).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from hukou.policy.endorsement import endorsement_status

KINDS = ("settlement", "residence_permit", "student_move", "graduate_move")
ROLES = ("applicant", "police_station", "county_approver", "department", "leader", "auditor", "administrator")

# The action types, in the order a case usually meets them.
SUBMITTED = "submitted"
CONSENT_RECORDED = "consent_recorded"  # the applicant's, or an adult follower's (§二(二)2)
ACCEPTED = "accepted"
MATERIALS_REQUESTED = "materials_requested"  # once, all together (一次性告知)
MATERIALS_PROVIDED = "materials_provided"
DEADLINE_EXTENDED = "deadline_extended"  # permit: to 30 days, with a reason (第九条)
REVIEWED = "reviewed"
APPROVED = "approved"
REJECTED = "rejected"
SECOND_APPROVAL = "second_approval"  # needed to reject a person the rules find eligible
REGISTERED = "registered"  # settlement, student or graduate move: the hukou moved
ISSUED = "issued"  # residence permit: valid from here until cancelled
ENDORSED = "endorsed"  # the yearly 签注 of an issued permit (第十条)
REPLACED = "replaced"  # 补领 or 换领 of an issued permit, with a reason
CANCELLED = "cancelled"  # 注销 of an issued permit, with a reason (for one: the holder settled)
WITHDRAWN = "withdrawn"

# An issued permit stays open (it is endorsed, replaced) until it is cancelled.
FINISHED = frozenset({REJECTED, REGISTERED, CANCELLED, WITHDRAWN})
DECIDED = frozenset({APPROVED, REJECTED})
OFFICERS = frozenset({"police_station", "county_approver"})
# Actions that add to a case without changing its status.
_BESIDE_STATUS = frozenset({CONSENT_RECORDED, MATERIALS_PROVIDED, DEADLINE_EXTENDED, SECOND_APPROVAL, ENDORSED, REPLACED})


class CaseError(ValueError):
    """An action that cannot be appended: `field` names what is wrong (a 4xx, never a 5xx)."""

    def __init__(self, field: str, message: str, status: int = 422):
        self.field, self.message, self.status = field, message, status
        super().__init__(f"{field}: {message}")


@dataclass(frozen=True)
class Action:
    type: str
    at: datetime
    by: str  # user id
    role: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    id: str
    kind: str
    actions: tuple[Action, ...] = ()

    @property
    def version(self) -> int:
        """How many actions the log holds: the version an action must name to be appended."""
        return len(self.actions)


@dataclass(frozen=True)
class State:
    status: str  # the latest decisive action, or "draft" before submission
    submitted_at: datetime | None
    accepted_at: datetime | None
    materials_outstanding: tuple[str, ...]
    consents: frozenset[str]  # who has consented (the applicant, adult followers by name)
    extended: bool
    finished: bool
    decided_at: datetime | None = None  # the approval or rejection
    issued_at: datetime | None = None  # permit
    endorsements: tuple[datetime, ...] = ()  # permit


def state(case: Case) -> State:
    """The case's state, derived from its log alone."""
    status, submitted, accepted = "draft", None, None
    outstanding: tuple[str, ...] = ()
    consents: set[str] = set()
    extended = False
    decided = issued = None
    endorsements: list[datetime] = []
    for a in case.actions:
        if a.type in DECIDED:
            decided = a.at
        elif a.type == ISSUED:
            issued = a.at
        elif a.type == ENDORSED:
            endorsements.append(a.at)
        elif a.type == SUBMITTED:
            submitted = a.at
        elif a.type == ACCEPTED:
            accepted = a.at
        elif a.type == MATERIALS_REQUESTED:
            outstanding = tuple(a.data.get("items", ()))
        elif a.type == MATERIALS_PROVIDED:
            outstanding = tuple(i for i in outstanding if i not in set(a.data.get("items", ())))
        elif a.type == CONSENT_RECORDED:
            consents.add(a.data.get("who", "applicant"))
        elif a.type == DEADLINE_EXTENDED:
            extended = True
        if a.type not in _BESIDE_STATUS:
            status = a.type
    return State(status, submitted, accepted, outstanding, frozenset(consents), extended, status in FINISHED,
                 decided, issued, tuple(endorsements))


def required_consents(case: Case) -> frozenset[str]:
    """Settlement needs the applicant's consent and each adult follower's (§二(二)2)."""
    first = next((a for a in case.actions if a.type == SUBMITTED), None)
    adults = first.data.get("adult_followers", ()) if first else ()
    return frozenset({"applicant", *adults})


# what may follow each status, and who may do it
_NEXT: dict[str, dict[str, frozenset[str]]] = {
    "draft": {SUBMITTED: frozenset({"applicant", "police_station"})},
    SUBMITTED: {ACCEPTED: OFFICERS, MATERIALS_REQUESTED: OFFICERS, WITHDRAWN: frozenset({"applicant"})},
    MATERIALS_REQUESTED: {ACCEPTED: OFFICERS, WITHDRAWN: frozenset({"applicant"})},
    ACCEPTED: {REVIEWED: OFFICERS, WITHDRAWN: frozenset({"applicant"})},
    REVIEWED: {APPROVED: frozenset({"county_approver"}), REJECTED: frozenset({"county_approver"}),
               WITHDRAWN: frozenset({"applicant"})},
    APPROVED: {REGISTERED: OFFICERS, ISSUED: OFFICERS, WITHDRAWN: frozenset({"applicant"})},
    ISSUED: {ENDORSED: OFFICERS, REPLACED: OFFICERS, CANCELLED: OFFICERS},
}
_ANYTIME = {CONSENT_RECORDED: frozenset({"applicant"}), MATERIALS_PROVIDED: frozenset({"applicant", "police_station"}),
            DEADLINE_EXTENDED: OFFICERS, SECOND_APPROVAL: frozenset({"county_approver"})}


def next_actions(case: Case, role: str) -> list[str]:
    """The action types `role` may append now."""
    s = state(case)
    if s.finished:
        return []
    allowed = {t for t, roles in _NEXT.get(s.status, {}).items() if role in roles}
    if s.status not in ("draft", ISSUED):  # an issued permit is past materials, consent and deadlines
        allowed |= {t for t, roles in _ANYTIME.items() if role in roles}
    if case.kind == "residence_permit":
        allowed.discard(REGISTERED)
        if s.extended:
            allowed.discard(DEADLINE_EXTENDED)
    else:
        allowed.discard(ISSUED)
        allowed.discard(DEADLINE_EXTENDED)
    if s.status == SUBMITTED and any(a.type == MATERIALS_REQUESTED for a in case.actions):
        allowed.discard(MATERIALS_REQUESTED)
    if s.status == MATERIALS_REQUESTED and s.materials_outstanding:
        allowed.discard(ACCEPTED)
    return sorted(allowed)


def append(case: Case, action: Action, expected_version: int) -> Case:
    """The case with `action` appended, after every check; raises CaseError otherwise."""
    if case.kind not in KINDS:
        raise CaseError("kind", f"expected one of {', '.join(KINDS)} (got {case.kind!r})")
    if action.role not in ROLES:
        raise CaseError("role", f"expected one of {', '.join(ROLES)} (got {action.role!r})")
    if expected_version != case.version:
        raise CaseError("expected_version", f"the case is at version {case.version}, not {expected_version}: "
                                            "someone acted on it first; reload and try again", status=409)
    if action.type not in next_actions(case, action.role):
        raise CaseError("type", f"{action.type!r} is not possible now for {action.role} "
                                f"(possible: {', '.join(next_actions(case, action.role)) or 'nothing'})", status=409)
    _check_data(case, action)
    return replace(case, actions=case.actions + (action,))


_NEEDS_REASON = {DEADLINE_EXTENDED: "an extension needs its reason",
                 REPLACED: "a replacement (补领/换领) needs its reason", CANCELLED: "a cancellation (注销) needs its reason"}


def _check_data(case: Case, action: Action) -> None:
    data = action.data
    if action.type == MATERIALS_REQUESTED and not data.get("items"):
        raise CaseError("data.items", "name every missing item at once (一次性告知)")
    if action.type in _NEEDS_REASON and not str(data.get("reason", "")).strip():
        raise CaseError("data.reason", _NEEDS_REASON[action.type])
    if action.type == ENDORSED:
        _check_endorsement(case, action)
    if action.type == REJECTED:
        if not data.get("failed_rule"):
            raise CaseError("data.failed_rule", "a rejection names the rule the applicant fails")
        if data.get("verdict") == "eligible":
            if not str(data.get("reason", "")).strip():
                raise CaseError("data.reason", "rejecting a person the rules find eligible needs a written reason")
            if not any(a.type == SECOND_APPROVAL and a.by != action.by for a in case.actions):
                raise CaseError("data", "rejecting a person the rules find eligible needs a second approver first")
    if action.type == REGISTERED and case.kind == "settlement":
        missing = required_consents(case) - state(case).consents
        if missing:
            raise CaseError("consent", f"no recorded consent from {', '.join(sorted(missing))} (§二(二)2: no one is "
                                       "settled without their consent)")


def _check_endorsement(case: Case, action: Action) -> None:
    """One endorsement a year, not before the window of the coming anniversary opens (第十条); a late one
    (after a missed anniversary) is allowed: it restores the permit."""
    s = state(case)
    done = [e.date() for e in s.endorsements]
    status = endorsement_status(s.issued_at.date(), done, action.at.date())
    opens = status.next_window[0]
    if status.status == "valid" and action.at.date() < opens:
        raise CaseError("type", f"the next endorsement window opens on {opens.isoformat()} (第十条: once a year, "
                                "within the month before the anniversary)", status=409)

"""The steps a case goes through, as its applicant follows them (pure, from the case's log).

A settlement (and a student's or graduate's move): 申请 → 受理 → 审核 → 审批 → 办结.
A residence permit: 申请 → 受理 → 审核 → 发证; its 审核 covers the county's approval too (for the
applicant it is one wait), so it is done when the approval takes effect.

Each step is `done` (with its date), `current` (with what it waits for: the station's acceptance
or the materials it asked for, the review, the county's decision or a second approver, the
registration or the permit), `upcoming`, or `skipped` (a case that ended before it: rejected or
withdrawn). A settlement that ends without a registration still reaches 办结, with its outcome.

Waits, as codes the pages and the API word: `station_accept` (with the acceptance's due date:
the station accepts, or asks for every missing material at once, within 5 working days),
`materials` (补正材料, with the items), `station_review` (with the decision's due date),
`county_decision`, `second_approval`, `consent` (an adult's consent to the move is still
missing), `registration`, `issue`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from hukou.cases import case as C
from hukou.cases.deadlines import TimeLimits, add_working_days, case_deadline

# 行政许可法 第三十二条: 申请材料不齐全……应当当场或者在五日内一次告知申请人需要补正的全部内容
# (第八十二条: the law's periods are working days)
ACCEPTANCE_WORKING_DAYS = 5

SETTLEMENT_STEPS = ("apply", "accept", "review", "decide", "conclude")
PERMIT_STEPS = ("apply", "accept", "review", "issue")
DONE, CURRENT, UPCOMING, SKIPPED = "done", "current", "upcoming", "skipped"


@dataclass(frozen=True)
class Step:
    key: str  # apply | accept | review | decide | conclude | issue
    state: str  # done | current | upcoming | skipped
    on: date | None = None  # when it was done
    outcome: str | None = None  # how a done step ended when that is not plain success: rejected, withdrawn
    waiting: str | None = None  # the current step's wait (see the module's docstring)
    due: date | None = None  # by when that wait should end
    items: tuple[str, ...] = ()  # the materials asked for (waiting == "materials")

    def as_dict(self) -> dict:
        return {"step": self.key, "state": self.state, "done_on": self.on, "outcome": self.outcome,
                "waiting": self.waiting, "due": self.due, "items": list(self.items)}


def acceptance_due(submitted: date) -> date:
    """The day by which the station accepts a submission or asks for what is missing."""
    return add_working_days(submitted, ACCEPTANCE_WORKING_DAYS).due


def steps_of(kind: str) -> tuple[str, ...]:
    return PERMIT_STEPS if kind == "residence_permit" else SETTLEMENT_STEPS


def _day(at: datetime | None) -> date | None:
    return at.date() if at is not None else None


def _last(case: C.Case, type_: str) -> datetime | None:
    return next((a.at for a in reversed(case.actions) if a.type == type_), None)


def progress(case: C.Case, on: date, limits: TimeLimits = TimeLimits(), due: date | None = None) -> list[Step]:
    """The case's steps on `on`, in order (none for a case not submitted). `due`: the deadline the
    caller already worked out with the policy's limits (else it is worked out with `limits`)."""
    s = C.state(case)
    if s.submitted_at is None:
        return []
    permit = case.kind == "residence_permit"
    decision = s.decision if s.decision is not None and s.decision.effective else None
    rejected = decision is not None and decision.type == C.REJECTED
    withdrawn = s.status == C.WITHDRAWN
    finished_at = _last(case, s.status) if s.finished else None
    reviewed = _last(case, C.REVIEWED) if s.status not in (C.SUBMITTED, C.MATERIALS_REQUESTED, C.ACCEPTED) else None

    done: dict[str, tuple[date | None, str | None]] = {"apply": (_day(s.submitted_at), None)}
    if s.accepted_at is not None:
        done["accept"] = (_day(s.accepted_at), None)
    if permit:
        if decision is not None:
            done["review"] = (_day(s.decided_at), C.REJECTED if rejected else None)
        if s.issued_at is not None:
            done["issue"] = (_day(s.issued_at), None)
    else:
        if reviewed is not None:
            done["review"] = (_day(reviewed), None)
        if decision is not None:
            done["decide"] = (_day(s.decided_at), C.REJECTED if rejected else None)
        if s.finished:
            done["conclude"] = (_day(finished_at), C.WITHDRAWN if withdrawn else C.REJECTED if rejected else None)

    out: list[Step] = []
    current_given = False
    for key in steps_of(case.kind):
        if key in done:
            when, outcome = done[key]
            out.append(Step(key, DONE, when, outcome))
        elif s.finished or (permit and rejected):
            out.append(Step(key, SKIPPED, outcome=C.WITHDRAWN if withdrawn else C.REJECTED if rejected else None))
        elif not current_given:
            current_given = True
            out.append(_current(case, s, key, on, limits, due))
        else:
            out.append(Step(key, UPCOMING))
    return out


def _current(case: C.Case, s: C.State, key: str, on: date, limits: TimeLimits, due: date | None) -> Step:
    """The step the case is at, with what it waits for."""
    if due is None:
        deadline = case_deadline(case, limits)
        due = deadline.due if deadline else None
    if key == "accept":
        if s.materials_outstanding:
            return Step(key, CURRENT, waiting="materials", items=s.materials_outstanding)
        return Step(key, CURRENT, waiting="station_accept", due=acceptance_due(s.submitted_at.date()))
    if key == "review":
        if s.status == C.ACCEPTED:
            return Step(key, CURRENT, waiting="station_review", due=due)
        waiting = "second_approval" if s.status == C.AWAITING_SECOND else "county_decision"
        return Step(key, CURRENT, waiting=waiting, due=due)
    if key == "decide":
        waiting = "second_approval" if s.status == C.AWAITING_SECOND else "county_decision"
        return Step(key, CURRENT, waiting=waiting, due=due)
    if key == "conclude":
        if C.APPLICANT not in s.consents or C.missing_consents(case, on):
            return Step(key, CURRENT, waiting="consent")
        return Step(key, CURRENT, waiting="registration")
    return Step(key, CURRENT, waiting="issue", due=due)  # issue

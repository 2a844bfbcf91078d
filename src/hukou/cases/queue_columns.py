"""What the work queue sorts and filters by, derived from a case's log (pure): its status, due date,
whose turn it is, and how many days are left.

The storage keeps these beside each case (`cases.status`, `due`, `waiting_on`, …), written in the
transaction of every submission and append, so a queue of tens of thousands of cases is one indexed
query instead of every log read; the log stays the truth, and `queue_columns(case, limits)` is what
the stored columns must always equal (tests/test_queue_columns.py).

Whose turn it is (`waiting_on`): the police station until the review (it accepts, asks for the
materials, reviews) and again after an approval (it registers or issues); the county approver
while a reviewed case waits for a decision or a second approval; the applicant while materials
they were asked for are outstanding, or when an approved move still lacks their own consent;
nobody once the case is finished or the permit is in hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from hukou.cases import case as C
from hukou.cases.deadlines import TimeLimits, case_deadline, is_working_day

POLICE_STATION, COUNTY_APPROVER, APPLICANT, NOBODY = "police_station", "county_approver", "applicant", "none"
WAITING_ON = (POLICE_STATION, COUNTY_APPROVER, APPLICANT, NOBODY)

# statuses in the order a case meets them (the queue's "by status" sort), finished ones last
STATUS_ORDER = (C.SUBMITTED, C.MATERIALS_REQUESTED, C.ACCEPTED, C.REVIEWED, C.AWAITING_SECOND, C.APPROVED, C.ISSUED,
                C.REGISTERED, C.REJECTED, C.CANCELLED, C.WITHDRAWN)
OPEN_STATUSES = tuple(s for s in STATUS_ORDER if s not in C.FINISHED)
WORKING_DAY_KINDS = frozenset(C.HUKOU_KINDS)  # a settlement's time limit is in working days; a permit's in days


@dataclass(frozen=True)
class QueueColumns:
    status: str
    due: date | None
    submitted_at: datetime | None
    finished: bool
    waiting_on: str
    updated_at: datetime | None  # the latest action's time


def waiting_on(case: C.Case) -> str:
    """Whose turn it is on the case (one of WAITING_ON)."""
    s = C.state(case)
    if s.finished or s.status in ("draft", C.ISSUED):
        return NOBODY
    if s.status in (C.SUBMITTED, C.MATERIALS_REQUESTED):
        return APPLICANT if s.materials_outstanding else POLICE_STATION
    if s.status in (C.REVIEWED, C.AWAITING_SECOND):
        return COUNTY_APPROVER
    if s.status == C.APPROVED and case.kind in C.HUKOU_KINDS and C.APPLICANT not in s.consents:
        return APPLICANT  # no one is registered without their consent
    return POLICE_STATION


def queue_columns(case: C.Case, limits: TimeLimits = TimeLimits()) -> QueueColumns:
    s = C.state(case)
    deadline = case_deadline(case, limits)
    return QueueColumns(s.status, deadline.due if deadline else None, s.submitted_at, s.finished, waiting_on(case),
                        case.actions[-1].at if case.actions else None)


def days_left(kind: str, due: date, today: date) -> tuple[int, bool]:
    """(days, working?): how many days are left until `due` (negative: past it), counted in working
    days for a settlement or a move (its limit is in working days) and in calendar days for a permit."""
    if kind not in WORKING_DAY_KINDS:
        return (due - today).days, False
    start, end, sign = (today, due, 1) if due >= today else (due, today, -1)
    counted, d = 0, start
    while d < end:
        d += timedelta(days=1)
        counted += is_working_day(d)[0]
    return sign * counted, True

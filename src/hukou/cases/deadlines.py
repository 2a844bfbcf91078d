"""Deadlines: a residence permit within N calendar days of acceptance (the policy's
`residence_permit.issue_days`, 15; `issue_days_extended`, 30, when extended: 第九条); a settlement
decision within N working days (`casework.settlement_decision_working_days`, 20), counted with the
statutory holidays and make-up working days of the chinese-calendar package. A policy that leaves
a number out gets these.

`case_deadline(case, limits)` is the deadline a case is running against: from acceptance until
the decision (the approval or rejection; for a permit, until it is issued), none before acceptance, none once
decided or finished. Materials are requested before acceptance, so the clock never has to stop.

Beyond the years that package knows, working days are Monday to Friday and the deadline says so
(`calendar_complete` false), rather than guessing holidays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar

from hukou.cases.case import Case, state
from hukou.policy.policy_file import Policy

PERMIT_DAYS, PERMIT_DAYS_EXTENDED = 15, 30
SETTLEMENT_WORKING_DAYS = 20
P_WORKING_DAYS = "casework.settlement_decision_working_days"
P_PERMIT_DAYS, P_PERMIT_DAYS_EXTENDED = "residence_permit.issue_days", "residence_permit.issue_days_extended"


@dataclass(frozen=True)
class TimeLimits:
    settlement_working_days: int = SETTLEMENT_WORKING_DAYS
    permit_days: int = PERMIT_DAYS
    permit_days_extended: int = PERMIT_DAYS_EXTENDED


@dataclass(frozen=True)
class Deadline:
    due: date
    calendar_complete: bool  # every day counted was in the holiday calendar

    def overdue(self, today: date) -> bool:
        return today > self.due


def is_working_day(d: date) -> tuple[bool, bool]:
    """(working day?, known from the holiday calendar?)"""
    try:
        return chinese_calendar.is_workday(d), True
    except NotImplementedError:
        return d.weekday() < 5, False


@lru_cache(maxsize=4096)  # a queue asks for the same few acceptance dates again and again
def add_working_days(start: date, days: int) -> Deadline:
    """The `days`-th working day after `start` (the day of acceptance itself does not count)."""
    d, counted, complete = start, 0, True
    while counted < days:
        d += timedelta(days=1)
        working, known = is_working_day(d)
        complete &= known
        counted += working
    return Deadline(d, complete)


def permit_deadline(accepted: date, extended: bool = False, limits: TimeLimits = TimeLimits()) -> Deadline:
    return Deadline(accepted + timedelta(days=limits.permit_days_extended if extended else limits.permit_days), True)


def settlement_deadline(accepted: date, working_days: int = SETTLEMENT_WORKING_DAYS) -> Deadline:
    return add_working_days(accepted, working_days)


def case_deadline(case: Case, limits: TimeLimits = TimeLimits()) -> Deadline | None:
    """The deadline the case runs against now, or None (not accepted yet; decided; finished)."""
    s = state(case)
    if s.accepted_at is None or s.finished:
        return None
    if case.kind == "residence_permit":  # the 15 (30) days run until the permit is in hand
        return None if s.issued_at is not None else permit_deadline(s.accepted_at.date(), s.extended, limits)
    return None if s.decided_at is not None else settlement_deadline(s.accepted_at.date(), limits.settlement_working_days)


def _parameter(policy: Policy, name: str, d: date, default: int) -> int:
    param = policy.parameters.get(name)
    value = param.at(d) if param is not None else None
    return default if value is None else value


def working_days_of(policy: Policy, d: date) -> int:
    """The policy's settlement decision period at d, 20 working days where the policy names none."""
    return _parameter(policy, P_WORKING_DAYS, d, SETTLEMENT_WORKING_DAYS)


def time_limits(policy: Policy, d: date) -> TimeLimits:
    """The policy's time limits in force at d."""
    return TimeLimits(working_days_of(policy, d), _parameter(policy, P_PERMIT_DAYS, d, PERMIT_DAYS),
                      _parameter(policy, P_PERMIT_DAYS_EXTENDED, d, PERMIT_DAYS_EXTENDED))

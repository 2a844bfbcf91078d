"""Deadlines: a residence permit within 15 calendar days of acceptance (30 when extended, 第九条);
a settlement decision within N working days (the policy's number, 20 by default), counted with the
statutory holidays and make-up working days of the chinese-calendar package.

`case_deadline(case, working_days)` is the deadline a case is running against: from acceptance until
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


def permit_deadline(accepted: date, extended: bool = False) -> Deadline:
    return Deadline(accepted + timedelta(days=PERMIT_DAYS_EXTENDED if extended else PERMIT_DAYS), True)


def settlement_deadline(accepted: date, working_days: int = SETTLEMENT_WORKING_DAYS) -> Deadline:
    return add_working_days(accepted, working_days)


def case_deadline(case: Case, working_days: int = SETTLEMENT_WORKING_DAYS) -> Deadline | None:
    """The deadline the case runs against now, or None (not accepted yet; decided; finished)."""
    s = state(case)
    if s.accepted_at is None or s.finished:
        return None
    if case.kind == "residence_permit":  # the 15 (30) days run until the permit is in hand
        return None if s.issued_at is not None else permit_deadline(s.accepted_at.date(), s.extended)
    return None if s.decided_at is not None else settlement_deadline(s.accepted_at.date(), working_days)


def working_days_of(policy: Policy, d: date) -> int:
    """The policy's settlement decision period at d, 20 working days where the policy names none."""
    param = policy.parameters.get(P_WORKING_DAYS)
    value = param.at(d) if param is not None else None
    return SETTLEMENT_WORKING_DAYS if value is None else value

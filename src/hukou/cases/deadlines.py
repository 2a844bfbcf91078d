"""Deadlines: a residence permit within 15 calendar days of acceptance (30 when extended, 第九条);
a settlement decision within N working days (the policy's number, 20 by default), counted with the
statutory holidays and make-up working days of the chinese-calendar package.

Beyond the years that package knows, working days are Monday to Friday and the deadline says so
(`calendar_complete` false), rather than guessing holidays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar

PERMIT_DAYS, PERMIT_DAYS_EXTENDED = 15, 30
SETTLEMENT_WORKING_DAYS = 20


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

"""Yearly endorsement (签注) of a residence permit, 《居住证暂行条例》第十条 (RULEBOOK §4).

One endorsement a year, within the month before each anniversary of the cycle's start. The window
for anniversary A is [A − 1 calendar month, A − 1 day]; an endorsement on A or later is late. An
anniversary passed with no endorsement in its window suspends the permit until a late endorsement,
which restores it; residence is counted again from that day, which also starts a new yearly cycle.
A 29 February start has its anniversary on 28 February in common years.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

from hukou.policy.calendar import add_months, anniversary

ONE_DAY = timedelta(days=1)


class Endorsement(NamedTuple):
    status: str  # valid | suspended
    residence_counted_from: date
    next_window: tuple[date, date | None]  # suspended: (the missed anniversary, open-ended)

    def as_dict(self) -> dict:
        start, end = self.next_window
        return {"status": self.status, "residence_counted_from": self.residence_counted_from.isoformat(),
                "next_window": [start.isoformat(), end.isoformat() if end else None]}


def window(anniv: date) -> tuple[date, date]:
    return add_months(anniv, -1), anniv - ONE_DAY


def endorsement_status(issued: date, endorsements: list[date], d: date) -> Endorsement:
    done = sorted(e for e in endorsements if e <= d)
    start = counted_from = issued
    year = 1
    while True:
        anniv = anniversary(start, year)
        w_from, w_to = window(anniv)
        endorsed = False
        for e in done:
            if w_from <= e <= w_to:
                endorsed = True
                break
        if anniv > d:
            if endorsed:  # this year's endorsement is done: the next window is next year's
                return Endorsement("valid", counted_from, window(anniversary(start, year + 1)))
            return Endorsement("valid", counted_from, (w_from, w_to))
        if endorsed:
            year += 1
            continue
        late = next((e for e in done if e >= anniv), None)
        if late is None:
            return Endorsement("suspended", counted_from, (anniv, None))
        start = counted_from = late
        year = 1

"""Date arithmetic of RULEBOOK §1: intervals clipped to D, covered days, runs, months and age.

Everything here is a pure function over `datetime.date` and plain tuples, shared by the
rules and (later) mirrored by the columnar engine; the two must count days the same way.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Iterable, Sequence

DAYS_PER_YEAR = 365  # "N years of X" means N × 365 covered days (RULEBOOK §1)
DAYS_PER_EMPLOYMENT_MONTH = 30

Span = tuple[date, date]  # inclusive on both ends


def clip(intervals: Iterable[tuple[date, date | None]], d: date) -> list[Span]:
    """Intervals that have started by `d`, with open or later ends cut at `d`."""
    out = []
    for start, end in intervals:
        if start > d:
            continue
        out.append((start, d if end is None or end > d else end))
    return out


def merge(spans: Sequence[Span]) -> list[Span]:
    """Union of inclusive spans; spans that overlap or touch (next starts the day after) merge."""
    if not spans:
        return []
    ordered = sorted(spans)
    merged = [ordered[0]]
    for start, end in ordered[1:]:
        last_start, last_end = merged[-1]
        if start.toordinal() <= last_end.toordinal() + 1:
            if end > last_end:
                merged[-1] = (last_start, end)
        else:
            merged.append((start, end))
    return merged


def covered_days(spans: Sequence[Span]) -> int:
    """Days covered by the union of spans; overlaps count once."""
    return sum(e.toordinal() - s.toordinal() + 1 for s, e in merge(spans))


def covers(spans: Iterable[tuple[date, date | None]], d: date) -> bool:
    """True when some interval contains `d`."""
    return any(start <= d and (end is None or end >= d) for start, end in spans)


def run_covering(spans: Sequence[Span], d: date) -> Span | None:
    """The merged run of spans (already clipped to `d`) that contains `d`, if any."""
    for start, end in merge(spans):
        if start <= d <= end:
            return (start, end)
    return None


def add_months(d: date, months: int) -> date:
    """Calendar-month arithmetic with the day clamped to the month's end (08-31 − 6 → 02-28)."""
    index = d.year * 12 + (d.month - 1) + months
    year, month0 = divmod(index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(d.day, last))


def full_months_between(start: date, d: date) -> int:
    """Whole calendar months from `start` to `d`: the largest n with add_months(start, n) ≤ d."""
    if d < start:
        return 0
    n = (d.year - start.year) * 12 + (d.month - start.month)
    while n > 0 and add_months(start, n) > d:
        n -= 1
    return n


def age_on(birth: date, d: date) -> int:
    """Full years at `d`; a 29 February birthday is reached on 1 March in common years."""
    return d.year - birth.year - ((d.month, d.day) < (birth.month, birth.day))


Month = tuple[int, int]  # (year, month)


def month_index(m: Month) -> int:
    return m[0] * 12 + m[1] - 1


def distinct_months(intervals: Iterable[tuple[Month, Month | None]], d: date) -> int:
    """Distinct months covered by month intervals, up to and including D's month."""
    limit = d.year * 12 + d.month - 1
    seen: set[int] = set()
    for start, end in intervals:
        lo = month_index(start)
        hi = limit if end is None else min(month_index(end), limit)
        if lo <= hi:
            seen.update(range(lo, hi + 1))
    return len(seen)


def anniversary(issued: date, years: int) -> date:
    """The `years`-th anniversary of `issued`; 29 February falls on 28 February in common years."""
    return add_months(issued, 12 * years)


def day_before(d: date) -> date:
    return d - timedelta(days=1)

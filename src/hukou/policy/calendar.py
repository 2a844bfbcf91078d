"""Date arithmetic of RULEBOOK §1: intervals clipped to D, covered days, runs, months and age.

Everything here is a pure function over `datetime.date` and plain tuples, shared by the
rules and (later) mirrored by the columnar engine; the two must count days the same way.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Iterable, Sequence

DAYS_PER_YEAR = 365  # "N years of X" means N × 365 covered days (RULEBOOK §1)
DAYS_PER_EMPLOYMENT_MONTH = 30

Span = tuple[date, date]  # inclusive on both ends


def clip(intervals: Iterable[tuple[date, date | None]], d: date) -> list[Span]:
    """Intervals that have started by `d`, with open or later ends cut at `d`."""
    return [(start, d if end is None or end > d else end) for start, end in intervals if start <= d]


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
    if len(spans) == 1:
        start, end = spans[0]
        return end.toordinal() - start.toordinal() + 1
    total = 0
    last_end = -1
    for start, end in sorted((s.toordinal(), e.toordinal()) for s, e in spans):
        if end <= last_end:
            continue
        total += end - max(start, last_end + 1) + 1
        last_end = end
    return total


def covers(spans: Iterable[tuple[date, date | None]], d: date) -> bool:
    """True when some interval contains `d`."""
    return any(start <= d and (end is None or end >= d) for start, end in spans)


def run_covering(spans: Sequence[Span], d: date) -> Span | None:
    """The merged run of spans (already clipped to `d`) that contains `d`, if any."""
    for start, end in merge(spans):
        if start <= d <= end:
            return (start, end)
    return None


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def days_in_month(year: int, month: int) -> int:
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _MONTH_DAYS[month - 1]


def add_months(d: date, months: int) -> date:
    """Calendar-month arithmetic with the day clamped to the month's end (08-31 − 6 → 02-28)."""
    year, month0 = divmod(d.year * 12 + d.month - 1 + months, 12)
    day = d.day
    if day > 28:
        day = min(day, days_in_month(year, month0 + 1))
    return date(year, month0 + 1, day)


@lru_cache(maxsize=4096)
def months_before(d: date, months: int) -> date:
    """`add_months(d, -months)`, remembered: every rule run at one D asks for the same few dates."""
    return add_months(d, -months)


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

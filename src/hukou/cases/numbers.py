"""Case numbers people can read out at a counter or on the phone: 昌落2026-000123.

A number is the city's short name, a word for what the case is about (落 for a hukou moving into
the city, 居 for a residence permit), the year of submission, and the case's place in that series
(six digits). The storage gives the next place in a series inside the submission's transaction, so
numbers are unique and without gaps; the case's id stays its key everywhere else.
"""

from __future__ import annotations

import re

KIND_WORDS = {"settlement": "落", "student_move": "落", "graduate_move": "落", "residence_permit": "居"}
_SHAPE = re.compile(r"^(?P<series>\D+\d{4})-(?P<n>\d{6,})$")


def series(city_short: str, kind: str, year: int) -> str:
    """The series a case of `kind` submitted in `year` is numbered in (昌落2026)."""
    return f"{city_short}{KIND_WORDS.get(kind, '案')}{year}"


def case_number(series_: str, n: int) -> str:
    return f"{series_}-{n:06d}"


def looks_like_case_number(text: str) -> bool:
    """Whether a search text is a case number (a reader may type it with spaces or a full-width dash)."""
    return bool(_SHAPE.match(normalized(text)))


def normalized(text: str) -> str:
    return re.sub(r"\s+", "", text).replace("－", "-").replace("—", "-")

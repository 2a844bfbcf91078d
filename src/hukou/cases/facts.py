"""Facts on a case: RULEBOOK §2 facts given with a submission or with materials, checked like the
eligibility endpoint's input and kept in one canonical form.

Only what the rules read is kept: keys the facts model does not know (tax paid, investment, …) are
dropped, not stored. The latest facts given on a case are the ones the officer's verdict reads.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from hukou.cases.case import MATERIALS_PROVIDED, SUBMITTED, Case
from hukou.policy.errors import InputError
from hukou.policy.verdict import check_places, parse_person, parse_person_today

FACT_ACTIONS = (SUBMITTED, MATERIALS_PROVIDED)


def canonical_facts(data: Any, city: str, path: str = "facts", today: date | None = None) -> dict[str, Any]:
    """Validated §2 facts in canonical form; an error names its field under `path` (`facts.housing.kind`).
    With `today` (facts given now, with a submission or materials) an event dated after it is refused."""
    try:
        person = parse_person_today(data, city, today) if today is not None else parse_person(data)
        check_places(person, city)
    except InputError as exc:
        raise InputError(_join(path, exc.path), exc.message) from None
    return _plain(person.model_dump(by_alias=True, exclude_none=True))


def latest_facts(case: Case) -> dict[str, Any] | None:
    """The facts given last on the case (with the submission or later materials), or None."""
    for a in reversed(case.actions):
        if a.type in FACT_ACTIONS and a.data.get("facts") is not None:
            return a.data["facts"]
    return None


def _join(path: str, inner: str) -> str:
    if not inner:
        return path
    return f"{path}{inner}" if inner.startswith("[") else f"{path}.{inner}"


def _plain(value: Any) -> Any:
    """Dates as ISO text and months as YYYY-MM, as the facts are written (absent stays absent: §2)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, tuple):  # a social-insurance month (year, month)
        return f"{value[0]:04d}-{value[1]:02d}"
    if isinstance(value, date):
        return value.isoformat()
    return value

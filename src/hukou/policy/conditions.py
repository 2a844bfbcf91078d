"""Conditions shared by several rules, read at D from a Situation.

Legal stable residence (合法稳定住所, RULEBOOK §2), living in an urban place, being employed or
studying at D, the start of the current residence run. None of them reads the policy.
"""

from __future__ import annotations

from datetime import date

from hukou.policy.calendar import clip, run_covering
from hukou.policy.facts import Person
from hukou.policy.situation import Situation
from hukou.policy.trace import Trace, Tri

STABLE_KINDS = frozenset({"owned", "employer", "school"})  # rented counts when registered (§五)


def _legal_stable_residence(sit: Situation) -> tuple[Tri, dict, tuple[str, ...]]:
    """Housing owned, employer's, school's or registered rented; and some residence record covers D."""
    housing = sit.person.housing
    values: dict = {}
    if housing is None:
        housing_ok: Tri = None
    else:
        kind = housing.kind
        values["housing.kind"] = kind
        if kind in STABLE_KINDS:
            housing_ok = True
        elif kind == "rented":
            housing_ok = housing.registered
            values["housing.registered"] = housing_ok
        else:
            housing_ok = False
    resides: Tri = None if sit.covering is None else bool(sit.covering)
    if resides is not None:
        values["residence.covers_date"] = resides
    if housing_ok is False or resides is False:
        return False, values, ()
    if housing_ok and resides:
        return True, values, ()
    unknown = ("housing", "residence") if housing_ok is None and resides is None else \
        ("housing",) if housing_ok is None else ("residence",)
    return None, values, unknown


def legal_stable_residence(sit: Situation, trace: Trace, rule: str, cite: str) -> Tri:
    if sit.lsr_facts is None:
        sit.lsr_facts = _legal_stable_residence(sit)
    result, values, unknown = sit.lsr_facts
    return trace.add(rule, result, cite, dict(values), unknown=unknown)


def urban_place(sit: Situation, trace: Trace, rule: str, cite: str) -> Tri:
    """The residence record covering D is in an urban place (its `urban`)."""
    covering = sit.covering
    if covering is None:
        return trace.add(rule, None, cite, unknown=("residence",))
    if not covering:
        return trace.add(rule, False, cite)
    result: Tri = False
    for r in covering:
        if r.urban is True:
            result = True
            break
        if r.urban is None:
            result = None
    return trace.add(rule, result, cite, {"residence.place": covering[0].place, "residence.urban": result},
                     unknown=("residence",))


def employed(sit: Situation, trace: Trace, rule: str, cite: str) -> Tri:
    """Some employment interval covers D."""
    if sit.employed is None:
        return trace.add(rule, None, cite, unknown=("employment",))
    return trace.add(rule, sit.employed, cite, {"employment.covers_date": sit.employed})


def studying(sit: Situation, trace: Trace, rule: str, cite: str) -> Tri:
    """Some education record (domestic or abroad) admitted ≤ D and not graduated by D."""
    if sit.education is None:
        return trace.add(rule, None, cite, unknown=("education",))
    d = sit.d
    for e in sit.education:
        if e.graduated is None or e.graduated > d:
            return trace.add(rule, True, cite, {"education.level": e.level, "education.admitted": e.admitted.isoformat()})
    return trace.add(rule, False, cite)


def current_residence_start(person: Person, d: date) -> date | None:
    """Start of the merged run of residence intervals (touching or overlapping) that covers D."""
    residence = person.residence or ()
    if len(residence) == 1:
        r = residence[0]
        return r.start if r.start <= d and (r.end is None or r.end >= d) else None
    run = run_covering(clip([(r.start, r.end) for r in residence], d), d)
    return run[0] if run else None

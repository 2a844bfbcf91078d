"""Conditions shared by several rules, each read at D from the §2 facts.

Legal stable residence (合法稳定住所, RULEBOOK §2), living in an urban place, being employed or
studying at D, the current residence run. Each returns a Finding; none reads the policy.
"""

from __future__ import annotations

from datetime import date

from hukou.policy.calendar import clip, covers, run_covering
from hukou.policy.facts import Person
from hukou.policy.findings import Finding, Tri

STABLE_KINDS = frozenset({"owned", "employer", "school"})  # rented counts when registered (§五)


def _housing_ok(person: Person) -> Tri:
    housing = person.housing
    if housing is None:
        return None
    if housing.kind in STABLE_KINDS:
        return True
    if housing.kind == "rented":
        return housing.registered
    return False


def legal_stable_residence(person: Person, d: date, rule: str, cite: str) -> Finding:
    """Housing owned, employer's, school's or registered rented; and some residence record covers D."""
    housing_ok = _housing_ok(person)
    values: dict = {}
    if person.housing is not None:
        values["housing.kind"] = person.housing.kind
        if person.housing.kind == "rented":
            values["housing.registered"] = person.housing.registered
    residence = person.residence
    resides: Tri = None if residence is None else covers(((r.start, r.end) for r in residence), d)
    if resides is not None:
        values["residence.covers_date"] = resides
    if housing_ok is False or resides is False:
        return Finding(rule, False, values, cite=cite)
    if housing_ok and resides:
        return Finding(rule, True, values, cite=cite)
    unknown = tuple(k for k, r in (("housing", housing_ok), ("residence", resides)) if r is None)
    return Finding(rule, None, values, unknown=unknown, cite=cite)


def urban_place(person: Person, d: date, rule: str, cite: str) -> Finding:
    """The residence record covering D is in an urban place (its `urban`)."""
    residence = person.residence
    if residence is None:
        return Finding(rule, None, unknown=("residence",), cite=cite)
    result: Tri = False
    place = None
    for r in residence:
        if r.start <= d and (r.end is None or r.end >= d):
            place = r.place
            if r.urban is True:
                result = True
                break
            if r.urban is None:
                result = None
    values = {"residence.place": place, "residence.urban": result} if place else {}
    return Finding(rule, result, values, unknown=("residence",), cite=cite)


def employed_at(person: Person, d: date, rule: str, cite: str) -> Finding:
    """Some employment interval covers D."""
    jobs = person.employment
    if jobs is None:
        return Finding(rule, None, unknown=("employment",), cite=cite)
    result = covers(((j.start, j.end) for j in jobs), d)
    return Finding(rule, result, {"employment.covers_date": result}, cite=cite)


def studying_at(person: Person, d: date, rule: str, cite: str) -> Finding:
    """Some education record (domestic or abroad) admitted ≤ D and not graduated by D."""
    records = person.education
    if records is None:
        return Finding(rule, None, unknown=("education",), cite=cite)
    for e in records:
        if e.admitted <= d and (e.graduated is None or e.graduated > d):
            return Finding(rule, True, {"education.level": e.level, "education.admitted": e.admitted.isoformat()}, cite=cite)
    return Finding(rule, False, cite=cite)


def current_residence_start(person: Person, d: date) -> date | None:
    """Start of the merged run of residence intervals (touching or overlapping) that covers D."""
    run = run_covering(clip(((r.start, r.end) for r in person.residence or ()), d), d)
    return run[0] if run else None

"""Key groups (重点群体, §四), RULEBOOK §3: flags for priority and statistics, rural hukou only.

A flag is set only when its condition is known to hold; an unknown fact sets no flag.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from hukou.policy.calendar import DAYS_PER_YEAR, age_on, clip, covered_days
from hukou.policy.facts import HIGHER_EDUCATION
from hukou.policy.situation import Situation
from hukou.policy.trace import Trace, Tri, all_of

KEY_GROUPS = ("student_or_military", "long_term_urban", "whole_family", "new_generation")
P_LONG_TERM_YEARS = "key_groups.long_term_years"
P_NEW_GENERATION = "key_groups.new_generation_born_from"
MINOR_AGE = 18


def _student_or_military(sit: Situation, trace: Trace, cite: str) -> Tri:
    """College admission (domestic or abroad) on or before D, or discharge from the army on or before D."""
    rule = "key_groups.student_or_military"
    for e in sit.education or ():
        if e.level in HIGHER_EDUCATION:
            return trace.add(rule, True, cite, {"education.level": e.level, "education.admitted": e.admitted.isoformat()})
    mil = sit.person.military
    if mil is not None and mil.discharged is not None and mil.discharged <= sit.d:
        return trace.add(rule, True, cite, {"military.discharged": mil.discharged.isoformat()})
    return trace.add(rule, None if sit.education is None else False, cite, unknown=("education",))


def _long_term_urban(sit: Situation, trace: Trace, years: int, cite: str) -> Tri:
    """N years of residence in urban places and N years of employment, each counted on its own."""
    rule = "key_groups.long_term_urban"
    person, d = sit.person, sit.d
    need = years * DAYS_PER_YEAR
    values: dict = {}
    residence = person.residence
    if residence is None:
        lived: Tri = None
    else:
        urban_days = covered_days(clip([(r.start, r.end) for r in residence if r.urban is True], d)) if residence else 0
        values["urban_residence_days"] = urban_days
        if urban_days >= need:
            lived = True
        elif all(r.urban is not None for r in residence):
            lived = False
        else:  # records of unknown class could still make up the difference
            at_most = covered_days(clip([(r.start, r.end) for r in residence if r.urban is not False], d))
            lived = None if at_most >= need else False
    jobs = person.employment
    if jobs is None:
        worked: Tri = None
    else:
        work_days = covered_days(clip([(e.start, e.end) for e in jobs], d)) if jobs else 0
        values["employment_days"] = work_days
        worked = work_days >= need
    if lived is None or worked is None:
        unknown = ("residence", "employment") if lived is None and worked is None else \
            ("residence",) if lived is None else ("employment",)
    else:
        unknown = ()
    return trace.add(rule, all_of((lived, worked)), cite, values, {P_LONG_TERM_YEARS: years}, unknown)


def _whole_family(sit: Situation, trace: Trace, cite: str) -> Tri:
    """Someone moves with the person, and the spouse (if any) and every child under 18 move."""
    rule = "key_groups.whole_family"
    family, d = sit.person.family, sit.d
    if family is None:
        return trace.add(rule, False, cite, {"family": "none"})
    children = [c for c in family.children if c.birth_date <= d]
    someone = ((family.spouse.moving if family.spouse else False)
               or any(c.moving for c in children) or any(p.moving for p in family.parents))
    spouse_ok = family.spouse is None or family.spouse.moving
    minors_ok = all(c.moving for c in children if age_on(c.birth_date, d) < MINOR_AGE)
    values = {"family.someone_moving": someone, "family.spouse_moving": spouse_ok, "family.minor_children_moving": minors_ok}
    return trace.add(rule, someone and spouse_ok and minors_ok, cite, values)


@lru_cache(maxsize=64)
def _iso(d: date) -> str:
    return d.isoformat()


def _new_generation(sit: Situation, trace: Trace, born_from: date, cite: str) -> Tri:
    """Born on or after the parameter date (1980-01-01) and employed at D."""
    rule = "key_groups.new_generation"
    values: dict = {"birth_date": sit.person.birth_date.isoformat()}
    if sit.employed is not None:
        values["employment.covers_date"] = sit.employed
    result = all_of((sit.person.birth_date >= born_from, sit.employed))
    return trace.add(rule, result, cite, values, {P_NEW_GENERATION: _iso(born_from)}, ("employment",))


def evaluate_key_groups(sit: Situation, values: dict, cites: dict, trace: Trace) -> list[str]:
    """The flags that hold, in rulebook order; the trace gets all four reasons (none for an urban hukou)."""
    if sit.person.hukou.urban:
        return []
    results = (
        _student_or_military(sit, trace, cites["key_groups.student_or_military"]),
        _long_term_urban(sit, trace, values[P_LONG_TERM_YEARS], cites["key_groups.long_term_urban"]),
        _whole_family(sit, trace, cites["key_groups.whole_family"]),
        _new_generation(sit, trace, values[P_NEW_GENERATION], cites["key_groups.new_generation"]),
    )
    return [g for g, r in zip(KEY_GROUPS, results, strict=True) if r is True]

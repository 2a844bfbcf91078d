"""Key groups (重点群体, §四), RULEBOOK §3: flags for priority and statistics, rural hukou only.

A flag is set only when its condition is known to hold; an unknown fact sets no flag.
"""

from __future__ import annotations

from datetime import date

from hukou.policy.calendar import DAYS_PER_YEAR, age_on, clip, covered_days, covers
from hukou.policy.facts import HIGHER_EDUCATION, Person
from hukou.policy.findings import Finding, Tri, all_of
from hukou.policy.policy_file import Policy

KEY_GROUPS = ("student_or_military", "long_term_urban", "whole_family", "new_generation")
P_LONG_TERM_YEARS = "key_groups.long_term_years"
P_NEW_GENERATION = "key_groups.new_generation_born_from"
MINOR_AGE = 18


def _cite(policy: Policy, group: str) -> str:
    cite = policy.rules.get(f"key_groups.{group}")
    return cite.clause if cite is not None else ""


def _student_or_military(person: Person, d: date, cite: str) -> Finding:
    rule = "key_groups.student_or_military"
    for e in person.education or ():
        if e.level in HIGHER_EDUCATION and e.admitted <= d:
            return Finding(rule, True, {"education.level": e.level, "education.admitted": e.admitted.isoformat()}, cite=cite)
    mil = person.military
    if mil is not None and mil.discharged is not None and mil.discharged <= d:
        return Finding(rule, True, {"military.discharged": mil.discharged.isoformat()}, cite=cite)
    unknown = person.education is None
    return Finding(rule, None if unknown else False, unknown=("education",), cite=cite)


def _long_term_urban(person: Person, d: date, policy: Policy, cite: str) -> Finding:
    rule = "key_groups.long_term_urban"
    years = policy.value(P_LONG_TERM_YEARS, d)
    need = years * DAYS_PER_YEAR
    params = {P_LONG_TERM_YEARS: years}
    values: dict = {}
    if person.residence is None:
        lived: Tri = None
    else:
        urban_days = covered_days(clip(((r.start, r.end) for r in person.residence if r.urban is True), d))
        values["urban_residence_days"] = urban_days
        if urban_days >= need:
            lived = True
        else:
            at_most = covered_days(clip(((r.start, r.end) for r in person.residence if r.urban is not False), d))
            lived = None if at_most >= need else False
    if person.employment is None:
        worked: Tri = None
    else:
        work_days = covered_days(clip(((e.start, e.end) for e in person.employment), d))
        values["employment_days"] = work_days
        worked = work_days >= need
    unknown = tuple(k for k, r in (("residence", lived), ("employment", worked)) if r is None)
    return Finding(rule, all_of((lived, worked)), values, params, unknown=unknown, cite=cite)


def _whole_family(person: Person, d: date, cite: str) -> Finding:
    rule = "key_groups.whole_family"
    family = person.family
    if family is None:
        return Finding(rule, False, {"family": "none"}, cite=cite)
    children = [c for c in family.children if c.birth_date <= d]
    members_moving = ((family.spouse.moving if family.spouse else False)
                      or any(c.moving for c in children) or any(p.moving for p in family.parents))
    spouse_ok = family.spouse is None or family.spouse.moving
    minors_ok = all(c.moving for c in children if age_on(c.birth_date, d) < MINOR_AGE)
    values = {"family.someone_moving": members_moving, "family.spouse_moving": spouse_ok,
              "family.minor_children_moving": minors_ok}
    return Finding(rule, members_moving and spouse_ok and minors_ok, values, cite=cite)


def _new_generation(person: Person, d: date, policy: Policy, cite: str) -> Finding:
    rule = "key_groups.new_generation"
    born_from = policy.value(P_NEW_GENERATION, d)
    params = {P_NEW_GENERATION: born_from.isoformat()}
    values: dict = {"birth_date": person.birth_date.isoformat()}
    young = person.birth_date >= born_from
    if person.employment is None:
        employed: Tri = None
    else:
        employed = covers(((e.start, e.end) for e in person.employment), d)
        values["employment.covers_date"] = employed
    return Finding(rule, all_of((young, employed)), values, params, unknown=("employment",), cite=cite)


def evaluate_key_groups(person: Person, d: date, policy: Policy) -> tuple[list[str], list[Finding]]:
    """The flags that hold, in rulebook order, and the findings behind all four (none for urban hukou)."""
    if person.hukou.urban:
        return [], []
    findings = [
        _student_or_military(person, d, _cite(policy, "student_or_military")),
        _long_term_urban(person, d, policy, _cite(policy, "long_term_urban")),
        _whole_family(person, d, _cite(policy, "whole_family")),
        _new_generation(person, d, policy, _cite(policy, "new_generation")),
    ]
    flags = [g for g, f in zip(KEY_GROUPS, findings) if f.result is True]
    return flags, findings

"""Settlement (落户), RULEBOOK §3: the precondition, the three routes, household kind, followers.

Routes in reporting order: `talent` (全面放开, §四), `student` (来去自由, §四), `general` (合法稳定住所,
§五). A route is the Kleene combination of its conditions and of the city's extra conditions for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hukou.policy.calendar import DAYS_PER_EMPLOYMENT_MONTH, age_on, clip, covered_days, distinct_months
from hukou.policy.conditions import legal_stable_residence, urban_place
from hukou.policy.extra_conditions import evaluate_extras
from hukou.policy.facts import HIGHER_EDUCATION, Person
from hukou.policy.policy_file import Policy
from hukou.policy.situation import Situation
from hukou.policy.trace import Reason, Trace, Tri, all_of, any_of

ROUTES = ("talent", "student", "general")
MINOR_AGE = 18
P_SOCIAL_INSURANCE = "settlement.general.min_social_insurance_months"
P_EMPLOYMENT = "settlement.general.min_employment_months"

# The conditions of each route, in the order they are reported.
TALENT_RULES = ("talent.graduate", "talent.vocational_graduate", "talent.skilled_worker", "talent.returned_overseas")
STUDENT_RULES = ("student.rural_hukou", "student.enrolled_in_city")
GENERAL_RULES = ("general.legal_stable_residence", "general.urban_place", "general.social_insurance", "general.employment")
ROUTE_RULES = {"talent": TALENT_RULES, "student": STUDENT_RULES, "general": GENERAL_RULES}


@dataclass
class SettlementResult:
    status: str
    reason: str | None
    route: str | None
    household: str | None
    routes: dict[str, Tri]
    followers: int
    missing: list[str]
    reasons: list[Reason]
    failed_rule: str | None = None  # ineligible: the precondition, or the general route's first false condition


# --- talent (全面放开, §四) -------------------------------------------------------------

def _graduated(sit: Situation, trace: Trace, rule: str, cite: str, levels: frozenset) -> Tri:
    """A domestic record of one of `levels`, graduated on or before D."""
    if sit.education is None:
        return trace.add(rule, None, cite, unknown=("education",))
    d = sit.d
    for e in sit.education:
        if not e.abroad and e.level in levels and e.graduated is not None and e.graduated <= d:
            return trace.add(rule, True, cite, {"education.level": e.level, "education.graduated": e.graduated.isoformat()})
    return trace.add(rule, False, cite)


def _skilled_worker(sit: Situation, trace: Trace, cite: str) -> Tri:
    """A skill certificate or vocational qualification obtained on or before D (技术工人)."""
    rule = "talent.skilled_worker"
    quals = sit.person.qualifications
    if quals is None:
        return trace.add(rule, None, cite, unknown=("qualifications",))
    d = sit.d
    for q in quals:
        if q.obtained is not None and q.obtained <= d:
            return trace.add(rule, True, cite, {"qualifications.kind": q.kind, "qualifications.obtained": q.obtained.isoformat()})
    return trace.add(rule, False, cite)


def _returned_overseas(sit: Situation, trace: Trace, cite: str) -> Tri:
    """A foreign degree of any level, graduated on or before D, that is certified (留学归国人员)."""
    rule = "talent.returned_overseas"
    if sit.education is None:
        return trace.add(rule, None, cite, unknown=("education",))
    d = sit.d
    result: Tri = False
    for e in sit.education:
        if e.abroad and e.graduated is not None and e.graduated <= d:
            if e.certified is True:
                return trace.add(rule, True, cite, {"education.level": e.level, "education.certified": True})
            if e.certified is None:
                result = None
    if result is None:
        return trace.add(rule, None, cite, {"education.certified": None}, unknown=("education",))
    return trace.add(rule, False, cite)


_VOCATIONAL = frozenset({"vocational"})


def talent_route(sit: Situation, trace: Trace, cite: str) -> Tri:
    return any_of((
        _graduated(sit, trace, "talent.graduate", cite, HIGHER_EDUCATION),
        _graduated(sit, trace, "talent.vocational_graduate", cite, _VOCATIONAL),
        _skilled_worker(sit, trace, cite),
        _returned_overseas(sit, trace, cite),
    ))


# --- student (来去自由, §四) ------------------------------------------------------------

def _enrolled_in_city(sit: Situation, trace: Trace, cite: str) -> Tri:
    """A college record (associate or higher) in the city, admitted on or before D, not graduated by D."""
    rule = "student.enrolled_in_city"
    if sit.education is None:
        return trace.add(rule, None, cite, unknown=("education",))
    d = sit.d
    for e in sit.education:
        if e.institution_in_city and e.level in HIGHER_EDUCATION and (e.graduated is None or e.graduated > d):
            return trace.add(rule, True, cite, {"education.level": e.level, "education.admitted": e.admitted.isoformat()})
    return trace.add(rule, False, cite)


def student_route(sit: Situation, trace: Trace, cite: str) -> Tri:
    rural = not sit.person.hukou.urban
    return all_of((
        trace.add("student.rural_hukou", rural, cite, {"hukou.urban": not rural}),
        _enrolled_in_city(sit, trace, cite),
    ))


# --- general (合法稳定住所, §五) --------------------------------------------------------

def _months_at_least(sit: Situation, trace: Trace, rule: str, param: str, required: int, cite: str) -> Tri:
    """Social-insurance or employment months at least `required`; a requirement of 0 reads nothing."""
    params = {param: required}
    if required <= 0:
        return trace.add(rule, True, cite, params=params)
    person, d = sit.person, sit.d
    if rule == "general.social_insurance":
        if person.social_insurance is None:
            return trace.add(rule, None, cite, params=params, unknown=("social_insurance",))
        months = distinct_months(((s.start, s.end) for s in person.social_insurance), d)
        return trace.add(rule, months >= required, cite, {"social_insurance_months": months}, params)
    if person.employment is None:
        return trace.add(rule, None, cite, params=params, unknown=("employment",))
    months = covered_days(clip(((e.start, e.end) for e in person.employment), d)) // DAYS_PER_EMPLOYMENT_MONTH
    return trace.add(rule, months >= required, cite, {"employment_months": months}, params)


def general_route(sit: Situation, trace: Trace, values: dict, cites: dict) -> Tri:
    cite = cites["general"]
    return all_of((
        legal_stable_residence(sit, trace, "general.legal_stable_residence", cite),
        urban_place(sit, trace, "general.urban_place", cite),
        _months_at_least(sit, trace, "general.social_insurance", P_SOCIAL_INSURANCE,
                         values[P_SOCIAL_INSURANCE], cites[P_SOCIAL_INSURANCE] or cite),
        _months_at_least(sit, trace, "general.employment", P_EMPLOYMENT, values[P_EMPLOYMENT], cites[P_EMPLOYMENT] or cite),
    ))


# --- the verdict -----------------------------------------------------------------------

def followers(person: Person, d: date) -> int:
    """Spouse, children under 18 and parents listed as moving (随迁, §四)."""
    family = person.family
    if family is None:
        return 0
    count = 1 if family.spouse is not None and family.spouse.moving else 0
    count += sum(1 for c in family.children if c.moving and c.birth_date <= d and age_on(c.birth_date, d) < MINOR_AGE)
    count += sum(1 for p in family.parents if p.moving)
    return count


def _household(route: str, sit: Situation) -> str | None:
    """Student: the institution's collective household. General: a family household. Talent: a family
    household with a legal stable residence, a collective one without, not known while that is unknown
    (the general route has worked the legal stable residence out already)."""
    if route == "student":
        return "collective"
    if route == "general":
        return "family"
    return {True: "family", False: "collective", None: None}[sit.lsr_facts[0]]


def evaluate_settlement(sit: Situation, policy: Policy, values: dict, cites: dict, trace: Trace) -> SettlementResult:
    person = sit.person
    if person.hukou.urban and person.hukou.place.startswith(policy.city.code):
        trace.add("precondition.already_settled", False, cites["precondition.already_settled"],
                  {"hukou.place": person.hukou.place, "hukou.urban": True})
        return SettlementResult("ineligible", "already_settled", None, None,
                                {"talent": False, "student": False, "general": False}, 0, [], trace.reasons,
                                "precondition.already_settled")

    extras = policy.extra_conditions
    routes: dict[str, Tri] = {
        "talent": talent_route(sit, trace, cites["talent"]),
        "student": student_route(sit, trace, cites["student"]),
        "general": general_route(sit, trace, values, cites),
    }
    rules = ROUTE_RULES
    if extras:
        rules = {name: list(rs) for name, rs in ROUTE_RULES.items()}
        for name in ROUTES:
            result, extra_rules = evaluate_extras(extras, name, sit, trace)
            routes[name] = all_of((routes[name], result))
            rules[name] += extra_rules

    for name in ROUTES:
        if routes[name] is True:
            return SettlementResult("eligible", None, name, _household(name, sit), routes, followers(person, sit.d), [],
                                    trace.reasons)
    if routes["talent"] is False and routes["student"] is False and routes["general"] is False:
        general_rules = rules["general"]
        failed = next(r[0] for r in trace.reasons if r[1] is False and r[0] in general_rules)
        return SettlementResult("ineligible", "no_route", None, None, routes, 0, [], trace.reasons, failed)
    missing = trace.missing(rule for name in ROUTES if routes[name] is None for rule in rules[name])
    return SettlementResult("undetermined", None, None, None, routes, 0, missing, trace.reasons)

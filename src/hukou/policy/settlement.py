"""Settlement (落户), RULEBOOK §3: the precondition, the three routes, household kind, followers.

Routes in reporting order: `talent` (全面放开, §四), `student` (来去自由, §四), `general` (合法稳定住所,
§五). A route is the Kleene combination of its conditions and the city's extra conditions for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from hukou.policy.calendar import age_on, clip, covered_days, distinct_months
from hukou.policy.calendar import DAYS_PER_EMPLOYMENT_MONTH
from hukou.policy.conditions import legal_stable_residence, urban_place
from hukou.policy.extra_conditions import evaluate_extra
from hukou.policy.facts import HIGHER_EDUCATION, Person
from hukou.policy.findings import Finding, Tri, all_of, any_of, unknown_keys
from hukou.policy.policy_file import Policy

ROUTES = ("talent", "student", "general")
MINOR_AGE = 18
P_SOCIAL_INSURANCE = "settlement.general.min_social_insurance_months"
P_EMPLOYMENT = "settlement.general.min_employment_months"


@dataclass
class RouteResult:
    name: str
    result: Tri
    findings: list[Finding]
    combine: str  # "all" or "any"
    household: str | None = None


@dataclass
class SettlementResult:
    status: str
    reason: str | None
    route: str | None
    household: str | None
    routes: dict[str, Tri]
    followers: int
    missing: list[str]
    findings: list[Finding] = field(default_factory=list)


def in_city(place: str, city_code: str) -> bool:
    return place.startswith(city_code)


def cite_of(policy: Policy, rule: str) -> str:
    cite = policy.rules.get(rule)
    return cite.clause if cite is not None else ""


# --- talent (全面放开, §四) -------------------------------------------------------------

def _graduated(person: Person, d: date, rule: str, cite: str, levels: frozenset) -> Finding:
    records = person.education
    if records is None:
        return Finding(rule, None, unknown=("education",), cite=cite)
    for e in records:
        if not e.abroad and e.level in levels and e.graduated is not None and e.graduated <= d:
            return Finding(rule, True, {"education.level": e.level, "education.graduated": e.graduated.isoformat()}, cite=cite)
    return Finding(rule, False, cite=cite)


def _skilled_worker(person: Person, d: date, cite: str) -> Finding:
    rule = "talent.skilled_worker"
    quals = person.qualifications
    if quals is None:
        return Finding(rule, None, unknown=("qualifications",), cite=cite)
    for q in quals:
        if q.obtained is not None and q.obtained <= d:
            return Finding(rule, True, {"qualifications.kind": q.kind, "qualifications.obtained": q.obtained.isoformat()}, cite=cite)
    return Finding(rule, False, cite=cite)


def _returned_overseas(person: Person, d: date, cite: str) -> Finding:
    rule = "talent.returned_overseas"
    records = person.education
    if records is None:
        return Finding(rule, None, unknown=("education",), cite=cite)
    result: Tri = False
    for e in records:
        if e.abroad and e.graduated is not None and e.graduated <= d:
            if e.certified is True:
                return Finding(rule, True, {"education.level": e.level, "education.certified": True}, cite=cite)
            if e.certified is None:
                result = None
    values = {"education.certified": None} if result is None else {}
    return Finding(rule, result, values, unknown=("education",), cite=cite)


_VOCATIONAL = frozenset({"vocational"})


def talent_route(person: Person, d: date, policy: Policy) -> RouteResult:
    cite = cite_of(policy, "talent")
    findings = [
        _graduated(person, d, "talent.graduate", cite, HIGHER_EDUCATION),
        _graduated(person, d, "talent.vocational_graduate", cite, _VOCATIONAL),
        _skilled_worker(person, d, cite),
        _returned_overseas(person, d, cite),
    ]
    return RouteResult("talent", any_of(f.result for f in findings), findings, "any")


# --- student (来去自由, §四) ------------------------------------------------------------

def student_route(person: Person, d: date, policy: Policy) -> RouteResult:
    cite = cite_of(policy, "student")
    rural = Finding("student.rural_hukou", not person.hukou.urban, {"hukou.urban": person.hukou.urban}, cite=cite)
    records = person.education
    if records is None:
        enrolled = Finding("student.enrolled_in_city", None, unknown=("education",), cite=cite)
    else:
        enrolled = Finding("student.enrolled_in_city", False, cite=cite)
        for e in records:
            if (e.institution_in_city and e.level in HIGHER_EDUCATION and e.admitted <= d
                    and (e.graduated is None or e.graduated > d)):
                enrolled = Finding("student.enrolled_in_city", True,
                                   {"education.level": e.level, "education.admitted": e.admitted.isoformat()}, cite=cite)
                break
    findings = [rural, enrolled]
    return RouteResult("student", all_of(f.result for f in findings), findings, "all")


# --- general (合法稳定住所, §五) --------------------------------------------------------

def _social_insurance(person: Person, d: date, policy: Policy) -> Finding:
    rule = "general.social_insurance"
    required = policy.value(P_SOCIAL_INSURANCE, d)
    cite = policy.parameters[P_SOCIAL_INSURANCE].cite
    clause = cite.clause if cite else ""
    params = {P_SOCIAL_INSURANCE: required}
    if required <= 0:
        return Finding(rule, True, {}, params, cite=clause)
    if person.social_insurance is None:
        return Finding(rule, None, {}, params, unknown=("social_insurance",), cite=clause)
    months = distinct_months(((s.start, s.end) for s in person.social_insurance), d)
    return Finding(rule, months >= required, {"social_insurance_months": months}, params, cite=clause)


def _employment(person: Person, d: date, policy: Policy) -> Finding:
    rule = "general.employment"
    required = policy.value(P_EMPLOYMENT, d)
    cite = policy.parameters[P_EMPLOYMENT].cite
    clause = cite.clause if cite else ""
    params = {P_EMPLOYMENT: required}
    if required <= 0:
        return Finding(rule, True, {}, params, cite=clause)
    if person.employment is None:
        return Finding(rule, None, {}, params, unknown=("employment",), cite=clause)
    months = covered_days(clip(((e.start, e.end) for e in person.employment), d)) // DAYS_PER_EMPLOYMENT_MONTH
    return Finding(rule, months >= required, {"employment_months": months}, params, cite=clause)


def general_route(person: Person, d: date, policy: Policy, lsr: Finding) -> RouteResult:
    cite = cite_of(policy, "general")
    findings = [
        lsr,
        urban_place(person, d, "general.urban_place", cite),
        _social_insurance(person, d, policy),
        _employment(person, d, policy),
    ]
    return RouteResult("general", all_of(f.result for f in findings), findings, "all", household="family")


# --- the verdict -----------------------------------------------------------------------

def _with_extras(route: RouteResult, person: Person, d: date, policy: Policy) -> RouteResult:
    extras = [evaluate_extra(c, i, person, d, c.cite.clause if c.cite else "")
              for i, c in enumerate(policy.extra_conditions) if c.route == route.name]
    if not extras:
        return route
    route.findings.extend(extras)
    route.result = all_of((route.result, *(f.result for f in extras)))
    return route


def _route_unknowns(route: RouteResult) -> list[str]:
    return unknown_keys(route.findings)


def followers(person: Person, d: date) -> int:
    """Spouse, children under 18 and parents listed as moving (随迁, §四)."""
    family = person.family
    if family is None:
        return 0
    count = 1 if family.spouse is not None and family.spouse.moving else 0
    count += sum(1 for c in family.children if c.moving and c.birth_date <= d and age_on(c.birth_date, d) < MINOR_AGE)
    count += sum(1 for p in family.parents if p.moving)
    return count


def evaluate_settlement(person: Person, d: date, policy: Policy) -> SettlementResult:
    city = policy.city.code
    if person.hukou.urban and in_city(person.hukou.place, city):
        pre = Finding("precondition.already_settled", False,
                      {"hukou.place": person.hukou.place, "hukou.urban": True}, cite=cite_of(policy, "precondition.already_settled"))
        return SettlementResult("ineligible", "already_settled", None, None,
                                {r: False for r in ROUTES}, 0, [], [pre])

    lsr = legal_stable_residence(person, d, "general.legal_stable_residence", cite_of(policy, "general"))
    routes = [
        _with_extras(talent_route(person, d, policy), person, d, policy),
        _with_extras(student_route(person, d, policy), person, d, policy),
        _with_extras(general_route(person, d, policy, lsr), person, d, policy),
    ]
    # The talent household is a family household with a legal stable residence, else collective.
    routes[0].household = {True: "family", False: "collective", None: None}[lsr.result]
    routes[1].household = "collective"

    findings = [f for r in routes for f in r.findings]
    results = {r.name: r.result for r in routes}
    chosen = next((r for r in routes if r.result is True), None)
    if chosen is not None:
        return SettlementResult("eligible", None, chosen.name, chosen.household, results,
                                followers(person, d), [], findings)
    if all(r.result is False for r in routes):
        return SettlementResult("ineligible", "no_route", None, None, results, 0, [], findings)
    missing: list[str] = []
    for r in routes:
        if r.result is None:
            for k in _route_unknowns(r):
                if k not in missing:
                    missing.append(k)
    return SettlementResult("undetermined", None, None, None, results, 0, missing, findings)

"""What a verdict relied on, as the facts a person proves at the counter, and the materials that prove them.

A verdict (RULEBOOK §7) lists every condition it evaluated. Only those the answer rests on ask for a
paper: for settlement, the conditions of the route that holds (for the talent route, any one of whose
conditions is enough, only those that hold) and the values they read; for a residence permit, the
six months of residence and whichever of work, home or study holds. A condition that read nothing
(a requirement of 0 months) asks for nothing. The people who move with the applicant each bring
what shows the relation.

`relied_on(kind, verdict, followers)` gives those facts as keys of `NEEDS`; the city's guide file
says which materials each key asks for (`needs`), and `materials_for` lists them once each, in order.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# The facts a guide file may ask materials for, in the order a guide lists them.
NEEDS = (
    "settlement",  # always, for a hukou that moves: the ID card and the hukou booklet
    "residence_permit",  # always, for a residence permit
    "education",  # a degree or diploma of a college or vocational school in China
    "education.abroad",  # a foreign degree, certified
    "qualification",  # a skill certificate or vocational qualification
    "studying",  # enrolled at a college (of the city, for the student route)
    "household.collective",  # registered in a collective household (no home of one's own)
    "housing.owned", "housing.rented", "housing.employer", "housing.school",
    "residence",  # living in the city now (settlement)
    "residence.half_year",  # six months of residence (residence permit)
    "social_insurance",  # months of social insurance, where the city asks for some
    "employment",  # work: months of it (settlement), or a job now (residence permit)
    "military",  # discharged from the army (a key group)
    "follower.spouse", "follower.child", "follower.parent",
    "guardian",  # a guardian applies for a child under 16 (residence permit)
)
FOLLOWERS = ("spouse", "child", "parent")
SETTLEMENT_KINDS = frozenset({"settlement", "student_move", "graduate_move"})


def guide_kind(case_kind: str) -> str:
    """The guide a case's kind follows: a hukou that moves (settlement), or a residence permit."""
    return "residence_permit" if case_kind == "residence_permit" else "settlement"


def _held(reasons: Iterable[dict[str, Any]], prefix: str) -> list[dict[str, Any]]:
    return [r for r in reasons if str(r.get("rule", "")).startswith(prefix) and r.get("result") == "true"]


def _housing(reason: dict[str, Any]) -> list[str]:
    """A legal stable residence that held: the kind of home it read, and living in the city now."""
    values = reason.get("values") or {}
    out = []
    if values.get("housing.kind") in ("owned", "rented", "employer", "school"):
        out.append("housing." + values["housing.kind"])
    return out


_TALENT = {"talent.graduate": "education", "talent.vocational_graduate": "education",
           "talent.skilled_worker": "qualification", "talent.returned_overseas": "education.abroad"}


def _settlement(part: dict[str, Any]) -> list[str]:
    route = part.get("route")
    reasons = part.get("reasons") or []
    needs: list[str] = ["settlement"]
    held = _held(reasons, f"{route}.")
    for r in held:
        rule, values = r["rule"], r.get("values") or {}
        if rule in _TALENT:
            needs.append(_TALENT[rule])
        elif rule == "student.enrolled_in_city":
            needs.append("studying")
        elif rule == "general.legal_stable_residence":
            needs += _housing(r)
            if values.get("residence.covers_date") is True:
                needs.append("residence")
        elif rule == "general.social_insurance" and "social_insurance_months" in values:
            needs.append("social_insurance")  # a requirement of 0 months reads nothing and asks nothing
        elif rule == "general.employment" and "employment_months" in values:
            needs.append("employment")
    if route == "talent":  # the household: a family one on a home of one's own, else a collective one
        if part.get("household") == "family":
            lsr = next((r for r in _held(reasons, "general.legal_stable_residence")), None)
            needs += _housing(lsr) if lsr else []
        elif part.get("household") == "collective":
            needs.append("household.collective")
    if "student_or_military" in (part.get("key_groups") or []):
        group = next((r for r in _held(reasons, "key_groups.student_or_military")), None)
        if group and "military.discharged" in (group.get("values") or {}):
            needs.append("military")
    return needs


def _permit(part: dict[str, Any]) -> list[str]:
    needs: list[str] = ["residence_permit"]
    for r in part.get("reasons") or []:
        if r.get("result") != "true":
            continue
        rule, values = r.get("rule"), r.get("values") or {}
        if rule == "permit.residence_duration" and values.get("residence_counted_from"):
            needs.append("residence.half_year")
        elif rule == "permit.employed":
            needs.append("employment")
        elif rule == "permit.legal_stable_residence":
            needs += _housing(r)
        elif rule == "permit.studying":
            needs.append("studying")
    if part.get("guardian_required"):
        needs.append("guardian")
    return needs


def relied_on(kind: str, verdict: dict[str, Any], followers: Iterable[str] = ()) -> list[str]:
    """The facts (keys of NEEDS) the verdict's answer for `kind` rests on, once each, in NEEDS order;
    [] when the verdict does not let the person apply for it. `followers`: the relations of the people
    who move with the applicant (spouse, child, parent)."""
    if kind == "residence_permit":
        part = verdict.get("residence_permit") or {}
        needs = _permit(part) if part.get("status") == "eligible" else []
    else:
        part = verdict.get("settlement") or {}
        needs = _settlement(part) if part.get("status") == "eligible" else []
        if needs:
            needs += [f"follower.{f}" for f in followers if f in FOLLOWERS]
    return [n for n in NEEDS if n in needs]


def followers_of_facts(facts: dict[str, Any] | None, minor: Any = None) -> list[str]:
    """The relations of the family members the self-check's facts list as moving. `minor(birth_date)`
    tells a child who still follows (under 18 on the day); without it every child listed as moving."""
    family = (facts or {}).get("family") or {}
    out = []
    if (family.get("spouse") or {}).get("moving"):
        out.append("spouse")
    if any(c.get("moving") and (minor is None or minor(c.get("birth_date"))) for c in family.get("children") or ()):
        out.append("child")
    if any(p.get("moving") for p in family.get("parents") or ()):
        out.append("parent")
    return out


def materials_for(needs: Iterable[str], asks: dict[str, list[str]]) -> list[str]:
    """The material ids the needs ask for (`asks`: the guide file's `needs`), each once, in order."""
    out: list[str] = []
    for need in needs:
        for mid in asks.get(need, ()):
            if mid not in out:
                out.append(mid)
    return out

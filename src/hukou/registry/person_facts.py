"""One person's RULEBOOK §2 facts at D, from the register's rows (pure: the stores fetch the rows).

The hukou is the registration in force at D: the latest on or before D by its date, and of those of
one day the one written last (`seq`, the person's registrations numbered in the order written). A
topic the register does not hold (`<topic>_known` false) stays absent, i.e. unknown; housing held but
with no row is "none".
Military service and family absent mean none.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Callable

from hukou.policy.errors import InputError

Rows = Callable[[str], list[dict[str, Any]]]  # table name -> this person's rows, in date order


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _month(n: int | None) -> str | None:
    return None if n is None else f"{n // 12:04d}-{n % 12 + 1:02d}"


def _present(row: dict, *fields: str) -> dict:
    return {f: _iso(row[f]) for f in fields if row.get(f) is not None}


def facts_at(person_id: int, d: date, rows: Rows) -> dict[str, Any]:
    people = rows("people")
    if not people:
        raise InputError("person", f"no person {person_id} in the register")
    who = people[0]
    hukou = in_force(rows("hukou"), d)
    if hukou is None:
        raise InputError("person", f"person {person_id} has no hukou registered on or before {d.isoformat()}")
    facts: dict[str, Any] = {"birth_date": who["birth_date"].isoformat(),
                             "hukou": {"place": hukou["place"], "urban": hukou["urban"]}}
    if who["residence_known"]:
        facts["residence"] = [{"from": _iso(r["start"]), "to": _iso(r["end"]), **_present(r, "place", "urban")}
                              for r in rows("residence")]
    if who["housing_known"]:
        housing = rows("housing")
        facts["housing"] = _present(housing[0], "kind", "registered") if housing else {"kind": "none"}
    if who["employment_known"]:
        facts["employment"] = [{"from": _iso(r["start"]), "to": _iso(r["end"])} for r in rows("employment")]
    if who["social_insurance_known"]:
        facts["social_insurance"] = [{"from": _month(r["start_month"]), "to": _month(r["end_month"])}
                                     for r in rows("social_insurance")]
    if who["education_known"]:
        facts["education"] = [_present(r, "level", "admitted", "graduated", "institution_in_city", "abroad", "certified")
                              for r in rows("education")]
    if who["qualifications_known"]:
        facts["qualifications"] = [_present(r, "kind", "obtained") for r in rows("qualifications")]
    military = rows("military")
    if military:
        facts["military"] = _present(military[0], "enlisted", "discharged")
    family = rows("family")
    if family:
        spouse = [f for f in family if f["relation"] == "spouse"]
        facts["family"] = {
            **({"spouse": {"moving": spouse[0]["moving"]}} if spouse else {}),
            "children": [{"birth_date": f["birth_date"].isoformat(), "moving": f["moving"]}
                         for f in family if f["relation"] == "child"],
            "parents": [{"moving": f["moving"]} for f in family if f["relation"] == "parent"],
        }
    return facts


def in_force(registrations: list[dict[str, Any]], d: date) -> dict[str, Any] | None:
    """The registration in force at d: the greatest (since, seq) on or before d, or None. (Of rows
    with the same since and seq, which an import refuses, the last given.)"""
    latest = None
    for h in registrations:
        if h["since"] <= d and (latest is None or (h["since"], h["seq"]) >= (latest["since"], latest["seq"])):
            latest = h
    return latest


# the order rows are read in, per table (so both stores produce the same lists)
ORDER = {"hukou": ("since", "seq"), "residence": ("start",), "employment": ("start",), "social_insurance": ("start_month",),
         "education": ("admitted",)}

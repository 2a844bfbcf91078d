"""Properties the plan demands of every verdict, over generated people (hypothesis)."""

from __future__ import annotations

import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hukou.policies import load
from hukou.policy.verdict import check
from people import DATES, OUTSIDE_PLACES, people, qualification

CHANGJI = load("changji-2018")
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def decision(verdict: dict) -> dict:
    """Everything a verdict decides, and each reason's result, without the raw values it quotes."""
    s, p = verdict["settlement"], verdict["residence_permit"]
    return {
        "settlement": {k: s[k] for k in ("status", "reason", "route", "household", "routes", "key_groups", "followers", "missing")},
        "settlement_reasons": [(r["rule"], r["result"]) for r in s["reasons"]],
        "permit": {k: p[k] for k in ("status", "reason", "guardian_required", "missing", "entitlements")},
        "permit_reasons": [(r["rule"], r["result"]) for r in p["reasons"]],
        "endorsement": p.get("endorsement"),
    }


@SETTINGS
@given(people(), DATES, st.sampled_from(OUTSIDE_PLACES), st.sampled_from(OUTSIDE_PLACES))
def test_origin_outside_the_city_never_matters(person, d, a, b):
    """§二(二)1: moving the hukou between two places outside the city changes nothing."""
    person_a, person_b = copy.deepcopy(person), copy.deepcopy(person)
    person_a["hukou"]["place"], person_b["hukou"]["place"] = a, b
    assert decision(check(person_a, d, CHANGJI)) == decision(check(person_b, d, CHANGJI))


@SETTINGS
@given(people(), DATES)
def test_owned_and_registered_rented_housing_are_equal(person, d):
    """§五: owned housing and registered rented housing count the same."""
    owned, rented = copy.deepcopy(person), copy.deepcopy(person)
    owned["housing"] = {"kind": "owned"}
    rented["housing"] = {"kind": "rented", "registered": True}
    assert decision(check(owned, d, CHANGJI)) == decision(check(rented, d, CHANGJI))


@SETTINGS
@given(people(), DATES, qualification())
def test_adding_a_qualification_never_makes_eligible_ineligible(person, d, extra):
    before = check(person, d, CHANGJI)
    more = copy.deepcopy(person)
    more["qualifications"] = list(more.get("qualifications") or []) + [extra]
    after = check(more, d, CHANGJI)
    if before["settlement"]["status"] == "eligible":
        assert after["settlement"]["status"] == "eligible"
    assert decision(after)["permit"] == decision(before)["permit"]


def _fill_nested_unknowns(person: dict, draw_bool) -> dict:
    full = copy.deepcopy(person)
    if "housing" in full and "registered" not in full["housing"]:
        full["housing"]["registered"] = draw_bool()
    for r in full.get("residence") or []:
        r.setdefault("urban", draw_bool())
    for e in full.get("education") or []:
        e.setdefault("certified", draw_bool())
    return full


@SETTINGS
@given(st.data(), DATES)
def test_filling_in_unknown_facts_never_changes_a_decided_verdict(data, d):
    full = data.draw(people(all_known=True))
    full = _fill_nested_unknowns(full, lambda: data.draw(st.booleans()))
    keep = data.draw(st.sets(st.sampled_from(sorted(k for k in full if k not in ("birth_date", "hukou")))))
    partial = {k: v for k, v in full.items() if k in ("birth_date", "hukou") or k in keep}
    before, after = check(partial, d, CHANGJI), check(full, d, CHANGJI)
    for part in ("settlement", "residence_permit"):
        if before[part]["status"] != "undetermined":
            assert after[part]["status"] == before[part]["status"], part
        else:
            assert before[part]["missing"], f"{part}: undetermined must say what to ask"
    assert set(before["settlement"]["key_groups"]) <= set(after["settlement"]["key_groups"])


@SETTINGS
@given(people(), DATES)
def test_missing_is_listed_exactly_when_undetermined(person, d):
    v = check(person, d, CHANGJI)
    for part in ("settlement", "residence_permit"):
        assert bool(v[part]["missing"]) == (v[part]["status"] == "undetermined")
    s = v["settlement"]
    assert (s["route"] is None) == (s["status"] != "eligible")
    if s["status"] != "eligible":
        assert s["followers"] == 0 and s["household"] is None
    else:
        assert s["routes"][s["route"]] == "true"


@SETTINGS
@given(people(), DATES)
def test_every_reason_is_cited_and_explained_in_both_languages(person, d):
    v = check(person, d, CHANGJI)
    for r in v["settlement"]["reasons"] + v["residence_permit"]["reasons"]:
        assert r["result"] in ("true", "false", "unknown")
        assert r["cite"], r["rule"]
        assert set(r["text"]) == {"zh", "en"}

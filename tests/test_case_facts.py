"""Facts on a case: checked like the eligibility endpoint's input, kept canonical, the latest one wins."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from hukou.cases import case as C
from hukou.cases.facts import canonical_facts, latest_facts
from hukou.policy.errors import InputError
from hukou.policy.verdict import check
from people import DATES, people

FACTS = {"birth_date": "1992-04-18", "hukou": {"place": "622425", "urban": False},
         "residence": [{"from": "2015-03-01", "place": "652301003", "urban": True}],
         "housing": {"kind": "rented", "registered": True, "monthly_rent": 900}, "tax_paid": 12000,
         "social_insurance": [{"from": "2016-01", "to": "2018-12"}], "education": [], "qualifications": []}


def test_errors_name_the_field_under_facts():
    for bad, field in [({**FACTS, "housing": {"kind": "castle"}}, "facts.housing.kind"),
                       ({"hukou": FACTS["hukou"]}, "facts.birth_date"),
                       ({**FACTS, "residence": [{"from": "2015-03-01", "place": "622425"}]}, "facts.residence[0].place"),
                       ({**FACTS, "education": [{"level": "bachelor"}]}, "facts.education[0].admitted"),
                       ("a person", "facts")]:
        with pytest.raises(InputError) as err:
            canonical_facts(bad, "652301")
        assert err.value.path == field, (bad, err.value.path)
    with pytest.raises(InputError) as err:
        canonical_facts({**FACTS, "housing": {"kind": "castle"}}, "652301", path="data.facts")
    assert err.value.path == "data.facts.housing.kind"


def test_only_what_the_rules_read_is_kept():
    facts = canonical_facts(FACTS, "652301")
    assert "tax_paid" not in facts and facts["housing"] == {"kind": "rented", "registered": True}
    assert facts["social_insurance"] == [{"from": "2016-01", "to": "2018-12"}]
    assert facts["residence"] == [{"from": "2015-03-01", "place": "652301003", "urban": True}]
    assert "employment" not in facts  # absent stays absent: unknown


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people(), DATES)
def test_the_canonical_form_gives_the_same_verdict(changji, person, d):
    try:
        expected = check(person, d, changji)
    except InputError:
        return
    assert check(canonical_facts(person, "652301"), d, changji) == expected


def test_the_latest_facts_given_on_a_case_win():
    from casework_people import act, p1, run, submission, then, wang

    c = run("settlement", act(C.SUBMITTED, wang, **submission(facts={"v": 1})))
    assert latest_facts(c) == {"v": 1}
    c = then(c, act(C.MATERIALS_REQUESTED, p1, items=["housing"]))
    c = then(c, act(C.MATERIALS_PROVIDED, wang, items=["housing"]))
    assert latest_facts(c) == {"v": 1}  # materials without facts change nothing
    c = then(c, act(C.MATERIALS_PROVIDED, wang, facts={"v": 2}))
    assert latest_facts(c) == {"v": 2}
    assert latest_facts(run("settlement", act(C.SUBMITTED, wang, **submission()))) is None

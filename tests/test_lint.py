"""The linter: every code on a bad policy file, and a clean pass on the shipped Changji policy."""

from __future__ import annotations

from pathlib import Path

import pytest

from hukou.policies import load_path
from hukou.policy.lint import CODES, lint
from hukou.policy.policy_file import parse_policy
from policytools import changji_dict, cite


def codes(data: dict) -> list[str]:
    return [p.code for p in lint(parse_policy(data))]


def with_condition(fact: str, op: str, value, route: str = "general", with_cite: bool = True) -> dict:
    data = changji_dict()
    condition = {"route": route, "require": {"fact": fact, "op": op, "value": value}}
    if with_cite:
        condition["cite"] = cite()
    data["extra_conditions"] = [condition]
    return data


def test_changji_is_clean(changji):
    assert lint(changji) == []


def test_every_code_has_a_name_and_citation():
    for code, c in CODES.items():
        assert c.name and c.cite and c.zh and c.en, code


@pytest.mark.parametrize("fact,op,value", [
    ("tax_paid", ">=", 10000),
    ("investment", ">", 0),
    ("home_purchase_price", ">=", 500000),
    ("housing.kind", "==", "owned"),
    ("housing.kind", "in", ["owned"]),
    ("housing.kind", "not_in", ["rented", "none"]),
    ("housing.kind", "!=", "rented"),
])
def test_l1_forbidden_condition(fact, op, value):
    assert "L1" in codes(with_condition(fact, op, value))


def test_l1_allows_housing_conditions_that_treat_renting_equally():
    assert codes(with_condition("housing.kind", "in", ["owned", "rented", "employer", "school"])) == []
    assert codes(with_condition("housing.kind", "!=", "none")) == []


def test_l2_parameter_above_cap():
    data = changji_dict()
    data["parameters"]["settlement.general.min_social_insurance_months"]["values"] = {"2018-12-05": 0, "2020-01-01": 36}
    assert codes(data) == ["L2"]


def test_l2_cap_itself_is_allowed():
    data = changji_dict()
    data["parameters"]["settlement.general.min_social_insurance_months"]["values"] = {"2018-12-05": 24}
    assert codes(data) == []


@pytest.mark.parametrize("op,value,bad", [(">=", 25, True), (">", 24, True), (">=", 24, False), ("==", 36, True), ("<", 60, False)])
def test_l2_condition_on_insurance_months(op, value, bad):
    assert ("L2" in codes(with_condition("social_insurance_months", op, value))) is bad


@pytest.mark.parametrize("fact,op,value", [
    ("hukou.place", "startswith", "65"),          # Xinjiang origins only
    ("hukou.place", "not_in", ["622425"]),         # excludes a county
    ("hukou.place", "==", "652301"),
    ("hukou.province", "==", "新疆"),
    ("hukou.local", "==", True),
    ("origin_county", "==", "622425"),
])
def test_l3_origin_discrimination(fact, op, value):
    assert "L3" in codes(with_condition(fact, op, value))


def test_l3_allows_in_the_city_or_not():
    assert codes(with_condition("hukou.place", "startswith", "652301")) == []
    assert codes(with_condition("hukou.urban", "==", False)) == []


def test_l4_points_in_a_small_city():
    data = changji_dict()
    data["points"] = {"threshold": 100, "items": [{"fact": "education.level", "points": 20}]}
    assert codes(data) == ["L4"]


def test_l4_points_allowed_in_a_megacity():
    data = changji_dict()
    data["city"]["urban_population"] = 5_000_000
    data["points"] = {"threshold": 100}
    assert codes(data) == []


@pytest.mark.parametrize("fact", ["three_rights.contracted_land", "three_rights.homestead", "collective_income_shares"])
def test_l5_three_rights(fact):
    assert "L5" in codes(with_condition(fact, "==", False))


def test_l6_quota_handed_to_a_township():
    data = changji_dict()
    data["quotas"] = [{"division": "652301101", "value": 500, "year": 2019, "cite": cite("§三")}]
    assert codes(data) == ["L6"]


def test_l6_city_level_target_is_fine():
    data = changji_dict()
    data["quotas"] = [{"division": "652301", "value": 0.45, "year": 2020, "cite": cite("§三")}]
    assert codes(data) == []


def test_l7_parameter_without_citation():
    data = changji_dict()
    del data["parameters"]["settlement.general.min_employment_months"]["cite"]
    assert codes(data) == ["L7"]


def test_l7_citation_without_quote():
    data = changji_dict()
    data["parameters"]["residence_permit.guardian_age"]["cite"] = {"clause": "第九条"}
    assert codes(data) == ["L7"]


def test_l7_condition_without_citation():
    assert codes(with_condition("age", ">=", 18, with_cite=False)) == ["L7"]


def test_l7_rule_not_bound_to_a_clause():
    data = changji_dict()
    del data["rules"]["key_groups.whole_family"]
    assert codes(data) == ["L7"]


def test_l8_unknown_fact():
    assert codes(with_condition("favourite_colour", "==", "red")) == ["L8"]


def test_derived_and_dotted_facts_are_known():
    for fact in ("age", "residence_months", "employment_months", "social_insurance_months", "housing.kind", "education.level"):
        assert codes(with_condition(fact, "==", 1)) == [], fact


BAD_FILES = sorted((Path(__file__).parent / "policies").glob("L*.yaml"))


def test_there_is_a_bad_policy_file_for_every_code():
    assert {f.name.split("-")[0] for f in BAD_FILES} == set(CODES)


@pytest.mark.parametrize("path", BAD_FILES, ids=lambda p: p.stem)
def test_each_bad_policy_file_fails_with_its_code_alone(path):
    problems = lint(load_path(path))
    assert [p.code for p in problems] == [path.name.split("-")[0]]


def test_lint_command_exits_non_zero_on_a_bad_file_and_zero_on_the_example():
    import subprocess
    import sys

    bad = subprocess.run([sys.executable, "-m", "hukou", "policy", "lint", str(BAD_FILES[0])], capture_output=True, text=True)
    assert bad.returncode == 1 and bad.stdout.startswith("L1 forbidden-condition")
    good = subprocess.run([sys.executable, "-m", "hukou", "policy", "lint",
                           str(Path(__file__).parent.parent / "docs" / "examples" / "example-city.yaml")],
                          capture_output=True, text=True)
    assert good.returncode == 0 and good.stdout.strip().endswith(": ok")

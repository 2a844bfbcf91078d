"""Policy files: strict schema, dated parameters, extra conditions, and a second city by path."""

from __future__ import annotations

from datetime import date

import pytest

from hukou.policies import load, load_path, shipped
from hukou.policy.errors import InputError
from hukou.policy.policy_file import parse_policy
from hukou.policy.verdict import check
from policytools import changji_dict, cite, write_policy

from conftest import TESTS

EXAMPLE_CITY = TESTS.parent / "docs" / "examples" / "example-city.yaml"


def test_changji_ships_with_every_parameter_cited_and_dated(changji):
    assert "changji-2018" in shipped()
    assert changji.city.code == "652301" and changji.effective.start == date(2018, 12, 5)
    for name, param in changji.parameters.items():
        assert param.cite is not None and param.cite.complete, name
        assert param.values, name


def test_unknown_key_rejected_with_its_path():
    data = changji_dict()
    data["parameters"]["residence_permit.guardian_age"]["valuez"] = {}
    with pytest.raises(InputError) as err:
        parse_policy(data)
    assert err.value.path == "parameters.residence_permit.guardian_age.valuez"


def test_unknown_top_level_key_rejected():
    data = changji_dict()
    data["bonus"] = 1
    with pytest.raises(InputError) as err:
        parse_policy(data)
    assert err.value.path == "bonus"


def test_unknown_parameter_rejected():
    data = changji_dict()
    data["parameters"]["settlement.min_tax"] = {"values": {"2018-12-05": 1}, "cite": cite()}
    with pytest.raises(InputError) as err:
        parse_policy(data)
    assert err.value.path == "parameters.settlement.min_tax"


def test_required_parameter_missing():
    data = changji_dict()
    del data["parameters"]["residence_permit.min_residence_months"]
    with pytest.raises(InputError) as err:
        parse_policy(data)
    assert err.value.path == "parameters.residence_permit.min_residence_months"


def test_parameter_value_of_the_wrong_type():
    data = changji_dict()
    data["parameters"]["residence_permit.guardian_age"]["values"] = {"2016-01-01": "sixteen"}
    with pytest.raises(InputError) as err:
        parse_policy(data)
    assert err.value.path.startswith("parameters.residence_permit.guardian_age.values")


def test_unknown_extra_condition_operator():
    data = changji_dict()
    data["extra_conditions"] = [{"route": "general", "require": {"fact": "age", "op": "~", "value": 1}, "cite": cite()}]
    with pytest.raises(InputError) as err:
        parse_policy(data)
    assert err.value.path == "extra_conditions[0].require.op"


@pytest.mark.parametrize("op,value", [("in", "master"), ("not_in", "rented"), ("in", 3), ("not_in", {"a": 1})])
def test_in_and_not_in_take_a_list_of_values(op, value):
    """A text would be a substring test in one engine and a list of characters in another."""
    data = changji_dict()
    data["extra_conditions"] = [{"route": "general", "require": {"fact": "housing.kind", "op": "==", "value": "owned"},
                                 "cite": cite()},
                                {"route": "talent", "require": {"fact": "education.level", "op": op, "value": value},
                                 "cite": cite("§四")}]
    with pytest.raises(InputError) as err:
        parse_policy(data)
    assert err.value.path == "extra_conditions[1].require.value"
    assert err.value.message == f"expected a list of values for in/not_in (got {value!r})"
    data["extra_conditions"][1]["require"]["value"] = [value]
    assert parse_policy(data).extra_conditions[1].require.value == [value]


def test_evaluating_before_the_policy_takes_effect_is_an_input_error(changji):
    with pytest.raises(InputError) as err:
        check({"birth_date": "1990-01-01", "hukou": {"place": "622425", "urban": False}}, date(2018, 12, 4), changji)
    assert err.value.path == "date"


def _worker(**over):
    person = {
        "birth_date": "1990-01-01",
        "hukou": {"place": "622425", "urban": False},
        "residence": [{"from": "2019-01-01", "to": None, "place": "659999001", "urban": True}],
        "housing": {"kind": "owned"},
        "employment": [{"from": "2019-01-01", "to": None}],
        "social_insurance": [{"from": "2019-01", "to": None}],
        "education": [],
        "qualifications": [],
    }
    person.update(over)
    return person


def test_second_city_by_path_with_dated_parameters_and_extra_conditions():
    city = load(str(EXAMPLE_CITY))
    assert city.id == "example-city-2019"
    # 2019-10-15: 10 months of insurance, 12 required → ineligible
    v = check(_worker(), date(2019, 10, 15), city)
    assert v["settlement"]["status"] == "ineligible"
    si = next(r for r in v["settlement"]["reasons"] if r["rule"] == "general.social_insurance")
    assert si["values"] == {"social_insurance_months": 10}
    assert si["parameters"] == {"settlement.general.min_social_insurance_months": 12}
    # 2019-12-01: 12 months → eligible
    assert check(_worker(), date(2019, 12, 1), city)["settlement"]["route"] == "general"
    # 2021-01-01: the requirement falls to 6 months, so a later start suffices
    late = _worker(social_insurance=[{"from": "2020-07", "to": None}], employment=[{"from": "2020-07-01"}])
    assert check(late, date(2020, 12, 31), city)["settlement"]["status"] == "ineligible"
    assert check(late, date(2021, 1, 1), city)["settlement"]["status"] == "eligible"


def test_second_city_extra_condition_is_evaluated_and_explained():
    city = load(str(EXAMPLE_CITY))
    minor = _worker(birth_date="2003-06-01")
    v = check(minor, date(2020, 6, 1), city)
    extra = next(r for r in v["settlement"]["reasons"] if r["rule"] == "general.extra.1")
    assert extra["result"] == "false" and extra["values"] == {"age": 17}
    assert "18" in extra["text"]["zh"] and extra["cite"] == "第四条"
    assert v["settlement"]["routes"]["general"] == "false"
    assert check(minor, date(2021, 6, 1), city)["settlement"]["route"] == "general"


def test_second_city_checks_residence_against_its_own_code():
    city = load(str(EXAMPLE_CITY))
    with pytest.raises(InputError) as err:
        check(_worker(residence=[{"from": "2019-01-01", "place": "652301003", "urban": True}]), date(2020, 1, 1), city)
    assert err.value.path == "residence[0].place"


def test_extra_condition_on_an_unknown_fact_joins_its_route_as_unknown(tmp_path):
    data = changji_dict()
    data["extra_conditions"] = [{"route": "general", "require": {"fact": "social_insurance_months", "op": ">=", "value": 6},
                                 "cite": cite()}]
    policy = load_path(write_policy(tmp_path, data))
    person = _worker(residence=[{"from": "2019-01-01", "place": "652301003", "urban": True}])
    del person["social_insurance"]
    v = check(person, date(2019, 10, 1), policy)
    assert v["settlement"]["routes"]["general"] == "unknown"
    assert v["settlement"]["missing"] == ["social_insurance"]


def test_extra_condition_over_a_list_holds_when_some_record_does(tmp_path):
    data = changji_dict()
    data["extra_conditions"] = [{"route": "talent", "require": {"fact": "education.level", "op": "in", "value": ["master", "doctor"]},
                                 "cite": cite("§四")}]
    policy = load_path(write_policy(tmp_path, data))
    base = {"birth_date": "1990-01-01", "hukou": {"place": "622425", "urban": False}, "housing": {"kind": "none"},
            "residence": [], "qualifications": []}
    bachelor = dict(base, education=[{"level": "bachelor", "admitted": "2008-09-01", "graduated": "2012-07-01"}])
    master = dict(base, education=bachelor["education"] + [{"level": "master", "admitted": "2012-09-01", "graduated": "2015-07-01"}])
    assert check(bachelor, date(2019, 3, 1), policy)["settlement"]["status"] == "ineligible"
    assert check(master, date(2019, 3, 1), policy)["settlement"]["route"] == "talent"
    # a record admitted after D is ignored by the path too
    future = dict(base, education=bachelor["education"] + [{"level": "master", "admitted": "2019-09-01"}])
    assert check(future, date(2019, 3, 1), policy)["settlement"]["status"] == "ineligible"


def test_not_yaml_policy_file(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("title: [unclosed", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_path(path)
    assert "expected YAML or JSON" in err.value.message


def test_unknown_policy_name():
    with pytest.raises(InputError) as err:
        load("atlantis-2030")
    assert err.value.path == "policy"

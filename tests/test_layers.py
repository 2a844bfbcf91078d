"""National rules as a base layer: a city file states only what it adds or changes; lint lists each
departure with both citations and refuses to go past a national limit (L10); a province's layer
can stand between."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from hukou.policies import load, load_path, shipped_layers
from hukou.policy.errors import InputError
from hukou.policy.layering import departures
from hukou.policy.lint import lint
from hukou.policy.policy_file import REQUIRED_PARAMETERS
from hukou.policy.verdict import check

MINIMAL = """\
id: tiny-city
title: 某县级市落户实施办法
document: 某政发〔2020〕1号
city: {code: "652302", name: 阜康市, urban_population: 120000}
effective: {from: 2020-01-01}
"""
PERSON = {"birth_date": "1992-04-18", "hukou": {"place": "622425", "urban": False},
          "residence": [{"from": "2015-03-01", "place": "652302001", "urban": True}],
          "housing": {"kind": "rented", "registered": True}, "education": [], "qualifications": [],
          "employment": [{"from": "2015-03-01"}]}


def _national():
    from importlib import resources

    from hukou.policies import read_document

    return read_document(resources.files("hukou.policies").joinpath("layers", "national.yaml").read_text("utf-8"), "national")


def test_a_city_file_of_five_keys_checks_people_passes_lint_and_takes_every_parameter_from_national(tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text(MINIMAL, "utf-8")
    policy = load_path(path)
    assert policy.extends == "national" and policy.base.id == "national"
    national = _national()["parameters"]
    for name in REQUIRED_PARAMETERS:
        assert policy.parameters[name].values == load_path(path).base.parameters[name].values
        assert {str(k): v for k, v in policy.parameters[name].values.items()} == \
            {str(k): (date.fromisoformat(v) if isinstance(v, str) else v) for k, v in national[name]["values"].items()}
    assert lint(policy) == [] and departures(policy) == []
    verdict = check(PERSON, date(2021, 3, 1), policy)
    assert verdict["settlement"]["status"] == "eligible" and verdict["settlement"]["route"] == "general"
    assert verdict["residence_permit"]["status"] == "eligible"
    # its reasons rest on the national documents
    general = next(r for r in verdict["settlement"]["reasons"] if r["rule"] == "general.legal_stable_residence")
    assert general["basis"]["document"] == "国发〔2014〕25号"
    talent = next(r for r in verdict["settlement"]["reasons"] if r["rule"] == "talent.graduate")
    assert talent["basis"]["document"] == "国办发〔2016〕72号" and talent["basis"]["quote"] == "" and talent["basis"]["pending"]
    out = subprocess.run([sys.executable, "-m", "hukou", "policy", "lint", str(path)], capture_output=True, text=True)
    assert out.returncode == 0 and "wording pending" in out.stdout


def test_changji_states_only_what_its_plan_adds():
    changji = load("changji-2018")
    assert changji.base.id == "national" and departures(changji) == []
    own = _own("changji-2018")
    assert "residence_permit.min_residence_months" not in own["parameters"]  # the regulation's, from national
    assert set(own["parameters"]) < set(changji.parameters)
    assert changji.value("residence_permit.min_residence_months", date(2020, 1, 1)) == 6
    assert changji.parameters["targets.hukou_urbanization_rate"].cite.clause == "§三"


def _own(name):
    from importlib import resources

    from hukou.policies import read_document

    return read_document(resources.files("hukou.policies").joinpath(f"{name}.yaml").read_text("utf-8"), name)


def test_a_departure_is_listed_with_both_citations():
    example = load_path(Path(__file__).resolve().parents[1] / "docs" / "examples" / "example-city.yaml")
    lines = [d.line() for d in departures(example)]
    insurance = next(line for line in lines if line.startswith("parameters.settlement.general.min_social_insurance_months"))
    assert "第四条" in insurance and "国发〔2014〕25号 二(四)" in insurance and "12" in insurance


def test_a_city_cannot_raise_a_national_limit(tmp_path):
    path = tmp_path / "loose.yaml"
    path.write_text(MINIMAL + """parameters:
  residence_permit.issue_days:
    values: {2020-01-01: 20}
    cap: 40
    cite: {clause: 第五条, quote: 二十日内发放（示例）}
""", "utf-8")
    policy = load_path(path)
    assert policy.parameters["residence_permit.issue_days"].cap == 15  # the merge keeps the national limit
    found = {(p.code, p.path) for p in lint(policy)}
    assert ("L10", "parameters.residence_permit.issue_days.values.2020-01-01") in found
    assert ("L10", "parameters.residence_permit.issue_days.cap") in found


def test_new_values_need_their_own_citation(tmp_path):
    path = tmp_path / "uncited.yaml"
    path.write_text(MINIMAL + "parameters:\n  settlement.general.min_employment_months:\n    values: {2020-01-01: 6}\n", "utf-8")
    policy = load_path(path)
    assert policy.parameters["settlement.general.min_employment_months"].unit == "months"  # the layer's unit stays
    assert [(p.code, p.path) for p in lint(policy)] == [("L7", "parameters.settlement.general.min_employment_months.cite")]


def test_a_province_layer_stands_between_national_and_its_cities(tmp_path):
    (tmp_path / "province.yaml").write_text("""\
id: province
layer: province
title: 某自治区户籍制度改革实施意见（虚构示例）
extends: national
parameters:
  key_groups.long_term_years:
    values: {2015-01-01: 3}
    cite: {document: 某政发〔2014〕1号, clause: 第二条, quote: 在城镇就业居住3年以上（示例）}
""", "utf-8")
    city = tmp_path / "city.yaml"
    city.write_text(MINIMAL + "extends: province.yaml\n", "utf-8")
    policy = load_path(city)
    assert policy.base.id == "province"
    assert policy.value("key_groups.long_term_years", date(2021, 1, 1)) == 3
    assert policy.value("residence_permit.min_residence_months", date(2021, 1, 1)) == 6  # from national, through it
    (tmp_path / "a.yaml").write_text("id: a\nlayer: province\ntitle: a\nextends: b.yaml\n", "utf-8")
    (tmp_path / "b.yaml").write_text("id: b\nlayer: province\ntitle: b\nextends: a.yaml\n", "utf-8")
    city.write_text(MINIMAL + "extends: a.yaml\n", "utf-8")
    with pytest.raises(InputError, match="circle"):
        load_path(city)


def test_a_layer_is_not_a_city_policy_and_a_missing_layer_is_named(tmp_path):
    assert "national" in shipped_layers()
    from importlib import resources

    path = tmp_path / "national.yaml"
    path.write_text(resources.files("hukou.policies").joinpath("layers", "national.yaml").read_text("utf-8"), "utf-8")
    with pytest.raises(InputError, match="not a city's policy"):
        load_path(path)
    city = tmp_path / "city.yaml"
    city.write_text(MINIMAL + "extends: xinjiang\n", "utf-8")
    with pytest.raises(InputError, match="no layer named 'xinjiang'"):
        load_path(city)


def test_the_points_threshold_is_national_and_a_city_cannot_move_it(tmp_path):
    policy = load("changji-2018")
    assert policy.value("settlement.points.min_urban_population", date(2020, 1, 1)) == 3_000_000
    path = tmp_path / "points.yaml"
    path.write_text(MINIMAL + """points: {threshold: 100}
parameters:
  settlement.points.min_urban_population:
    values: {2020-01-01: 100000}
    cite: {clause: 第六条, quote: 城区常住人口10万以上的可以积分落户（示例）}
""", "utf-8")
    found = [(p.code, p.path) for p in lint(load_path(path))]
    # the city's own threshold is refused, and points stay forbidden at the national one (120,000 < 3,000,000)
    assert ("L10", "parameters.settlement.points.min_urban_population") in found and ("L4", "points") in found

"""The service guide without a web server: the materials follow the facts the verdict relied on (and
only those), the stations cover every township of the city, a bad guide file is an error naming its
field, a city without one still gets a guide, and the time limit and fee carry their legal basis."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from hukou.guide.file import load_guide, parse_guide
from hukou.guide.materials import NEEDS, relied_on
from hukou.guide.sheet import build_guide, township_of_facts
from hukou.policies import load, read_document
from hukou.policy.errors import InputError
from hukou.policy.verdict import check
from hukou.registry.divisions import township_names

D = date(2026, 12, 2)
RURAL = {"birth_date": "1992-04-18", "hukou": {"place": "622425", "urban": False}}
GRADUATE = {**RURAL, "education": [{"level": "bachelor", "admitted": "2010-09-01", "graduated": "2014-06-30"}]}
LIVES_HERE = {"residence": [{"from": "2019-01-01", "place": "652301003", "urban": True}]}
RENTER = {**RURAL, **LIVES_HERE, "housing": {"kind": "rented", "registered": True}, "education": []}
SHIPPED = Path(__file__).parents[1] / "src/hukou/policies/guides/changji-2018.yaml"


@pytest.fixture(scope="module")
def guide_file():
    return load_guide("changji-2018", "652301")


def _guide(changji, guide_file, facts, kind="settlement", followers=()):
    verdict = check(facts, D, changji)
    return build_guide(kind, verdict, changji, guide_file, township_of_facts(facts, D), followers, D)


def _names(guide) -> list[str]:
    return [m.name.zh for m in guide.materials]


def test_a_graduate_brings_the_diploma_and_nothing_the_answer_did_not_rest_on(changji, guide_file):
    # employment and social insurance are on record, but the talent route does not read them
    facts = {**GRADUATE, **LIVES_HERE, "employment": [{"from": "2015-01-01"}],
             "social_insurance": [{"from": "2015-01", "to": "2020-12"}]}
    guide = _guide(changji, guide_file, facts)
    assert guide.kind == "settlement" and guide.needs[:2] == ["settlement", "education"]
    assert _names(guide) == ["居民身份证", "户口簿", "毕业证书、学位证书"]  # the household is not known yet
    for not_relied in ("社会保险缴费证明", "劳动合同或营业执照", "结婚证", "出生医学证明", "房屋租赁合同和租赁备案证明"):
        assert not_relied not in _names(guide)


def test_a_renter_brings_the_lease_and_a_home_owner_the_property_certificate(changji, guide_file):
    renter = _guide(changji, guide_file, RENTER)
    assert renter.needs == ["settlement", "housing.rented", "residence"]
    assert "房屋租赁合同和租赁备案证明" in _names(renter) and "不动产权证书（或房屋所有权证）" not in _names(renter)
    owner = _guide(changji, guide_file, {**RENTER, "housing": {"kind": "owned"}})
    assert "不动产权证书（或房屋所有权证）" in _names(owner) and "房屋租赁合同和租赁备案证明" not in _names(owner)
    # Changji asks no months of insurance or work: the general route reads neither, so asks for neither
    assert not {"social_insurance", "employment"} & set(renter.needs)


def test_a_graduate_with_a_rented_home_settles_as_a_family_and_brings_the_lease(changji, guide_file):
    guide = _guide(changji, guide_file, {**GRADUATE, **LIVES_HERE, "housing": {"kind": "rented", "registered": True}})
    assert "房屋租赁合同和租赁备案证明" in _names(guide) and "集体户接收证明" not in _names(guide)


def test_followers_bring_what_shows_the_relation(changji, guide_file):
    child = _guide(changji, guide_file, RENTER, followers=["child"])
    assert "出生医学证明" in _names(child) and "结婚证" not in _names(child)
    family = _guide(changji, guide_file, RENTER, followers=["spouse", "child", "parent"])
    assert {"结婚证", "出生医学证明", "亲属关系证明"} <= set(_names(family))
    assert "出生医学证明" not in _names(_guide(changji, guide_file, RENTER))


def test_study_abroad_needs_the_certification_and_a_discharged_soldier_the_discharge_certificate(changji, guide_file):
    abroad = {**RURAL, "education": [{"level": "master", "admitted": "2015-09-01", "graduated": "2017-06-30",
                                      "abroad": True, "certified": True}]}
    assert "国（境）外学历学位认证书" in _names(_guide(changji, guide_file, abroad))
    soldier = {**RENTER, "military": {"enlisted": "2010-09-01", "discharged": "2012-09-01"}}
    assert "退役证" in _names(_guide(changji, guide_file, soldier))
    assert "退役证" not in _names(_guide(changji, guide_file, RENTER))


def test_the_permit_asks_for_what_its_answer_rests_on(changji, guide_file):
    worker = {**RURAL, **LIVES_HERE, "employment": [{"from": "2018-05-01"}]}  # housing unknown: not relied on
    guide = _guide(changji, guide_file, worker, kind="residence_permit")
    assert guide.needs == ["residence_permit", "residence.half_year", "employment"]
    assert _names(guide) == ["居民身份证", "近期免冠证件照", "居住登记凭证", "劳动合同或营业执照"]
    assert guide.time_limit.days == 15 and not guide.time_limit.working_days
    assert guide.time_limit.basis["title"] == "居住证暂行条例" and guide.time_limit.basis["clause"] == "第九条"
    assert guide.fee_basis["pending"] and not guide.fee_basis["quote"]  # the wording is not put in its mouth


def test_no_guide_for_what_the_verdict_does_not_allow(changji, guide_file):
    assert _guide(changji, guide_file, RURAL) is None  # undetermined: nothing to apply for yet
    assert _guide(changji, guide_file, {**RURAL, "hukou": {"place": "652301001001", "urban": True}}) is None
    assert relied_on("settlement", {"settlement": {"status": "undetermined"}}) == []


def test_the_guide_names_the_station_time_limit_fee_and_basis(changji, guide_file):
    guide = _guide(changji, guide_file, RENTER)
    assert guide.station.name.zh == "昌吉市公安局北京南路派出所" and "652301003" in guide.station.townships
    assert guide.hours.breaks == [("14:00", "15:30")]
    assert guide.time_limit.days == 20 and guide.time_limit.working_days
    assert guide.time_limit.basis["title"] == "中华人民共和国行政许可法"
    assert guide.fee_basis["clause"] == "第五十八条" and "不得收取任何费用" in guide.fee_basis["quote"]
    assert [(b["document"], b["clause"]) for b in guide.bases] == [("国发〔2014〕25号", "二(四)")]
    nowhere = _guide(changji, guide_file, {**RENTER, "residence": [{"from": "2019-01-01", "place": "652301", "urban": True}]})
    assert nowhere.station is None and len(nowhere.stations) == len(guide_file.stations)  # all listed instead


def test_every_township_has_exactly_one_station(guide_file):
    covered = [code for s in guide_file.stations for code in s.townships]
    assert sorted(covered) == sorted(township_names()) and len(covered) == len(set(covered))
    assert set(guide_file.needs) <= set(NEEDS)


def _shipped() -> dict:
    return read_document(SHIPPED.read_text(encoding="utf-8"), "guide")


@pytest.mark.parametrize("change, path, words", [
    (lambda d: d["stations"].pop(0), "stations", "652301001 宁边路街道"),
    (lambda d: d["stations"][1]["townships"].append("652301001"), "stations[1].townships[1]", "already has a station"),
    (lambda d: d["stations"][2]["townships"].__setitem__(0, "65230100"), "stations[2].townships[0]", "9-digit"),
    (lambda d: d["hours"].__setitem__("open", ["10点-14点"]), "hours.open[0]", "HH:MM-HH:MM"),
    (lambda d: d["hours"].__setitem__("open", ["15:30-19:30", "10:00-14:00"]), "hours.open[1]", "in order"),
    (lambda d: d["stations"][0].__setitem__("phone", "call us"), "stations[0].phone", "telephone"),
    (lambda d: d["stations"][0].pop("address"), "stations[0].address", "required"),
    (lambda d: d["needs"].__setitem__("tax_paid", ["id_card"]), "needs.tax_paid", "unknown fact"),
    (lambda d: d["needs"]["education"].append("diplomma"), "needs.education[1]", "no material 'diplomma'"),
    (lambda d: d["materials"]["id_card"].__setitem__("nmae", {}), "materials.id_card.nmae", "unknown key"),
    (lambda d: d.__setitem__("city", "659999"), "city", "659999"),
])
def test_a_bad_guide_file_is_a_plain_error_naming_the_field(change, path, words):
    data = _shipped()
    change(data)
    with pytest.raises(InputError) as raised:
        parse_guide(data, "652301", "changji-guide.yaml")
    assert raised.value.path == path, raised.value.line()
    assert words in raised.value.line() and raised.value.line().startswith("changji-guide.yaml: ")


def test_a_city_without_a_guide_file_still_gets_a_guide(tmp_path):
    examples = Path(__file__).parents[1] / "docs/examples"
    for name in ("example-city.yaml", "example-city-plan.yaml"):
        shutil.copy(examples / name, tmp_path / name)
    policy_path = str(tmp_path / "example-city.yaml")
    policy = load(policy_path)
    assert load_guide(policy_path, policy.city.code) is None
    facts = {**RENTER, "residence": [{"from": "2019-01-01", "place": "659999001", "urban": True}],
             "employment": [{"from": "2019-01-01"}], "social_insurance": [{"from": "2019-01", "to": "2020-12"}]}
    verdict = check(facts, D, policy)
    guide = build_guide("settlement", verdict, policy, None, "659999001", (), D)
    assert guide is not None and guide.materials is None and guide.station is None  # the page says: ask the station
    # this city asks months of insurance and of work: the verdict read them, so the guide asks for their proof
    assert {"social_insurance", "employment"} <= set(guide.needs)
    assert guide.time_limit.days == 20 and guide.fee_basis is None
    # a guide file beside the policy file is found by its name
    beside = _shipped() | {"city": "659999", "stations": [{"name": {"zh": "示例派出所", "en": "Example station"},
                                                            "townships": ["659999001"], "address": "示例市示例路1号",
                                                            "phone": "0999-0000001"}]}
    (tmp_path / "example-city.guide.yaml").write_text(yaml.safe_dump(beside, allow_unicode=True), encoding="utf-8")
    load_guide.cache_clear()  # read once per process, like the policy: the server restarts after an edit
    found = load_guide(policy_path, policy.city.code)
    assert found is not None and found.station_of("659999001").name.zh == "示例派出所"


def test_a_bad_guide_file_stops_the_server_from_starting_naming_the_field(tmp_path):
    from hukou.api.app import create_app

    examples = Path(__file__).parents[1] / "docs/examples"
    for name in ("example-city.yaml", "example-city-plan.yaml"):
        shutil.copy(examples / name, tmp_path / name)
    bad = _shipped() | {"city": "659999", "stations": [{"name": {"zh": "示例派出所", "en": "Example station"},
                                                         "townships": ["65999900"], "address": "示例市示例路1号",
                                                         "phone": "0999-0000001"}]}
    (tmp_path / "example-city.guide.yaml").write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
    load_guide.cache_clear()
    with pytest.raises(InputError) as raised:
        create_app(policy=str(tmp_path / "example-city.yaml"), database=f"sqlite:///{tmp_path / 'x.sqlite'}")
    assert raised.value.path == "stations[0].townships[0]" and "乡镇街道代码" in raised.value.line("zh")

"""China's divisions by name (policy/places.py, GB/T 2260 from python-stdnum): provinces, the cities of
a province, the counties of a city, names, search, known and current codes; and the facts refusing a
place that does not exist, a date before 1900, and (given today) an event that has not happened yet."""

from __future__ import annotations

from datetime import date

import pytest

from hukou.cases.facts import canonical_facts
from hukou.policies import load
from hukou.policy import places
from hukou.policy.errors import InputError
from hukou.policy.verdict import check, every_problem

TODAY = date(2026, 12, 2)
PERSON = {"birth_date": "1992-04-18", "hukou": {"place": "622425", "urban": False}}


def codes(found):
    return [p.code for p in found]


def test_provinces_and_the_cities_and_counties_below_them():
    names = {p.code: p.name for p in places.provinces()}
    assert names["650000"] == "新疆维吾尔自治区" and names["110000"] == "北京市" and names["620000"] == "甘肃省"
    assert len(names) == 31  # the provinces with cities to choose from
    xinjiang = {p.code: p.name for p in places.children("65")}
    assert xinjiang["652300"] == "昌吉回族自治州" and "650000" not in xinjiang
    assert "652100" not in xinjiang  # 吐鲁番地区 until 2015: not offered any more
    changji = {p.code: p.name for p in places.children("652300")}
    assert changji["652301"] == "昌吉市" and changji["652323"] == "呼图壁县"
    assert "652303" not in changji and "652321" not in changji  # 米泉市, 昌吉县: gone
    assert places.children("6523") == places.children("652300")  # a code may be given short


def test_a_municipality_is_its_own_city_and_a_citys_districts_together_are_no_place():
    assert [(p.code, p.name) for p in places.children("11")] == [("110100", "北京市")]
    beijing = codes(places.children("110100"))
    assert "110105" in beijing and "110100" not in beijing
    assert all(p.name != "市辖区" for p in places.children("650100"))  # 乌鲁木齐's "市辖区" 650101 is no choice
    assert places.full_name("110105") == "北京市 朝阳区"


def test_a_city_with_no_counties_is_itself_the_place():
    assert places.children("441900") == []
    assert places.chain("441900") == ("440000", "441900", "441900")
    assert places.choosable("441900") and places.choosable("652301")
    assert not places.choosable("652300") and not places.choosable("650000") and not places.choosable("999999")


@pytest.mark.parametrize("code, known, name", [
    ("652301", True, "昌吉市"), ("622425", True, "陇西县"),  # 622425: a code until 2003, still on ID numbers
    ("621122", True, "陇西县"), ("999999", False, None), ("65230", False, None), ("652301001", False, None),
    ("000000", False, None), ("", False, None)])
def test_known_codes_and_their_names(code, known, name):
    assert places.is_known(code) is known
    assert places.name_of(code) == name


def test_the_full_name_and_the_chain_of_a_code():
    assert places.full_name("652301") == "新疆维吾尔自治区 昌吉回族自治州 昌吉市"
    assert places.chain("652301") == ("650000", "652300", "652301")
    assert places.full_name("622425") == "甘肃省 定西地区 陇西县"  # the names it had
    assert places.chain("999999") == ("", "", "") and places.full_name("999999") == ""


def test_search_by_name_puts_the_place_itself_first():
    found = places.search("昌吉")
    assert found[0][0].code == "652301" and found[0][1] == "新疆维吾尔自治区 昌吉回族自治州 昌吉市"
    assert {p.code for p, _ in found} >= {"652301", "652302", "652323"}  # and the prefecture's counties
    assert all("昌吉" in full for _, full in found)
    assert codes(p for p, _ in places.search("昌吉 呼图壁")) == ["652323"]  # every word must match
    assert codes(p for p, _ in places.search("陇西")) == ["621122"]  # current places only
    assert places.search("") == [] and places.search("   ") == [] and places.search("没有这个地方") == []
    assert len(places.search("县", limit=5)) == 5


def test_the_facts_refuse_a_hukou_place_that_is_no_place_wherever_they_come_in(tmp_path):
    policy = load("changji-2018")
    with pytest.raises(InputError) as err:
        check({**PERSON, "hukou": {"place": "999999", "urban": False}}, date(2020, 1, 1), policy)
    assert err.value.path == "hukou.place"
    check({**PERSON, "hukou": {"place": "652301003", "urban": False}}, date(2020, 1, 1), policy)  # in the city
    check(PERSON, date(2020, 1, 1), policy)  # a code since replaced is still a place
    with pytest.raises(InputError) as err:
        canonical_facts({**PERSON, "hukou": {"place": "999999", "urban": False}}, "652301")
    assert err.value.path == "facts.hukou.place"


def test_a_date_before_1900_is_refused_and_a_long_value_is_not_repeated_whole():
    errors = every_problem({**PERSON, "birth_date": "1899-12-31", "social_insurance": [{"from": "1899-01"}],
                            "education": [{"level": "bachelor", "admitted": "x" * 5000}]}, "652301")
    by_path = {e.path: e for e in errors}
    assert set(by_path) == {"birth_date", "social_insurance[0].from", "education[0].admitted"}
    assert "1900" in by_path["birth_date"].message
    assert len(by_path["education[0].admitted"].message) < 80


def test_events_after_today_are_refused_only_for_facts_given_today():
    late = {**PERSON, "birth_date": "2027-01-01", "employment": [{"from": "2027-01-01", "to": None}],
            "residence": [{"from": "2020-01-01", "to": "2027-06-30", "place": "652301001"}],  # a lease running on
            "social_insurance": [{"from": "2027-01"}],
            "education": [{"level": "bachelor", "admitted": "2020-09-01", "graduated": "2027-06-30"}],
            "qualifications": [{"kind": "skill_certificate", "obtained": "2027-01-01"}],
            "military": {"enlisted": "2010-01-01", "discharged": "2027-01-01"},
            "family": {"children": [{"birth_date": "2027-03-01"}]}}
    paths = {e.path for e in every_problem(late, "652301", TODAY)}
    assert paths == {"birth_date", "employment[0].from", "social_insurance[0].from", "education[0].graduated",
                     "qualifications[0].obtained", "military.discharged", "family.children[0].birth_date"}
    assert every_problem(late, "652301") == []  # the rules at any date: records after D are only ignored
    with pytest.raises(InputError) as err:
        canonical_facts(late, "652301", today=TODAY)  # a submission's facts are given today
    assert err.value.path == "facts.birth_date"

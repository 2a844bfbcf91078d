"""The verdict as a person reads it: the answer first, the reasons that matter to it, nothing twice,
key-group flags not dressed as failed conditions, and no application offered to someone already settled."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient

from hukou.api.app import create_app
from hukou.policies import load
from hukou.policy.labels import WORDS
from hukou.policy.verdict import check
from hukou.web.verdict_view import permit_answer, settlement

D = date(2019, 3, 1)
PERSON = {"birth_date": "1992-04-18", "hukou": {"place": "622425", "urban": False}}
GRADUATE = {**PERSON, "education": [{"level": "bachelor", "admitted": "2010-09-01", "graduated": "2014-06-30"}]}
LOCAL = {"birth_date": "1992-04-18", "hukou": {"place": "652301", "urban": True}}


def _view(facts, lang="zh"):
    verdict = check(facts, D, load("changji-2018"))
    return verdict, settlement(verdict["settlement"], WORDS[lang], lang)


def _texts(view, lang="zh"):
    return [r["text"][lang] for g in view.groups for r in g.reasons]


def test_an_eligible_person_reads_the_route_then_its_conditions_and_the_rest_as_information():
    verdict, view = _view(GRADUATE)
    assert verdict["settlement"]["status"] == "eligible" and verdict["settlement"]["route"] == "talent"
    assert view.answer == "您可以按“人才落户（全面放开）”途径在本市落户。" and view.tone == "ok" and view.may_apply
    first, *rest = view.groups
    assert first.reasons and all(r["result"] == "true" for r in first.reasons)  # any one talent condition is enough
    assert all(r["rule"].startswith("talent.") for r in first.reasons) and not first.neutral and not first.folded
    assert rest and all(g.neutral and g.folded for g in rest)
    _, english = _view(GRADUATE, "en")
    assert english.answer == "You can settle in the city by the route “talent (fully open)”."


def test_an_undetermined_person_sees_each_route_with_its_open_questions_first_and_nothing_twice():
    _, view = _view(PERSON)
    assert view.tone == "ask" and view.answer.startswith("还需要了解一些情况")
    assert [g.title for g in view.groups] == ["“人才落户（全面放开）”途径", "“学生落户（来去自由）”途径",
                                             "“一般落户（合法稳定住所）”途径"]
    for group in view.groups:
        order = [{"false": 0, "unknown": 1, "true": 2}[r["result"]] for r in group.reasons]
        assert order == sorted(order)
    texts = _texts(view)
    assert len(texts) == len(set(texts)) and texts.count("尚不清楚您的学历情况。") == 1


@pytest.mark.parametrize("facts", [PERSON, GRADUATE])
def test_key_group_flags_are_not_listed_as_conditions(facts):
    verdict, view = _view(facts)
    assert any(r["rule"].startswith("key_groups.") for r in verdict["settlement"]["reasons"])
    assert not any(r["rule"].startswith("key_groups.") for g in view.groups for r in g.reasons)


def test_a_hukou_already_in_the_city_is_told_so_and_not_offered_an_application(tmp_path):
    verdict, view = _view(LOCAL)
    assert view.answer == "您的户口已在本市城镇，不需要办理落户。" and not view.groups and not view.may_apply
    assert permit_answer(verdict["residence_permit"], "zh") == ("您的户口在本市，不需要申领居住证。", "ok")
    client = TestClient(create_app(database=f"sqlite:///{tmp_path / 'v.sqlite'}"))
    page = client.post("/check", data={"birth_date": "1992-04-18", "hukou.place": "652301", "hukou.urban": "urban",
                                       "date": "2019-03-01"}).text
    assert "您的户口已在本市城镇，不需要办理落户。" in page and "无需办理" in page
    assert 'action="/apply"' not in page and "不符合条件" not in page


def test_a_requirement_of_no_months_is_said_as_none_required():
    verdict, _ = _view(PERSON)
    said = {r["rule"]: r["text"] for r in verdict["settlement"]["reasons"]}
    assert said["general.social_insurance"]["zh"] == "本市落户对社会保险缴费年限没有要求。"
    assert said["general.employment"]["en"] == "No minimum period of employment is required to settle."
    assert not any("（0个月）" in t["zh"] or "(0 months)" in t["en"] for t in said.values())

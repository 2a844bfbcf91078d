"""What a residence permit brings (居住证暂行条例 第十二条, 第十三条): the six basic public services and
the seven conveniences, listed with an eligible verdict in the regulation's own words and order."""

from __future__ import annotations

from datetime import date

from hukou.policy.residence_permit import ENTITLEMENTS
from hukou.policy.source_text import normalise
from hukou.policy.verdict import check

MIGRANT = {"birth_date": "1990-01-01", "hukou": {"place": "622425", "urban": False},
           "residence": [{"from": "2017-01-01", "place": "652301003", "urban": True}], "housing": {"kind": "owned"},
           "employment": [], "social_insurance": [], "education": [], "qualifications": []}


def test_an_eligible_permit_lists_the_six_services_and_the_seven_conveniences(changji):
    d = date(2019, 3, 1)
    permit = check(MIGRANT, d, changji)["residence_permit"]
    assert permit["status"] == "eligible"
    assert permit["entitlements"] == list(ENTITLEMENTS)
    by_article = {article: [zh for a, zh, _ in ENTITLEMENTS.values() if a == article] for article in ("第十二条", "第十三条")}
    assert (len(by_article["第十二条"]), len(by_article["第十三条"])) == (6, 7)
    for article, items in by_article.items():
        quoted = normalise(changji.clauses[article].quote)
        positions = [quoted.find(normalise(zh)) for zh in items]
        assert -1 not in positions and positions == sorted(positions), (article, items)
    local = {**MIGRANT, "hukou": {"place": "652301105203", "urban": False}}
    assert check(local, d, changji)["residence_permit"]["entitlements"] == []

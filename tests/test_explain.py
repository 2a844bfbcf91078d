"""Sentences: every rule has one for each result, and every placeholder can be filled."""

from __future__ import annotations

from string import Formatter

from hukou.i18n import translate
from hukou.policy.catalog import RULES
from hukou.policy.explain import SLOTS, TEXTS, sentence


def test_every_placeholder_has_a_source():
    for rule, english in TEXTS.items():
        for template in (*english, *(translate(t, "zh") for t in english)):
            for _, name, _, _ in Formatter().parse(template):
                assert name is None or name in SLOTS, (rule, name)


def test_every_catalogued_condition_has_sentences():
    conditions = [e.rule for e in RULES if e.rule.count(".") == 1 and not e.rule.startswith(("permit.guardian",
                  "permit.endorsement", "permit.entitlements", "permit.conveniences"))]
    for rule in conditions:
        assert rule in TEXTS, rule


def test_sentences_are_filled_with_the_values_used():
    s = sentence("talent.graduate", True, {"education.level": "master"}, None)
    assert "硕士研究生" in s["zh"] and "master's degree" in s["en"]
    s = sentence("general.social_insurance", False, {"social_insurance_months": 10}, {"p": 12})
    assert "10" in s["zh"] and "12" in s["zh"] and "10 months" in s["en"]


def test_sentences_are_shared_but_verdict_texts_are_copies():
    from datetime import date

    from hukou.policies import load
    from hukou.policy.verdict import check

    facts = {"birth_date": "1990-01-01", "hukou": {"place": "622425", "urban": False}}
    first = check(facts, date(2019, 3, 1), load())
    first["settlement"]["reasons"][0]["text"]["zh"] = "changed by a caller"
    second = check(facts, date(2019, 3, 1), load())
    assert second["settlement"]["reasons"][0]["text"]["zh"] != "changed by a caller"

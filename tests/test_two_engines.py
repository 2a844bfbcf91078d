"""One rule, two engines: the register engine (as SQL on DuckDB, and natively: compiled loops over the
same expressions) agrees with the single-person engine field by field."""

from __future__ import annotations

from datetime import date

import ibis
import pytest

from hukou.policies import load
from hukou.policy.verdict import evaluate, parse_person
from hukou.registry.fact_tables import to_tables
from hukou.store import sorted_facts
from hukou.store.columnar import decoded, verdicts
from hukou.store.simulation import rules_in_memory
from policytools import variant_policy
from randompeople import PersonMaker

FIELDS = ("settlement", "settlement_reason", "route", "household", "key_groups", "followers",
          "residence_permit", "permit_reason", "guardian_required", "failed_rule")


def single_engine_row(verdict) -> dict:
    v = verdict.as_dict()
    s, p = v["settlement"], v["residence_permit"]
    return {"settlement": s["status"], "settlement_reason": s["reason"], "route": s["route"], "household": s["household"],
            "key_groups": s["key_groups"], "followers": s["followers"], "residence_permit": p["status"],
            "permit_reason": p["reason"], "guardian_required": p["guardian_required"], "failed_rule": s["failed_rule"]}


def assert_engines_agree(policy, d: date, seed: int, people_count: int = 4000) -> dict:
    """Both engines on the same generated people; every field of every person must match."""
    maker = PersonMaker(seed, d)
    people = [(i, parse_person(maker.person())) for i in range(people_count)]
    expected = {pid: single_engine_row(evaluate(p, d, policy)) for pid, p in people}
    arrow_tables = to_tables(people)
    con = ibis.duckdb.connect()
    tables = {name: con.create_table(name, t) for name, t in arrow_tables.items()}
    on_sql = verdicts(tables, d, policy)
    native = rules_in_memory(*sorted_facts.fact_columns(arrow_tables, d, policy), d, policy)
    for engine, got in (("sql", on_sql), ("native", native)):
        got = decoded(got).to_pylist()
        assert len(got) == len(expected), engine
        mismatches = [(row["person_id"], field, expected[row["person_id"]][field], row[field])
                      for row in got for field in FIELDS if row[field] != expected[row["person_id"]][field]]
        assert not mismatches, f"{engine}: {len(mismatches)} mismatches, first: {mismatches[:10]}"
    return expected


@pytest.mark.parametrize("d,seed", [(date(2019, 3, 1), 1), (date(2020, 2, 29), 2), (date(2021, 8, 31), 3)])
def test_the_two_engines_agree_on_every_person(d, seed):
    assert_engines_agree(load("changji-2018"), d, seed)


def test_statuses_are_varied_enough_to_mean_something():
    d = date(2019, 3, 1)
    policy = load("changji-2018")
    maker = PersonMaker(7, d)
    rows = [single_engine_row(evaluate(parse_person(maker.person()), d, policy)) for _ in range(3000)]
    for field, values in (("settlement", {"eligible", "ineligible", "undetermined"}),
                          ("route", {"talent", "student", "general"}),
                          ("household", {"family", "collective", None}),
                          ("residence_permit", {"eligible", "ineligible", "undetermined"})):
        assert {r[field] for r in rows} >= values, field
    groups = {g for r in rows for g in r["key_groups"]}
    assert groups == {"student_or_military", "long_term_urban", "whole_family", "new_generation"}


@pytest.mark.parametrize("d,seed", [(date(2019, 8, 31), 4), (date(2020, 3, 31), 5)])
def test_the_two_engines_agree_under_minimums_and_extra_conditions(d, seed):
    expected = assert_engines_agree(variant_policy(), d, seed)
    failed = {row["failed_rule"] for row in expected.values()}
    assert {"general.social_insurance", "general.employment", "general.extra.1"} <= failed

"""One rule, two engines: the register engine (as SQL on DuckDB, and natively: compiled loops over the
same expressions) agrees with the single-person engine field by field, each route's result and the
questions still to ask included, on generated registers whose hukou histories hold several
registrations, some of them on one day (PostgreSQL: tests/test_database.py; Spark:
tests/test_spark_engine.py)."""

from __future__ import annotations

from datetime import date

import ibis
import pyarrow as pa
import pytest

from hukou.policies import load
from hukou.policy.errors import InputError
from hukou.policy.verdict import evaluate, parse_person
from hukou.registry.person_facts import facts_at
from hukou.store import sorted_facts
from hukou.store.columnar import verdicts
from hukou.store.simulation import rules_in_memory
from enginecheck import assert_agree, expected_rows, register_rows, same_day_register, single_engine_row
from policytools import variant_policy
from randompeople import PersonMaker, register


def on_duckdb_and_natively(tables: dict[str, pa.Table], d: date, policy) -> dict[str, pa.Table]:
    con = ibis.duckdb.connect()
    return {"sql": verdicts({name: con.create_table(name, t) for name, t in tables.items()}, d, policy),
            "native": rules_in_memory(*sorted_facts.fact_columns(tables, d, policy), d, policy)}


def assert_engines_agree(policy, d: date, seed: int, people_count: int = 4000) -> dict:
    """Both engines on the same generated register; every field of every person must match."""
    people, tables = register(PersonMaker(seed, d), people_count)
    expected = expected_rows(tables, d, policy)
    for engine, got in on_duckdb_and_natively(tables, d, policy).items():
        assert_agree(engine, expected, got)
    return expected


@pytest.mark.parametrize("d,seed", [(date(2019, 3, 1), 1), (date(2020, 2, 29), 2), (date(2021, 8, 31), 3)])
def test_the_two_engines_agree_on_every_person(d, seed):
    assert_engines_agree(load("changji-2018"), d, seed)


def test_the_register_gives_each_person_the_registration_generated_in_force():
    """The registration in force is the generated one (the latest day's last written), and facts as
    given (a residence permit included) and as the register gives them lead to the same verdicts."""
    d, policy = date(2019, 3, 1), load("changji-2018")
    people, tables = register(PersonMaker(8, d), 3000)
    rows_of = register_rows(tables)
    history = {pid: rows_of(pid)("hukou") for pid, _ in people}
    registered = 0
    for pid, facts in people:
        if all(h["since"] > d for h in history[pid]):
            with pytest.raises(InputError):
                facts_at(pid, d, rows_of(pid))
            continue
        registered += 1
        from_register = facts_at(pid, d, rows_of(pid))
        assert from_register["hukou"] == facts["hukou"], pid
        assert single_engine_row(evaluate(parse_person(from_register), d, policy)) == \
            single_engine_row(evaluate(parse_person(facts), d, policy)), pid
    assert 0.95 * len(people) < registered < len(people)


def _packed_maximum(rows: list[dict], d: date) -> tuple:
    """What the engines used to take: the largest (since, in the city, urban) on or before d."""
    return max((h["since"], h["place"].startswith("652301"), h["urban"]) for h in rows if h["since"] <= d)


def test_statuses_are_varied_enough_to_mean_something():
    d = date(2019, 3, 1)
    policy = load("changji-2018")
    people, tables = register(PersonMaker(7, d), 3000)
    rows = list(expected_rows(tables, d, policy).values())
    for field, values in (("settlement", {"eligible", "ineligible", "undetermined"}),
                          ("route", {"talent", "student", "general"}),
                          ("household", {"family", "collective", None}),
                          ("residence_permit", {"eligible", "ineligible", "undetermined"}),
                          ("permit_reason", {"local_hukou", "short_residence", "no_employment_housing_or_study", None}),
                          ("route_talent", {"true", "false", "unknown"}), ("route_general", {"true", "false", "unknown"}),
                          ("route_student", {"true", "false", "unknown"})):
        assert {r[field] for r in rows} >= values, field
    groups = {g for r in rows for g in r["key_groups"]}
    assert groups == {"student_or_military", "long_term_urban", "whole_family", "new_generation"}
    assert {k for r in rows for k in r["settlement_missing"]} == {"education", "qualifications", "housing", "residence"}
    assert {k for r in rows for k in r["permit_missing"]} == {"residence", "employment", "housing", "education"}
    assert len({tuple(r["settlement_missing"]) for r in rows}) > 5  # in several orders
    # same-day registrations, many of them where the one written last is not the largest by flags
    rows_of = register_rows(tables)
    same_day = changed = 0
    for pid, facts in people:
        history = [h for h in rows_of(pid)("hukou") if h["since"] <= d]
        if not history:
            continue
        latest = max(h["since"] for h in history)
        same_day += sum(h["since"] == latest for h in history) > 1
        changed += _packed_maximum(history, d)[1:] != (facts["hukou"]["place"].startswith("652301"), facts["hukou"]["urban"])
    assert same_day > 500 and changed > 150
    assert sum("permit" in facts for _, facts in people) > 500


@pytest.mark.parametrize("d,seed", [(date(2019, 8, 31), 4), (date(2020, 3, 31), 5)])
def test_the_two_engines_agree_under_minimums_and_extra_conditions(d, seed):
    expected = assert_engines_agree(variant_policy(), d, seed)
    failed = {row["failed_rule"] for row in expected.values()}
    assert {"general.social_insurance", "general.employment", "general.extra.1"} <= failed
    asked = {k for row in expected.values() for k in row["settlement_missing"]}
    assert asked == {"education", "qualifications", "housing", "residence", "social_insurance", "employment"}


def test_of_registrations_on_one_day_the_last_written_is_in_force_in_both_engines():
    d, policy = date(2019, 6, 1), load("changji-2018")
    tables = same_day_register()
    expected = expected_rows(tables, d, policy)
    # person 1: back in the village (not already settled); person 2: a hukou outside the city (may get a permit)
    assert expected[1]["settlement"] == "undetermined" and expected[1]["permit_reason"] == "local_hukou"
    assert expected[2]["residence_permit"] == "undetermined" and expected[2]["permit_missing"] == ["residence", "employment",
                                                                                                     "housing", "education"]
    for engine, got in on_duckdb_and_natively(tables, d, policy).items():
        assert_agree(engine, expected, got)

"""The native engine: facts by compiled loops over person-sorted tables and rules by the compiled rule
loop give exactly what the SQL expressions give (and so, by tests/test_two_engines.py, what the
single-person engine gives)."""

from __future__ import annotations

from datetime import date

import ibis
import numpy as np
import pyarrow as pa
import pyarrow.compute  # noqa: F401  (pa.compute)
import pyarrow.parquet as pq
import pytest

from hukou.policies import load
from hukou.registry.synth import generate
from hukou.store import parquet_register, rule_kernel, simulation, sorted_facts
from hukou.store.columnar import decoded, facts_table, rules_table, verdict_lists
from hukou.store.parquet_register import write_register
from hukou.store.verdict_lists import with_lists
from policytools import variant_policy
from randompeople import PersonMaker, register

CASES = [(load("changji-2018"), date(2020, 2, 29), 2), (variant_policy(), date(2019, 8, 31), 4),
         (variant_policy(), date(2020, 3, 31), 5)]


def _people(seed: int, d: date, n: int = 3000) -> dict[str, pa.Table]:
    # ids with gaps, so the people are found by search rather than by offset; hukou rows in no order
    return register(PersonMaker(seed, d), n, ids=[i * 3 + 7 for i in range(n)])[1]


def _sql_facts(tables: dict[str, pa.Table], d: date, policy) -> pa.Table:
    con = ibis.duckdb.connect()
    return facts_table({n: con.create_table(n, t) for n, t in tables.items()}, d, policy).to_pyarrow().sort_by("person_id")


def _assert_same_columns(expected: pa.Table, got: pa.Table) -> None:
    assert expected.num_rows == got.num_rows
    assert set(expected.column_names) == set(got.column_names)
    for name in expected.column_names:
        a, b = expected[name].to_pylist(), got[name].cast(expected[name].type).to_pylist()
        bad = [(i, x, y) for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        assert not bad, f"{name}: {len(bad)} rows differ, first {bad[:3]}"


@pytest.mark.parametrize("policy,d,seed", CASES)
def test_segment_facts_equal_the_sql_facts_column_by_column(policy, d, seed):
    tables = _people(seed, d)
    _assert_same_columns(_sql_facts(tables, d, policy), sorted_facts.facts(tables, d, policy))


def test_segment_facts_do_not_depend_on_row_order():
    policy, d, seed = CASES[1]
    tables = _people(seed, d, 1500)
    rng = np.random.default_rng(0)
    shuffled = {n: t.take(rng.permutation(t.num_rows)) for n, t in tables.items()}
    _assert_same_columns(sorted_facts.facts(tables, d, policy), sorted_facts.facts(shuffled, d, policy))


def test_records_of_people_not_in_the_register_are_ignored():
    policy, d, seed = CASES[0]
    tables = _people(seed, d, 500)
    stray = tables["residence"].slice(0, 5).set_column(0, "person_id", pa.array([1, 2, 4, 10**9, 10**9 + 1], pa.int64()))
    with_stray = {**tables, "residence": pa.concat_tables([tables["residence"], stray])}
    _assert_same_columns(sorted_facts.facts(tables, d, policy), sorted_facts.facts(with_stray, d, policy))


@pytest.mark.parametrize("policy,d,seed", CASES)
def test_the_compiled_rules_give_what_duckdb_gives(policy, d, seed):
    people, registered, facts = sorted_facts.fact_columns(_people(seed, d), d, policy)
    con = ibis.duckdb.connect()
    table = sorted_facts.as_table(people, registered, facts)
    expected = with_lists(rules_table(con.create_table("facts", table), d, policy).to_pyarrow().sort_by("person_id"),
                          verdict_lists(policy))
    got = simulation.rules_in_memory(people, registered, facts, d, policy)
    assert got.schema == expected.schema
    _assert_same_columns(decoded(expected), decoded(got))
    assert set(expected["settlement"].to_pylist()) == {"eligible", "ineligible", "undetermined"}


def _small_expression(t):
    return t.select(
        t_and=t.b & t.c, t_or=t.b | t.c, t_not=~t.b, b_null=t.b.isnull(),
        case=ibis.cases((t.b, "yes"), (t.c, "maybe"), else_=ibis.null("string")),
        first=ibis.coalesce(t.b, t.c, False), chosen=ibis.ifelse(t.c, t.x, t.x * 2),
        filled=t.x.fill_null(-1), bigger=ibis.greatest(t.x, 3), smaller=ibis.least(t.x, ibis.null("int64")),
        over=t.x // 4 >= 1, minus=t.x - 10, year=t.day.year(), month=t.day.month(), day_of=t.day.day(),
        later=t.day + t.x.fill_null(0).as_interval("D"), named=t.s.isin(["a", "c"]), is_b=t.s == "b",
        text=t.x.cast("string"), flag=t.b.cast("int64"),
    )


def test_the_rule_compiler_follows_sql_on_nulls_cases_and_dates():
    values = {"b": [True, False, None, True, None, False], "c": [None, False, True, True, None, True],
              "x": [None, 4, 9, -3, 0, 17],
              "day": [date(2000, 2, 29), date(1969, 12, 31), None, date(2100, 3, 1), date(1970, 1, 1), date(1600, 12, 31)],
              "s": ["a", None, "b", "c", "a", "zz"]}
    table = pa.table({k: pa.array(v, pa.date32() if k == "day" else None) for k, v in values.items()})
    expected = _small_expression(ibis.duckdb.connect().create_table("facts", table)).to_pyarrow()
    columns = {}
    for name, column in zip(table.column_names, table.columns, strict=True):
        known = pa.compute.is_valid(column).to_numpy(zero_copy_only=False)
        if pa.types.is_date32(column.type):
            data = pa.compute.fill_null(column.cast(pa.int32()), 0).to_numpy(zero_copy_only=False)
        elif pa.types.is_string(column.type):
            data = np.array(column.to_pylist(), dtype=object)
        else:
            data = pa.compute.fill_null(column, pa.scalar(0 if name == "x" else False, column.type)).to_numpy(zero_copy_only=False)
        columns[name] = (data, known)
    unbound = ibis.table(rule_kernel.ibis_schema(rule_kernel.schema_of(columns)), name="facts")
    got = rule_kernel.evaluate(_small_expression(unbound), columns, table.num_rows)
    _assert_same_columns(expected, decoded(got))


def test_the_compiler_refuses_what_it_does_not_know_and_the_rules_then_run_in_duckdb(monkeypatch):
    t = ibis.table({"place": "string"}, name="facts")
    with pytest.raises(rule_kernel.Unsupported):
        rule_kernel.compile_rules(t.select(up=t.place.upper()), {"place": ("str", False)})
    policy, d, seed = CASES[0]
    people, registered, facts = sorted_facts.fact_columns(_people(seed, d, 300), d, policy)
    expected = simulation.rules_in_memory(people, registered, facts, d, policy)

    def refuse(*args):
        raise rule_kernel.Unsupported("test")

    monkeypatch.setattr(rule_kernel, "compile_rules", refuse)
    got = simulation.rules_in_memory(people, registered, facts, d, policy)
    assert got.schema == expected.schema
    assert decoded(got.sort_by("person_id")).equals(decoded(expected))


def test_a_compiled_loop_that_numba_cannot_type_falls_back_to_duckdb_with_a_warning(monkeypatch):
    from numba.core.errors import TypingError

    policy, d, seed = CASES[0]
    people, registered, facts = sorted_facts.fact_columns(_people(seed, d, 300), d, policy)
    expected = simulation.rules_in_memory(people, registered, facts, d, policy)
    real = rule_kernel.compile_rules

    def untypable(expr, schema):
        kernel = real(expr, schema)

        def fail(*args):
            raise TypingError("cannot unify bool and int64")

        kernel.function = fail
        return kernel

    monkeypatch.setattr(rule_kernel, "compile_rules", untypable)
    with pytest.warns(RuntimeWarning, match="the rules run in DuckDB instead"):
        got = simulation.rules_in_memory(people, registered, facts, d, policy)
    assert got.schema == expected.schema
    assert decoded(got.sort_by("person_id")).equals(decoded(expected))


def test_the_native_and_duckdb_engines_give_the_same_table_range_by_range(tmp_path, monkeypatch):
    monkeypatch.setattr(parquet_register, "ROW_GROUP_PEOPLE", 256)
    folder = write_register(generate(6_000, seed=12), tmp_path / "reg")
    d, policy = date(2020, 11, 1), load("changji-2018")
    on_duckdb = simulation.simulate(folder, d, policy, engine="duckdb").sort_by("person_id")
    real_ranges = simulation.person_ranges
    monkeypatch.setattr(simulation, "person_ranges", lambda folder, people_per_range: real_ranges(folder, 1000))
    assert len(real_ranges(folder, 1000)) > 3
    on_native = simulation.simulate(folder, d, policy, engine="native")
    assert on_native.schema == on_duckdb.schema
    assert decoded(on_native).equals(decoded(on_duckdb))
    # a file out of person order: read whole, sorted in memory, same verdicts
    residence = pq.read_table(folder / "residence.parquet")
    pq.write_table(residence.take(np.arange(residence.num_rows)[::-1]), folder / "residence.parquet", row_group_size=256)
    assert decoded(simulation.simulate(folder, d, policy)).equals(decoded(on_duckdb))



@pytest.mark.parametrize("rows_per_group", [97, 100_000])
def test_row_groups_not_aligned_with_the_ranges_give_the_same_verdicts(tmp_path, monkeypatch, rows_per_group):
    # (the people's row groups make the ranges; with one row group in every other file, each range is
    # a slice of one chunk of those tables)
    """A register written by another tool (row groups of any size, cutting through people): ranges are
    sliced out of their row groups, so columns start at an offset (bits included; one row group per
    file makes every range a slice of one chunk)."""
    from hukou.registry.fact_tables import TABLES

    folder = write_register(generate(3_000, seed=14), tmp_path / "reg")
    d, policy = date(2020, 11, 1), load("changji-2018")
    expected = decoded(simulation.simulate(folder, d, policy, engine="duckdb")).sort_by("person_id")
    for name in TABLES:
        pq.write_table(pq.read_table(folder / f"{name}.parquet"), folder / f"{name}.parquet",
                       row_group_size=97 if name == "people" else rows_per_group)
    real_ranges = simulation.person_ranges
    monkeypatch.setattr(simulation, "person_ranges", lambda folder, people_per_range: real_ranges(folder, 333))
    assert len(real_ranges(folder, 333)) > 5
    got = decoded(simulation.simulate(folder, d, policy, engine="native")).sort_by("person_id")
    assert got.equals(expected)


def test_people_not_registered_at_d_have_no_row_in_either_engine():
    policy, d, seed = CASES[0]
    tables = _people(seed, d, 800)
    ids = tables["people"]["person_id"].to_pylist()
    hukou = tables["hukou"].filter(pa.compute.invert(pa.compute.is_in(tables["hukou"]["person_id"], pa.array(ids[:5]))))
    births = tables["people"]["birth_date"].to_pylist()
    births[10] = date(d.year + 1, 1, 1)  # born after d
    people = tables["people"].set_column(1, "birth_date", pa.array(births, pa.date32()))
    changed = {**tables, "hukou": hukou, "people": people}
    got = sorted_facts.facts(changed, d, policy)
    assert got.num_rows < 800 - 6 and not set(got["person_id"].to_pylist()) & {*ids[:5], ids[10]}
    _assert_same_columns(_sql_facts(changed, d, policy), got)


def test_people_without_an_id_or_with_one_twice_are_input_errors():
    from hukou.policy.errors import InputError

    policy, d, seed = CASES[0]
    tables = _people(seed, d, 50)
    ids = tables["people"]["person_id"].to_pylist()
    for changed, message in (([None, *ids[1:]], "1 of the people have no person id"), ([ids[1], *ids[1:]], "more than once")):
        people = tables["people"].set_column(0, "person_id", pa.array(changed, pa.int64()))
        with pytest.raises(InputError) as e:
            sorted_facts.facts({**tables, "people": people}, d, policy)
        assert e.value.path == "people.person_id" and message in str(e.value)

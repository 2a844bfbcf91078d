"""Running the rules over a register, and setting a reform beside the baseline.

`simulate` returns one row per person (`hukou.store.verdict_lists.OUTPUT_COLUMNS`). `compare` counts
the eligible by township, route and key group under both policies, and lists whose verdict changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import os
import warnings
from concurrent.futures import ThreadPoolExecutor

import duckdb
import ibis
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numba.core.errors import NumbaError

from hukou.policy.policy_file import Policy
from hukou.store import rule_kernel, sorted_facts
from hukou.store.columnar import rules_table, summary, verdict_lists, verdict_rows, verdicts
from hukou.store.verdict_lists import with_lists
from hukou.registry.fact_tables import SCHEMAS
from hukou.store.parquet_register import RangeReader, open_register, people_count, person_ranges, run_by_person_ranges


ENGINES = ("native", "duckdb", "spark")


def simulate(register: str | Path, d: date, policy: Policy, engine: str = "native") -> pa.Table:
    """Verdicts for everyone in a register: a Parquet folder, or a database URL (`…://…`).

    Over a Parquet folder the engine `native` (the default) finds the facts with compiled loops over
    the person-sorted tables (`sorted_facts`) and runs the rule expressions compiled to one loop
    (`rule_kernel`), a range of people at a time on every core; `duckdb` runs facts and rules as SQL
    in DuckDB; `spark` runs the same expressions on Spark (`spark_register`), where the register may
    also be a location like `hdfs://…` or `s3a://…`. Over a database URL, `native` reads the fact
    tables into memory and evaluates them there; `duckdb` runs the expressions in the database
    (PostgreSQL) or in DuckDB over the tables read (SQLite). Every engine returns the same table (`verdict_lists.OUTPUT_COLUMNS`, strings as dictionaries)."""
    if engine not in ENGINES:
        from hukou.policy.errors import InputError

        raise InputError("--engine", f"expected one of {', '.join(ENGINES)} (got {engine!r})")
    if engine == "spark":
        return _simulate_on_spark(register, d, policy)
    if "://" in str(register) and engine == "native":
        return _simulate_database_in_memory(str(register), d, policy)
    if "://" in str(register):
        con, tables = open_database(str(register))
        _check_places(tables, policy)
        return verdicts(tables, d, policy)
    if engine == "native":
        return _simulate_in_memory(register, d, policy)
    con, tables = open_register(register)
    _check_places(tables, policy)
    ranges = person_ranges(register)
    return verdicts(tables, d, policy, run=lambda expr: run_by_person_ranges(con, expr, ranges))


def _simulate_in_memory(register: str | Path, d: date, policy: Policy) -> pa.Table:
    """The native engine: each range of people read, its facts found and its rules evaluated in a
    thread of its own (the compiled loops, Arrow and NumPy release the interpreter while they work),
    the parts joined in person order. Memory holds about one range per core."""
    reader = RangeReader(register)
    cores = os.cpu_count() or 1
    # ranges of a million people (one row group of each table); a smaller register still on every core
    ranges = person_ranges(register, people_per_range=min(1 << 20, max(people_count(register) // cores, 1)))
    rules = RulesInMemory(d, policy)

    def one(person_range: tuple[int, int]) -> pa.Table:
        tables = reader.tables(person_range)
        _check_places_in(tables["residence"], policy)
        return rules(*sorted_facts.fact_columns(tables, d, policy))

    with ThreadPoolExecutor(max_workers=1) as warm, ThreadPoolExecutor(max_workers=cores) as pool:
        # the compiled loops load (or compile) while the first ranges are being read, instead of after
        # (should this fail, the same failure comes from the ranges)
        warm.submit(lambda: rules(*sorted_facts.fact_columns(empty_register(), d, policy)))
        parts = list(pool.map(one, ranges))
    return pa.concat_tables(parts, promote_options="permissive") if len(parts) > 1 else parts[0]


def _simulate_database_in_memory(url: str, d: date, policy: Policy) -> pa.Table:
    """The native engine over a database register: the fact tables' columns read whole (PostgreSQL
    through COPY; no names or ID numbers), then evaluated as one range in memory."""
    from hukou.store.database import connect, read_tables

    tables = read_tables(connect(url), SCHEMAS, SCHEMAS, ordered=False)  # the engine sorts what needs it
    _check_places_in(tables["residence"], policy)
    return RulesInMemory(d, policy)(*sorted_facts.fact_columns(tables, d, policy))


def empty_register() -> dict[str, pa.Table]:
    return {name: schema.empty_table() for name, schema in SCHEMAS.items()}


class RulesInMemory:
    """The rule expressions (`columnar.rules_table`) at d over the facts of `sorted_facts.fact_columns`:
    compiled to one loop (`rule_kernel`), or run by DuckDB where the expression uses an operation
    the compiler does not know. Stated and compiled once for every range of people alike."""

    def __init__(self, d: date, policy: Policy):
        self.d, self.policy = d, policy
        self.lists = verdict_lists(policy)
        self.kernels: dict[tuple, rule_kernel.Kernel | None] = {}

    def __call__(self, people: pa.Table, registered: np.ndarray, facts: dict[str, sorted_facts.Fact]) -> pa.Table:
        """One row per registered person."""
        columns = {name: _numpy(people[name]) for name in people.column_names}
        columns.update(facts)
        schema = rule_kernel.schema_of(columns)
        key = tuple(schema.items())
        if key not in self.kernels:
            expr = rules_table(ibis.table(rule_kernel.ibis_schema(schema), name="facts"), self.d, self.policy)
            try:
                self.kernels[key] = rule_kernel.compile_rules(expr, schema)
            except rule_kernel.Unsupported:
                self.kernels[key] = None
        kernel = self.kernels[key]
        if kernel is None:
            return self._on_duckdb(people, registered, facts)
        try:
            outputs = rule_kernel.run_arrays(kernel, columns, len(registered))
        except NumbaError as exc:  # a loop the compiler wrote but Numba cannot type: a bug, not a stop
            warnings.warn(f"the compiled rules could not run ({type(exc).__name__}: {str(exc).splitlines()[0]}); "
                          "the rules run in DuckDB instead", RuntimeWarning, stacklevel=2)
            self.kernels[key] = None
            return self._on_duckdb(people, registered, facts)
        if not registered.all():
            outputs = [o.take(np.flatnonzero(registered)) for o in outputs]
        return with_lists(rule_kernel.to_table(outputs), self.lists)


    def _on_duckdb(self, people: pa.Table, registered: np.ndarray, facts: dict[str, sorted_facts.Fact]) -> pa.Table:
        table = sorted_facts.as_table(people, registered, facts)
        con = ibis.duckdb.connect()
        return with_lists(rules_table(con.create_table("facts", table), self.d, self.policy).to_pyarrow(), self.lists)


def rules_in_memory(people: pa.Table, registered: np.ndarray, facts: dict[str, sorted_facts.Fact], d: date,
                    policy: Policy) -> pa.Table:
    """`RulesInMemory` for one set of people."""
    return RulesInMemory(d, policy)(people, registered, facts)


def _numpy(column: pa.ChunkedArray) -> sorted_facts.Fact:
    """A column of the people table as a fact: dates as days (int32), NULLs as a mask."""
    if pa.types.is_date32(column.type):
        column = column.cast(pa.int32())
    known = None if column.null_count == 0 else pc.is_valid(column).to_numpy(zero_copy_only=False)
    values = pc.fill_null(column, pa.scalar(0, column.type) if not pa.types.is_boolean(column.type) else False) \
        if column.null_count else column
    return values.to_numpy(zero_copy_only=False), known


def _outside_the_city(n: int, example: str, policy: Policy):
    from hukou.policy.errors import InputError

    return InputError("residence.place", f"{n:,} residence records lie outside {policy.city.name} "
                                         f"({policy.city.code}…), e.g. {example}: is this the city's register and policy?")


def _check_places_in(residence: pa.Table, policy: Policy) -> None:
    """`_check_places` on residence records held in memory (place codes as a dictionary)."""

    for chunk in residence["place"].chunks:
        if not pa.types.is_dictionary(chunk.type):
            chunk = chunk.dictionary_encode()
        outside = pc.invert(pc.fill_null(pc.starts_with(chunk.dictionary, policy.city.code), True))
        if not pc.any(outside).as_py():
            continue
        bad = pc.is_in(chunk.indices, value_set=pc.indices_nonzero(outside).cast(chunk.indices.type))
        n = pc.sum(bad).as_py()
        if n:
            example = chunk.dictionary[chunk.indices[pc.index(bad, True).as_py()].as_py()].as_py()
            raise _outside_the_city(n, example, policy)


def _simulate_on_spark(register: str | Path, d: date, policy: Policy) -> pa.Table:
    from hukou.store import spark_register

    con, tables = _spark_register(register, policy)
    return verdicts(tables, d, policy, run=spark_register.collect(con))


def simulate_on_spark_to(register: str | Path, d: date, policy: Policy, out: str | Path) -> list[dict]:
    """`simulate` on Spark with the verdicts written to `out` (a folder of Parquet part files, local
    or any location Spark writes) by the executors, so that a province's or a nation's register never
    passes through this process; returns the `columnar.summary` of what was written."""
    from hukou.store import spark_register

    con, tables = _spark_register(register, policy)
    written = spark_register.write(con, verdict_rows(tables, d, policy), spark_register.output_location(out))
    return summary(written).to_pyarrow().to_pylist()


def write_verdicts(verdicts: pa.Table, path: str | Path) -> None:
    """Verdicts as a Parquet file, with min/max statistics on the numbers only (person ids, to find a
    range of people): statistics on the string columns cost a third of the writing (1.1 of 3.6 s at 10
    million) and prune nothing."""
    import pyarrow.parquet as pq

    numbers = [f.name for f in verdicts.schema if pa.types.is_integer(f.type) or pa.types.is_boolean(f.type)]
    pq.write_table(verdicts, path, write_statistics=numbers)


def summary_of(verdicts: pa.Table) -> list[dict]:
    """`columnar.summary` of verdicts held in memory (DuckDB reads the Arrow table in place)."""
    return ibis.duckdb.connect().to_pyarrow(summary(ibis.memtable(verdicts))).to_pylist()


def _spark_register(register: str | Path, policy: Policy):
    from hukou.policy.errors import InputError
    from hukou.store import spark_register

    if str(register).split("://", 1)[0] in DATABASE_SCHEMES:
        raise InputError("--engine", "spark reads a Parquet register (a folder of <table>.parquet), not a database")
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise InputError("--engine", "spark needs pyspark (pip install 'hukou[spark]') and a Java runtime") from None
    con, tables = spark_register.open_register(register)
    _check_places(tables, policy)
    return con, tables


DATABASE_SCHEMES = ("sqlite", "postgresql", "postgres", "postgresql+psycopg")


def _check_places(tables, policy: Policy) -> None:
    """Residence records are periods lived in the city (RULEBOOK §2): a register of another city, or
    a policy of another city, is an input error here as it is for one person."""

    res = tables["residence"]
    outside = res.filter(~res.place.startswith(policy.city.code))
    n = outside.count().to_pyarrow().as_py()
    if n:
        example = outside.select("place").limit(1).to_pyarrow()["place"][0].as_py()
        raise _outside_the_city(n, example, policy)


def open_database(url: str):
    """The register's fact tables on a database: PostgreSQL runs the engine's expressions itself;
    SQLite has no arrays, so its tables are read into DuckDB first."""
    import ibis
    from sqlalchemy.engine import make_url

    from hukou.registry.fact_tables import TABLES
    from hukou.store.database import connect, database_url, read_tables

    engine = connect(url)
    if engine.dialect.name == "postgresql":
        u = make_url(database_url(url))
        con = ibis.postgres.connect(host=u.host or "localhost", port=u.port or 5432, user=u.username,
                                    password=u.password, database=u.database)
        return con, {name: con.table(name) for name in TABLES}
    con = ibis.duckdb.connect()
    return con, {name: con.create_table(name, table) for name, table in read_tables(engine, TABLES).items()}


@dataclass
class Comparison:
    by_township: list[tuple]  # (township, people, eligible baseline, eligible reform)
    by_route: list[tuple]  # (route, baseline, reform)
    by_key_group: list[tuple]  # (key group, eligible baseline, eligible reform)
    changed: pa.Table  # person_id, settlement/route before and after
    people: int


_COMPARED = ("settlement", "route", "household", "residence_permit", "failed_rule", "key_groups")


def compare(baseline: pa.Table, reform: pa.Table) -> Comparison:
    """The two runs set side by side, person by person (the people in both): counts by township, by
    route and by key group, and whose verdict changes. No join is needed: both runs over one register
    list the same people, in the same order on the native engine, and are sorted by person otherwise."""
    b, r = _aligned(baseline, reform)
    side = pa.table({"person_id": b["person_id"], "township": b["township"],
                     **{f"b_{c}": b[c] for c in _COMPARED}, **{f"r_{c}": r[c] for c in _COMPARED}})
    con = duckdb.connect()
    con.register("v", side)
    by_township = con.execute("""
        SELECT coalesce(township, '(no residence)') AS township, count(*),
               count(*) FILTER (WHERE b_settlement = 'eligible'), count(*) FILTER (WHERE r_settlement = 'eligible')
        FROM v GROUP BY 1 ORDER BY 1""").fetchall()
    by_route = con.execute("""
        WITH x AS (SELECT 'baseline' AS side, b_route AS route FROM v UNION ALL SELECT 'reform', r_route FROM v)
        SELECT coalesce(route, '(none)'), count(*) FILTER (WHERE side = 'baseline'), count(*) FILTER (WHERE side = 'reform')
        FROM x GROUP BY 1 ORDER BY 1""").fetchall()
    by_key_group = con.execute("""
        SELECT g, count(*) FILTER (WHERE b_settlement = 'eligible'), count(*) FILTER (WHERE r_settlement = 'eligible')
        FROM v, unnest(b_key_groups) AS k(g) GROUP BY 1 ORDER BY 1""").fetchall()
    changed = con.execute("""
        SELECT person_id, b_settlement AS settlement_before, r_settlement AS settlement_after,
               b_route AS route_before, r_route AS route_after, b_failed_rule AS failed_rule_before,
               r_failed_rule AS failed_rule_after
        FROM v
        WHERE b_settlement IS DISTINCT FROM r_settlement OR b_route IS DISTINCT FROM r_route
           OR b_household IS DISTINCT FROM r_household OR b_residence_permit IS DISTINCT FROM r_residence_permit
        ORDER BY person_id""").to_arrow_table()
    return Comparison(by_township, by_route, by_key_group, changed, side.num_rows)


def _aligned(baseline: pa.Table, reform: pa.Table) -> tuple[pa.Table, pa.Table]:
    """The two runs' rows of the people in both, in the same order."""
    if baseline["person_id"].equals(reform["person_id"]):
        return baseline, reform
    common = pc.is_in(baseline["person_id"], value_set=reform["person_id"].combine_chunks())
    if not pc.all(common).as_py() or baseline.num_rows != reform.num_rows:
        baseline = baseline.filter(common)
        reform = reform.filter(pc.is_in(reform["person_id"], value_set=baseline["person_id"].combine_chunks()))
    return baseline.sort_by("person_id"), reform.sort_by("person_id")

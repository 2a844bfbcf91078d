"""Running the rules over a register, and setting a reform beside the baseline.

`simulate` returns one row per person (`hukou.store.columnar.OUTPUT_COLUMNS`). `compare` counts
the eligible by township, route and key group under both policies, and lists whose verdict changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa

from hukou.policy.policy_file import Policy
from hukou.store.columnar import verdicts
from hukou.store.parquet_register import open_register, person_ranges, run_by_person_ranges


ENGINES = ("duckdb", "spark")


def simulate(register: str | Path, d: date, policy: Policy, engine: str = "duckdb") -> pa.Table:
    """Verdicts for everyone in a register: a Parquet folder, or a database URL (`…://…`). The engine
    `spark` runs the same expressions on Spark (`spark_register`) over a Parquet register, which may
    then also be a location like `hdfs://…` or `s3a://…`."""
    if engine not in ENGINES:
        from hukou.policy.errors import InputError

        raise InputError("--engine", f"expected one of {', '.join(ENGINES)} (got {engine!r})")
    if engine == "spark":
        return _simulate_on_spark(register, d, policy)
    if "://" in str(register):
        con, tables = open_database(str(register))
        _check_places(tables, policy)
        return verdicts(tables, d, policy)
    con, tables = open_register(register)
    _check_places(tables, policy)
    ranges = person_ranges(register)
    return verdicts(tables, d, policy, run=lambda expr: run_by_person_ranges(con, expr, ranges))


def _simulate_on_spark(register: str | Path, d: date, policy: Policy) -> pa.Table:
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
    return verdicts(tables, d, policy, run=spark_register.collect(con))


DATABASE_SCHEMES = ("sqlite", "postgresql", "postgres", "postgresql+psycopg")


def _check_places(tables, policy: Policy) -> None:
    """Residence records are periods lived in the city (RULEBOOK §2): a register of another city, or
    a policy of another city, is an input error here as it is for one person."""
    from hukou.policy.errors import InputError

    res = tables["residence"]
    outside = res.filter(~res.place.startswith(policy.city.code))
    n = outside.count().to_pyarrow().as_py()
    if n:
        example = outside.select("place").limit(1).to_pyarrow()["place"][0].as_py()
        raise InputError("residence.place", f"{n:,} residence records lie outside {policy.city.name} "
                                            f"({policy.city.code}…), e.g. {example}: is this the city's register and policy?")


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


def compare(baseline: pa.Table, reform: pa.Table) -> Comparison:
    con = duckdb.connect()
    con.register("b", baseline)
    con.register("r", reform)
    joined = "FROM b JOIN r USING (person_id)"
    by_township = con.execute(f"""
        SELECT coalesce(b.township, '(no residence)') AS township, count(*),
               count(*) FILTER (WHERE b.settlement = 'eligible'), count(*) FILTER (WHERE r.settlement = 'eligible')
        {joined} GROUP BY 1 ORDER BY 1""").fetchall()
    by_route = con.execute("""
        WITH x AS (SELECT 'baseline' AS side, route FROM b UNION ALL SELECT 'reform', route FROM r)
        SELECT coalesce(route, '(none)'), count(*) FILTER (WHERE side = 'baseline'), count(*) FILTER (WHERE side = 'reform')
        FROM x GROUP BY 1 ORDER BY 1""").fetchall()
    by_key_group = con.execute(f"""
        SELECT g, count(*) FILTER (WHERE b.settlement = 'eligible'), count(*) FILTER (WHERE r.settlement = 'eligible')
        {joined}, unnest(b.key_groups) AS k(g) GROUP BY 1 ORDER BY 1""").fetchall()
    changed = con.execute(f"""
        SELECT person_id, b.settlement AS settlement_before, r.settlement AS settlement_after,
               b.route AS route_before, r.route AS route_after, b.failed_rule AS failed_rule_before,
               r.failed_rule AS failed_rule_after
        {joined}
        WHERE b.settlement IS DISTINCT FROM r.settlement OR b.route IS DISTINCT FROM r.route
           OR b.household IS DISTINCT FROM r.household OR b.residence_permit IS DISTINCT FROM r.residence_permit
        ORDER BY person_id""").to_arrow_table()
    return Comparison(by_township, by_route, by_key_group, changed, baseline.num_rows)

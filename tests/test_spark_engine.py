"""The same rule expressions on Spark: a Parquet register's verdicts on Ibis's PySpark backend equal
the single-person engine's and DuckDB's field by field. Skips (saying why) without pyspark or Java, except under CI=true, where
Spark must be there."""

from __future__ import annotations

import os
import shutil
from datetime import date

import pytest
from typer.testing import CliRunner

from hukou.policies import load
from hukou.registry.synth import generate
from hukou.store import parquet_register
from hukou.store.columnar import decoded, verdicts
from hukou.store.simulation import simulate
from enginecheck import assert_agree, expected_rows
from policytools import variant_policy
from randompeople import PersonMaker, register

DATES = (date(2020, 11, 1), date(2019, 3, 1))


def _unavailable(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but Spark cannot run: {reason}")
    print(f"Spark cannot run ({reason}); skipping")
    pytest.skip(f"Spark cannot run: {reason}")


@pytest.fixture(scope="module")
def spark():
    """One local Spark session for the module: 2 cores, few shuffle partitions, no web UI."""
    try:
        import pyspark  # noqa: F401
    except ImportError as exc:
        _unavailable(f"pyspark is not installed ({exc})")
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        _unavailable("no Java runtime (java on PATH or JAVA_HOME); Debian: apt-get install openjdk-17-jre-headless")
    from hukou.store.spark_register import local_session

    try:
        session = local_session(2, shuffle_partitions=4)
    except Exception as exc:  # noqa: BLE001 - any failure to start the JVM means no Spark here
        _unavailable(f"the Spark session did not start: {exc}")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return parquet_register.write_register(generate(2_000, seed=21), tmp_path_factory.mktemp("reg"))


def _on_both(folder, spark, d, policy):
    from hukou.store import spark_register

    con, tables = spark_register.open_register(folder, spark)
    on_spark = verdicts(tables, d, policy, run=spark_register.collect(con)).sort_by("person_id")
    on_duckdb = verdicts(parquet_register.open_register(folder)[1], d, policy).sort_by("person_id")
    return on_spark, on_duckdb


def _assert_same_rows(on_spark, on_duckdb):
    assert on_spark.schema == on_duckdb.schema
    a, b = on_spark.to_pylist(), on_duckdb.to_pylist()
    assert len(a) == len(b) > 0
    mismatches = [(x["person_id"], field, x[field], y[field]) for x, y in zip(a, b, strict=True) for field in x
                  if x[field] != y[field]]
    assert not mismatches, f"{len(mismatches)} mismatches (person, field, spark, duckdb), first: {mismatches[:10]}"


@pytest.mark.parametrize("d", DATES)
def test_spark_and_duckdb_agree_on_a_synthetic_register(spark, folder, d):
    on_spark, on_duckdb = _on_both(folder, spark, d, load("changji-2018"))
    _assert_same_rows(on_spark, on_duckdb)
    assert set(on_spark["settlement"].to_pylist()) == {"eligible", "ineligible", "undetermined"}


@pytest.mark.parametrize("policy,d,seed", [(load("changji-2018"), date(2019, 3, 1), 1), (variant_policy(), date(2019, 8, 31), 4)])
def test_spark_agrees_with_the_single_person_engine(spark, tmp_path, policy, d, seed):
    """Generated people with unknowns of every kind and hukou histories with registrations on one day,
    under Changji's policy and under every extra condition the engine compiles: each field as the
    single-person engine gives it, and as DuckDB does."""
    _, tables = register(PersonMaker(seed, d), 3_000)
    folder = parquet_register.write_register(tables, tmp_path / "reg")
    on_spark, on_duckdb = _on_both(folder, spark, d, policy)
    assert_agree("spark", expected_rows(tables, d, policy), on_spark)
    _assert_same_rows(on_spark, on_duckdb)


def test_spark_writes_the_lists_itself(spark, tmp_path):
    """The verdicts written by the executors (lists built in Spark SQL) hold the single engine's fields."""
    from hukou.store.simulation import simulate_on_spark_to

    d, policy = date(2019, 8, 31), variant_policy()
    _, tables = register(PersonMaker(4, d), 1_000)
    folder = parquet_register.write_register(tables, tmp_path / "reg")
    simulate_on_spark_to(folder, d, policy, tmp_path / "verdicts.parquet")
    import pyarrow.parquet as pq

    assert_agree("spark --out", expected_rows(tables, d, policy), pq.read_table(tmp_path / "verdicts.parquet"))


def test_simulate_command_runs_on_spark(spark, folder, tmp_path):
    from hukou.cli.main import app

    out = tmp_path / "verdicts.parquet"
    r = CliRunner().invoke(app, ["simulate", "--register", str(folder), "--date", "2020-11-01", "--engine", "spark",
                                 "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "2,000 people evaluated" in r.output
    import pyarrow.parquet as pq

    # written by Spark's executors: a folder of part files, the same rows as the native engine's
    assert out.is_dir() and list(out.glob("part-*.parquet"))
    expected = decoded(simulate(folder, DATES[0], load("changji-2018"))).sort_by("person_id")
    on_spark = pq.read_table(out).sort_by("person_id")
    assert on_spark.cast(expected.schema).equals(expected)
    # and the summary printed is the written rows' (the same as the native engine's)
    from hukou.store.simulation import summary_of

    for row in summary_of(expected):
        assert f"│ {row['settlement']}" in r.output and f" {row['people']:,} │" in r.output
    # a second run replaces the folder
    again = CliRunner().invoke(app, ["simulate", "--register", str(folder), "--date", "2020-11-01", "--engine", "spark",
                                     "--out", str(out)])
    assert again.exit_code == 0, again.output
    assert pq.read_table(out).num_rows == expected.num_rows


def test_spark_reads_a_register_not_a_database(spark):
    from hukou.policy.errors import InputError

    with pytest.raises(InputError) as err:
        simulate("sqlite:///register.sqlite", DATES[0], load("changji-2018"), engine="spark")
    assert err.value.path == "--engine"
    with pytest.raises(InputError) as err:
        simulate("x", DATES[0], load("changji-2018"), engine="polars")
    assert err.value.path == "--engine"


def test_spark_reads_a_partitioned_register(spark, folder, tmp_path):
    """Each `<table>.parquet` a folder of part files split by person, as Spark writes it: same verdicts."""
    from hukou.registry.fact_tables import TABLES
    from hukou.store import spark_register

    parts = tmp_path / "partitioned"
    for name in TABLES:
        spark.read.parquet(str(folder / f"{name}.parquet")).repartition(3, "person_id") \
            .write.parquet(str(parts / f"{name}.parquet"))
    assert len(list((parts / "residence.parquet").glob("part-*.parquet"))) == 3
    con, tables = spark_register.open_register(parts, spark)
    policy = load("changji-2018")
    on_spark = verdicts(tables, DATES[0], policy, run=spark_register.collect(con)).sort_by("person_id")
    _assert_same_rows(on_spark, verdicts(parquet_register.open_register(folder)[1], DATES[0], policy).sort_by("person_id"))

"""The register in a database: SQLite (WAL) and PostgreSQL, migrations, atomic loads, facts at D,
and the columnar engine's expressions running on PostgreSQL itself."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest
from sqlalchemy import inspect, text

from hukou.policies import load
from hukou.policy.errors import InputError
from hukou.policy.verdict import check
from hukou.registry.synth import generate
from hukou.store.database import connect, load_tables, migrate, person_facts
from hukou.store.parquet_register import person_facts as folder_facts
from hukou.store.parquet_register import write_register
from hukou.store.simulation import simulate

D = date(2020, 11, 1)
PEOPLE = 2_000


@pytest.fixture(scope="module")
def tables():
    return generate(PEOPLE, seed=21)


@pytest.fixture(scope="module")
def folder(tables, tmp_path_factory):
    return write_register(tables, tmp_path_factory.mktemp("reg"))


@pytest.fixture()
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'register.sqlite'}"


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_url):
    engine = connect(sqlite_url)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_migrations_create_the_register(sqlite_url):
    engine = connect(sqlite_url)
    migrate(engine)
    names = set(inspect(engine).get_table_names())
    assert {"people", "hukou", "residence", "housing", "employment", "social_insurance", "education", "qualifications",
            "military", "family", "households", "household_members", "divisions", "three_rights", "alembic_version"} <= names
    columns = {c["name"] for c in inspect(engine).get_columns("people")}
    assert not columns & {"ethnicity", "nationality", "religion", "minzu"}
    migrate(engine)  # running again is a no-op


def _same_facts_and_verdicts(url, folder):
    engine = connect(url)
    policy = load("changji-2018")
    for pid in (1, 2, 3, 50, 777, PEOPLE):
        from_db, from_folder = person_facts(engine, pid, D), folder_facts(folder, pid, D)
        assert from_db == from_folder, pid
        assert check(from_db, D, policy) == check(from_folder, D, policy)


def test_sqlite_holds_the_same_register_as_parquet(sqlite_url, tables, folder):
    engine = connect(sqlite_url)
    migrate(engine)
    load_tables(engine, tables)
    _same_facts_and_verdicts(sqlite_url, folder)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM people")).scalar() == PEOPLE
        assert conn.execute(text("SELECT count(*) FROM divisions WHERE kind = 'street'")).scalar() == 6


def _with_orphan(tables, name):
    """The register with one more `name` row, for a person who does not exist."""
    orphan = tables[name].slice(0, 1).set_column(0, "person_id", pa.array([10**9], pa.int64()))
    return {**tables, name: pa.concat_tables([tables[name], orphan])}


def test_a_failed_load_writes_nothing(sqlite_url, tables):
    engine = connect(sqlite_url)
    migrate(engine)
    with pytest.raises(InputError) as err:
        load_tables(engine, _with_orphan(tables, "hukou"))
    assert err.value.path == "hukou" and "nothing written" in err.value.message
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM people")).scalar() == 0


def test_simulate_on_sqlite_matches_parquet(sqlite_url, tables, folder):
    engine = connect(sqlite_url)
    migrate(engine)
    load_tables(engine, tables)
    policy = load("changji-2018")
    a = simulate(folder, D, policy).sort_by("person_id")
    b = simulate(sqlite_url, D, policy).sort_by("person_id")
    assert a.to_pylist() == b.to_pylist()


def test_postgres_holds_the_same_register_and_runs_the_same_expressions(postgres_url, tables, folder):
    engine = connect(postgres_url)
    migrate(engine)
    load_tables(engine, tables)
    _same_facts_and_verdicts(postgres_url, folder)
    policy = load("changji-2018")
    on_duckdb = simulate(folder, D, policy).sort_by("person_id").to_pylist()
    on_postgres = simulate(postgres_url, D, policy).sort_by("person_id").to_pylist()
    assert on_postgres == on_duckdb
    engine.dispose()


def test_postgres_load_is_atomic(postgres_url, tables):
    engine = connect(postgres_url)
    migrate(engine)
    with pytest.raises(InputError):
        load_tables(engine, _with_orphan(tables, "family"))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM people")).scalar() == 0
    engine.dispose()

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
from hukou.registry.person_facts import facts_at
from hukou.registry.synth import generate
from hukou.store.database import connect, load_tables, migrate, person_facts
from hukou.store.parquet_register import person_facts as folder_facts
from hukou.store.parquet_register import write_register
from hukou.store.simulation import simulate
from enginecheck import assert_agree, expected_rows, register_rows, same_day_register
from randompeople import PersonMaker, register

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
    a = simulate(folder, D, policy).sort_by("person_id").to_pylist()
    for engine_name in ("native", "duckdb"):  # read into memory; read into DuckDB and run as SQL
        assert simulate(sqlite_url, D, policy, engine_name).sort_by("person_id").to_pylist() == a, engine_name


def test_postgres_holds_the_same_register_and_runs_the_same_expressions(postgres_url, tables, folder):
    engine = connect(postgres_url)
    migrate(engine)
    load_tables(engine, tables)
    _same_facts_and_verdicts(postgres_url, folder)
    policy = load("changji-2018")
    on_parquet = simulate(folder, D, policy).sort_by("person_id").to_pylist()
    # the expressions run by PostgreSQL itself, and the tables read (COPY) and evaluated natively
    for engine_name in ("duckdb", "native"):
        assert simulate(postgres_url, D, policy, engine_name).sort_by("person_id").to_pylist() == on_parquet, engine_name
    engine.dispose()


def _generated_register(d: date, seed: int, n: int) -> dict[str, pa.Table]:
    """Generated people (hukou histories with registrations on one day, rows in no order) with the
    identity columns a database requires."""
    _, tables = register(PersonMaker(seed, d), n, ids=list(range(1, n + 1)))
    ids = tables["people"]["person_id"].to_pylist()
    tables["identity"] = pa.table({"person_id": pa.array(ids, pa.int64()), "id_number": [f"{i:018d}" for i in ids],
                                   "name": ["某"] * len(ids), "sex": ["F"] * len(ids)})
    return tables


def test_postgres_runs_the_rules_as_the_single_person_engine_does(postgres_url):
    """The expressions run by PostgreSQL itself and the tables read and evaluated natively, field by
    field against the single-person engine; one person's facts read from the database as from the rows."""
    d, policy = date(2019, 3, 1), load("changji-2018")
    tables = _generated_register(d, 3, 2_000)
    engine = connect(postgres_url)
    migrate(engine)
    load_tables(engine, tables)
    expected = expected_rows(tables, d, policy)
    for engine_name in ("duckdb", "native"):
        assert_agree(f"postgres, {engine_name}", expected, simulate(postgres_url, d, policy, engine_name))
    rows_of = register_rows(tables)
    same_day = [pid for pid in expected if len({h["since"] for h in rows_of(pid)("hukou")}) < len(rows_of(pid)("hukou"))]
    assert len(same_day) > 200
    for pid in same_day[:40]:
        assert person_facts(engine, pid, d) == facts_at(pid, d, rows_of(pid)), pid
    engine.dispose()


def test_sqlite_reads_the_last_written_registration_of_a_day(sqlite_url):
    d, policy = date(2019, 6, 1), load("changji-2018")
    tables = same_day_register()
    tables["identity"] = pa.table({"person_id": pa.array([1, 2], pa.int64()), "id_number": ["1" * 18, "2" * 18],
                                   "name": ["甲", "乙"], "sex": ["M", "F"]})
    engine = connect(sqlite_url)
    migrate(engine)
    load_tables(engine, tables)
    expected = expected_rows(tables, d, policy)
    assert person_facts(engine, 1, d)["hukou"] == {"place": "652301100201", "urban": False}
    assert person_facts(engine, 2, d)["hukou"] == {"place": "622425", "urban": False}
    for engine_name in ("duckdb", "native"):
        assert_agree(f"sqlite, {engine_name}", expected, simulate(sqlite_url, d, policy, engine_name))


def _register_at_0003(url: str):
    """A database at revision 0003 holding two people's registrations, two of them on one day."""
    engine = connect(url)
    migrate(engine, "0003")
    with engine.begin() as conn:
        for pid in (1, 2):
            conn.execute(text(
                "INSERT INTO people (person_id, id_number, name, sex, birth_date, residence_known, housing_known, "
                "employment_known, social_insurance_known, education_known, qualifications_known) VALUES "
                "(:p, :n, '某', 'F', '1990-01-01', false, false, false, false, false, false)"), {"p": pid, "n": f"{pid:018d}"})
        for i, (pid, since) in enumerate([(1, "2020-01-01"), (2, "2019-01-01"), (1, "2010-01-01"), (1, "2020-01-01"),
                                          (2, "2019-01-01")], 1):
            conn.execute(text("INSERT INTO hukou (id, person_id, since, place, urban) VALUES (:i, :p, :s, '652301', false)"),
                         {"i": i, "p": pid, "s": since})
    return engine


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_the_migration_numbers_existing_registrations_by_date_then_id(backend, request, tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite'}" if backend == "sqlite" else request.getfixturevalue("postgres_url")
    engine = _register_at_0003(url)
    migrate(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT id, seq FROM hukou ORDER BY id")).fetchall() == [(1, 2), (2, 1), (3, 1), (4, 3),
                                                                                            (5, 2)]
    seq = next(c for c in inspect(engine).get_columns("hukou") if c["name"] == "seq")
    assert seq["nullable"] is False and seq["default"] is None
    with pytest.raises(Exception, match="(?i)not null|null value"):  # no server default: a writer must number it
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO hukou (person_id, since, place, urban) VALUES (1, '2021-01-01', '652301', false)"))
    engine.dispose()


def test_postgres_tables_read_through_copy_keep_nulls_empty_strings_and_awkward_text(postgres_url):
    from hukou.store.database import _copied

    schema = pa.schema([("n", pa.int64()), ("text", pa.string()), ("empty", pa.string()), ("none", pa.string()),
                        ("flag", pa.bool_()), ("unknown", pa.bool_()), ("day", pa.date32()), ("small", pa.int32())])
    query = ("SELECT * FROM (VALUES (1::bigint, 'a,\"b\"' || chr(10) || 'c 张三', ''::text, NULL::text, true, NULL::boolean,"
             " DATE '2020-02-29', 7::int), (2, NULL, 'x', 'y', false, true, NULL, NULL)) AS t ORDER BY 1")
    engine = connect(postgres_url)
    raw = engine.raw_connection()
    try:
        got = _copied(raw, query, schema)
        nothing = _copied(raw, query.replace("ORDER BY 1", "WHERE false"), schema)
    finally:
        raw.close()
        engine.dispose()
    assert got.schema == schema and nothing.num_rows == 0 and nothing.schema == schema
    assert got.to_pylist() == [
        {"n": 1, "text": 'a,"b"\nc 张三', "empty": "", "none": None, "flag": True, "unknown": None,
         "day": date(2020, 2, 29), "small": 7},
        {"n": 2, "text": None, "empty": "x", "none": "y", "flag": False, "unknown": True, "day": None, "small": None}]


def test_postgres_load_is_atomic(postgres_url, tables):
    engine = connect(postgres_url)
    migrate(engine)
    with pytest.raises(InputError):
        load_tables(engine, _with_orphan(tables, "family"))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM people")).scalar() == 0
    engine.dispose()

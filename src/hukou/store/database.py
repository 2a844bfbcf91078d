"""The register's database: connecting (SQLite in WAL mode by default, PostgreSQL in production),
checking that it holds the register, migrating with Alembic, bulk-loading a generated or imported
register, and one person's facts at D.

The URL comes from `--database`, else `HUKOU_DATABASE_URL`, else `sqlite:///hukou.sqlite`.
"""

from __future__ import annotations

import os
import threading
import time
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, Callable

try:
    import fcntl
except ImportError:  # Windows: processes wait in SQLite's busy handler
    fcntl = None  # type: ignore[assignment]

import pyarrow as pa
from sqlalchemy import Connection, Engine, create_engine, event, inspect, make_url, select, text
from sqlalchemy.exc import OperationalError

from hukou.policy.errors import InputError, redacted
from hukou.registry.person_facts import ORDER, facts_at
from hukou.store import schema as S

DEFAULT_URL = "sqlite:///hukou.sqlite"
LOAD_ORDER = ("divisions", "people", "households", "hukou", "household_members", "residence", "housing", "employment",
              "social_insurance", "education", "qualifications", "military", "family", "three_rights")


def database_url(url: str | None = None) -> str:
    url = url or os.environ.get("HUKOU_DATABASE_URL") or DEFAULT_URL
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def shown_url(url) -> str:
    """A URL (text or SQLAlchemy's) fit for a message: the password, if any, as ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - not a URL SQLAlchemy reads: shown as given, ID numbers masked
        return redacted(url)


def connect(url: str | None = None) -> Engine:
    url = database_url(url)
    try:
        engine = create_engine(url, future=True)
    except Exception as exc:  # noqa: BLE001 - an unusable URL is the user's input
        raise InputError("database", f"cannot use {url!r}: {exc}") from None
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _pragmas(conn, _record):  # WAL: readers never block the writer; foreign keys on
            conn.isolation_level = None  # SQLAlchemy's "begin" below starts the transactions
            cur = conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=10000")
            cur.close()

        _take_turns(engine)

        @event.listens_for(engine, "begin")
        def _begin(conn):  # take the write lock at the start: what a transaction read stays true until it commits
            conn.exec_driver_sql("BEGIN IMMEDIATE")
    return engine


def require_register(engine: Engine) -> None:
    """An input error, saying how to make them, unless the database holds the register's tables."""
    missing = _missing_tables(engine)
    if missing:
        what = "no register tables" if len(missing) == len(LOAD_ORDER) else f"no table {', '.join(missing)}"
        raise InputError("", f"the database has {what}; run `hukou register init` or `hukou synth --database URL` first",
                         shown_url(engine.url))


def _missing_tables(engine: Engine) -> list[str]:
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and database != ":memory:" and not Path(database).exists():
        return list(LOAD_ORDER)  # not connected to: SQLite would create an empty file
    try:
        names = set(inspect(engine).get_table_names())
    except OperationalError as exc:
        message = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
        raise InputError("", f"cannot connect: {redacted(message)}", shown_url(engine.url)) from None
    return [name for name in LOAD_ORDER if name not in names]


WRITE_WAIT_S = 10.0  # as long as SQLite's busy_timeout
_POLL_S = (0.00005, 0.0001, 0.0002, 0.0005, 0.001)  # waits between tries of another process's turn


def _take_turns(engine: Engine) -> None:
    """Writers queue for SQLite's write lock before they ask SQLite, from a transaction's start
    until its connection goes back to the pool: threads of one process on a Python lock, processes
    (`hukou serve --workers N`) on an advisory lock of a file beside the database (`<file>-turn`).
    Without them, the writers of a busy API server all knock on the database file, and SQLite's
    busy handler puts the losers to sleep for 1, 2, 5 … 100 ms at a time (the slow tail of
    docs/benchmarks.md). Registered before `BEGIN IMMEDIATE`, so it runs first."""
    turn = threading.Lock()
    database = engine.url.database
    across = _TurnFile(Path(database + "-turn")) if database and database != ":memory:" and fcntl else None

    @event.listens_for(engine, "begin")
    def _queue(conn):
        if not conn.info.get("turn"):
            deadline = time.monotonic() + WRITE_WAIT_S
            if not turn.acquire(timeout=WRITE_WAIT_S):
                raise TimeoutError(f"the database stayed busy for {WRITE_WAIT_S:.0f} s")
            if across is not None and not across.acquire(deadline):
                turn.release()
                raise TimeoutError(f"the database stayed busy for {WRITE_WAIT_S:.0f} s")
            conn.info["turn"] = True

    @event.listens_for(engine, "checkin")
    def _done(_dbapi_conn, record):
        if record.info.pop("turn", False):
            if across is not None:
                across.release()
            turn.release()


class _TurnFile:
    """An exclusive `flock` on a file, tried until a deadline (a process that holds it is in its
    write transaction, which lasts about a millisecond; `flock` itself cannot time out)."""

    def __init__(self, path: Path):
        self.path = path
        self.fd: int | None = None
        self.pid = 0

    def acquire(self, deadline: float) -> bool:
        if self.fd is None or self.pid != os.getpid():  # a forked child opens its own: a lock is per open file
            self.pid = os.getpid()
            try:
                self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError:  # a read-only directory: SQLite's own busy handler still orders the processes
                return True
        waits = iter(_POLL_S)
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(next(waits, _POLL_S[-1]))

    def release(self) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` with the migrations shipped in the package."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("hukou.store").joinpath("migrations")))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def _columns(model) -> list[str]:
    return [c.name for c in model.__table__.columns]


def load_tables(engine: Engine, tables: dict[str, pa.Table], progress: Callable[[str], None] | None = None) -> None:
    """Write a register's tables in one transaction: all rows or none (PostgreSQL: COPY)."""
    step = progress or (lambda name: None)
    models = {m.__tablename__: m for m in S.Base.__subclasses__()}
    prepared = {name: _prepare(name, tables) for name in LOAD_ORDER}
    with engine.begin() as conn:
        fast_pg = engine.dialect.name == "postgresql" and _skip_row_triggers(conn)
        for name in LOAD_ORDER:
            table = prepared[name]
            if table is None or table.num_rows == 0:
                continue
            step(name)
            cols = [c for c in _columns(models[name]) if c in table.column_names]
            table = table.select(cols)
            try:
                if engine.dialect.name == "postgresql":
                    _copy_postgres(conn.connection.driver_connection, name, table)
                else:
                    _insert_sqlite(conn.connection.driver_connection, name, table)
            except Exception as exc:  # noqa: BLE001 - the driver's own error class; the transaction rolls back
                if type(exc).__name__ in ("IntegrityError", "UniqueViolation", "ForeignKeyViolation", "NotNullViolation",
                                          "CheckViolation", "InvalidTextRepresentation", "DataError"):
                    raise InputError(name, f"not loaded, nothing written: {_refusal(exc)}") from None
                raise
        if fast_pg:  # the foreign keys were not checked row by row: check them all at once
            conn.execute(text("SET LOCAL session_replication_role = origin"))
            _check_references(conn)
        if engine.dialect.name == "postgresql":
            _reset_sequences(conn, models, prepared)
    if engine.dialect.name == "postgresql":  # fresh statistics, so the planner joins the new rows well
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))


def _refusal(exc: Exception) -> str:
    """The driver's reason for refusing rows: its first line, and PostgreSQL's DETAIL (the key), redacted."""
    lines = str(exc).splitlines()
    detail = [" ".join(line.split()) for line in lines[1:] if line.startswith("DETAIL:")]
    return redacted("; ".join(lines[:1] + detail))


def _reset_sequences(conn, models: dict, prepared: dict) -> None:
    """After COPY with explicit ids, the id sequences continue after the largest id."""
    for name in LOAD_ORDER:
        pk = models[name].__table__.primary_key.columns.values()[0]
        if pk.name == "id" and prepared[name] is not None and prepared[name].num_rows:
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM \"{name}\"))"))


def _skip_row_triggers(conn) -> bool:
    """PostgreSQL checks each foreign key with a trigger per row; a bulk load may skip them (as a
    superuser) and check every reference afterwards with one query per table."""
    try:
        with conn.begin_nested():
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        return True
    except Exception:  # noqa: BLE001 - not allowed for this role: row-by-row checks stay on
        return False


def _check_references(conn) -> None:
    for table in S.Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            col, ref = fk.parent, fk.column
            bad = conn.execute(text(
                f'SELECT count(*) FROM "{table.name}" t WHERE t."{col.name}" IS NOT NULL AND NOT EXISTS '
                f'(SELECT 1 FROM "{ref.table.name}" r WHERE r."{ref.name}" = t."{col.name}")')).scalar()
            if bad:
                raise InputError(f"{table.name}.{col.name}", f"{bad} rows refer to a missing {ref.table.name}.{ref.name}")


def _copy_postgres(raw, name: str, table: pa.Table) -> None:
    """COPY in CSV written by Arrow: no Python object per value."""
    import io

    import pyarrow.csv as csv

    quoted = ", ".join(f'"{c}"' for c in table.column_names)
    with raw.cursor() as cur, cur.copy(f'COPY "{name}" ({quoted}) FROM STDIN WITH (FORMAT csv)') as copy:
        for batch in table.to_batches(200_000):
            buf = io.BytesIO()
            csv.write_csv(pa.Table.from_batches([batch]), buf, csv.WriteOptions(include_header=False, quoting_style="needed"))
            copy.write(buf.getvalue())


def _insert_sqlite(raw, name: str, table: pa.Table) -> None:
    """executemany with tuples; dates as ISO text, which is how SQLAlchemy stores them in SQLite."""
    cols = []
    for col in table.columns:
        if pa.types.is_date(col.type):
            col = col.cast(pa.string())
        cols.append(col)
    table = pa.table(cols, names=table.column_names)
    marks = ", ".join("?" for _ in table.column_names)
    quoted = ", ".join(f'"{c}"' for c in table.column_names)
    cur = raw.cursor()
    for batch in table.to_batches(100_000):
        cur.executemany(f'INSERT INTO "{name}" ({quoted}) VALUES ({marks})',
                        zip(*(c.to_pylist() for c in batch.columns), strict=True))
    cur.close()


def _prepare(name: str, tables: dict[str, pa.Table]) -> pa.Table | None:
    """The generated tables in the database's shape (identity joined to people, units as divisions)."""
    if name == "people":
        people, identity = tables["people"], tables.get("identity")
        if identity is not None:
            people = people.join(identity, "person_id")
        return people
    if name == "divisions":
        units = tables.get("units")
        if units is None:
            return None
        from hukou.registry.divisions import CITY_NAME, changji_townships

        towns = changji_townships()
        kinds = ["community" if c.startswith("1") else "village" for c in units["urban_class"].to_pylist()]
        city = towns[0].code[:6]
        return pa.table({
            "code": [city] + [t.code for t in towns] + units["code"].to_pylist(),
            "name": [CITY_NAME] + [t.name for t in towns] + units["name"].to_pylist(),
            "parent_code": [None] + [t.code[:6] for t in towns] + units["township"].to_pylist(),
            "kind": ["city"] + [t.kind for t in towns] + kinds,
            "urban_class": [None] * (len(towns) + 1) + units["urban_class"].to_pylist(),
        })
    table = tables.get(name)
    if table is not None and "id" not in table.column_names and name not in ("three_rights",):
        table = table.append_column("id", pa.array(range(1, table.num_rows + 1), pa.int64()))
    return table


def read_tables(engine: Engine, names, schemas: dict[str, pa.Schema] | None = None,
                ordered: bool = True) -> dict[str, pa.Table]:
    """Whole tables as Arrow, in the register's file layout (people with their identity columns), or
    only the columns of `schemas` (the rules' facts: no names or ID numbers read); `ordered`: rows
    sorted by every column (an export equals its import), else as the database keeps them."""
    from hukou.registry.imports import schema_of

    raw = engine.raw_connection()
    try:
        out = {}
        for name in names:
            schema = schemas[name] if schemas is not None else schema_of(name)
            query = f'SELECT {", ".join(chr(34) + c + chr(34) for c in schema.names)} FROM "{name}"'
            if ordered:
                query += f' ORDER BY {", ".join(str(i + 1) for i in range(len(schema.names)))}'
            if engine.dialect.name == "postgresql":
                out[name] = _copied(raw, query, schema)
                continue
            cur = raw.cursor()
            cur.execute(query)
            rows = cur.fetchall()
            cur.close()
            columns = list(zip(*rows, strict=True)) if rows else [[] for _ in schema.names]
            out[name] = pa.table([pa.array(col, _driver_type(engine, f.type)).cast(f.type)
                                  for col, f in zip(columns, schema, strict=True)], schema=schema)
        return out
    finally:
        raw.close()


def _copied(raw, query: str, schema: pa.Schema) -> pa.Table:
    """A PostgreSQL query's rows as Arrow through COPY … TO STDOUT as CSV, parsed by Arrow: twice as
    fast as fetching rows into Python (3.5 million rows in ~3 s). NULL is an unquoted empty field, an
    empty string a quoted one."""
    import io

    import pyarrow.csv as pacsv

    data = io.BytesIO()
    cur = raw.cursor()
    with cur.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)") as copy:
        for chunk in copy:
            data.write(chunk)
    cur.close()
    data.seek(0)
    if not data.getbuffer().nbytes:
        return schema.empty_table()
    return pacsv.read_csv(
        data, read_options=pacsv.ReadOptions(column_names=schema.names),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(column_types=schema, true_values=["t"], false_values=["f"],
                                             strings_can_be_null=True, quoted_strings_can_be_null=False))


def _driver_type(engine: Engine, arrow_type: pa.DataType) -> pa.DataType:
    """How the driver hands a column back: SQLite gives dates as ISO text and booleans as 0 and 1."""
    if engine.dialect.name == "sqlite":
        if pa.types.is_date(arrow_type):
            return pa.string()
        if pa.types.is_boolean(arrow_type):
            return pa.int64()
    return arrow_type


def person_facts(engine: Engine | Connection, person_id: int, d: date) -> dict[str, Any]:
    """One person's RULEBOOK §2 facts at d, from the register's histories in the database (through an
    engine, or a connection whose transaction is already open)."""
    if isinstance(engine, Connection):
        return _person_facts(engine, person_id, d)
    with engine.connect() as conn:
        return _person_facts(conn, person_id, d)


def _person_facts(conn: Connection, person_id: int, d: date) -> dict[str, Any]:
    tables = S.Base.metadata.tables

    def rows(name: str) -> list[dict]:
        table = tables[name]
        order = [table.c[c] for c in ORDER.get(name, ())] + ([table.c.id] if "id" in table.c else [])
        query = select(table).where(table.c.person_id == person_id).order_by(*order)
        return [dict(r._mapping) for r in conn.execute(query)]

    return facts_at(person_id, d, rows)

"""The audit log in the database: an entry is written in the transaction of what it records.

Writers take turns, so the chain stays one line: SQLite transactions hold the write lock from their
start (`database.connect`); PostgreSQL takes an advisory lock, released when the transaction ends.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Iterable

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from hukou.audit.chain import GENESIS, Entry, Finding, entry_hash, verify
from hukou.store import schema as S
from hukou.store.driver_sql import DriverSQL

AUDIT_LOCK = 0x68756B6F  # "huko": the advisory lock that serializes the audit chain on PostgreSQL


def subject_of(ids: Iterable[object]) -> str:
    """The ids read or acted on, as one subject: `a,b,c`."""
    return ",".join(str(i) for i in ids)


def append_entry(session: Session, at: datetime, who: str, what: str, subject: str, why: str) -> None:
    """Append to the audit log inside the caller's transaction."""
    append_entries(session, [(at, who, what, subject, why)])


def append_entries(session: Session, entries: list[tuple[datetime, str, str, str, str]], commit: bool = False) -> None:
    """Append entries (at, who, what, subject, why) in order inside the caller's transaction; with
    `commit`, PostgreSQL commits it in the same round trip (the caller's commit then has nothing left
    to do: psycopg sends no COMMIT outside a transaction)."""
    entries = [(at, str(who)[:60], str(what)[:40], str(subject), str(why)[:200])  # the columns' sizes: a long
               for at, who, what, subject, why in entries]                        # reason must not fail an action
    db = DriverSQL.of(session)
    if db.postgres:
        db.cursor.execute(_lock_and_append_pg(db, entries, commit))
        return
    for at, who, what, subject, why in entries:
        last = db.one("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
        db.run("INSERT INTO audit_log (seq, at, who, what, subject, why, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
               (seq, db.when(at), who, what, subject, why, prev, entry_hash(prev, seq, at, who, what, subject, why)))


def _lock_and_append_pg(db: DriverSQL, entries, commit: bool) -> str:
    """The advisory lock, then each entry (then the commit), in one round trip: statements of one
    simple query, each with its own snapshot, so the first insert sees the entry that the lock's
    previous holder committed and each later one the one before it. Every writer holds the lock until
    its commit, so this one round trip is all that waits in line.

    The hash is `entry_hash`, computed by PostgreSQL (sha256, PostgreSQL 11 or later): the JSON text
    `[prev,seq,` + the rest, where the rest is written here exactly as `entry_hash` writes it, and
    `prev` (hex) and `seq` (a number) need no escaping. Values are written as string literals
    (`_literal`), which needs standard_conforming_strings, PostgreSQL's default since 9.1; a server
    set otherwise gets psycopg's own quoting."""
    connection = db.cursor.connection
    literal = _literal if connection.info.parameter_status("standard_conforming_strings") == "on" else \
        (lambda value: _psycopg_literal(value, connection))
    parts = [f"SELECT pg_advisory_xact_lock({AUDIT_LOCK})"]
    for at, who, what, subject, why in entries:
        rest = json.dumps([at.isoformat(), who, what, subject, why], ensure_ascii=False, separators=(",", ":"))[1:]
        parts.append(
            "INSERT INTO audit_log (seq, at, who, what, subject, why, prev_hash, hash) "
            f"SELECT n.seq, {literal(at.isoformat())}::timestamp, {literal(who)}, {literal(what)}, {literal(subject)}, "
            f"{literal(why)}, n.prev, "
            f"encode(sha256(convert_to('[\"' || n.prev || '\",' || n.seq || ',' || {literal(rest)}, 'UTF8')), 'hex') "
            "FROM (SELECT coalesce((SELECT seq FROM audit_log ORDER BY seq DESC LIMIT 1), 0) + 1 AS seq, "
            f"coalesce((SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1), {literal(GENESIS)}) AS prev) AS n")
    if commit:
        parts.append("COMMIT")
    return "; ".join(parts)


def _literal(value: str) -> str:
    """A PostgreSQL string literal under standard_conforming_strings: quotes doubled, nothing else
    special. A NUL character, which no PostgreSQL text may hold, is refused as psycopg refuses it."""
    if "\x00" in value:
        raise ValueError("PostgreSQL text cannot contain NUL (0x00) characters")
    return "'" + value.replace("'", "''") + "'"


def _psycopg_literal(value: str, connection) -> str:
    from psycopg import sql

    return sql.Literal(value).as_string(connection)


def entries(engine: Engine) -> Iterable[Entry]:
    with Session(engine) as session:
        for e in session.scalars(select(S.AuditEntry).order_by(S.AuditEntry.seq).execution_options(yield_per=10_000)):
            yield Entry(e.seq, e.at, e.who, e.what, e.subject, e.why, e.prev_hash, e.hash)


def verify_log(engine: Engine) -> Finding | None:
    """The first entry of the database's audit log that is not as written, or None."""
    return verify(entries(engine))

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
    `prev` (hex) and `seq` (a number) need no escaping."""
    from psycopg import sql

    insert = sql.SQL(
        "INSERT INTO audit_log (seq, at, who, what, subject, why, prev_hash, hash) "
        "SELECT n.seq, {at}, {who}, {what}, {subject}, {why}, n.prev, "
        "encode(sha256(convert_to('[\"' || n.prev || '\",' || n.seq || ',' || {rest}, 'UTF8')), 'hex') "
        "FROM (SELECT coalesce((SELECT seq FROM audit_log ORDER BY seq DESC LIMIT 1), 0) + 1 AS seq, "
        "coalesce((SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1), {genesis}) AS prev) AS n")
    parts = [sql.SQL("SELECT pg_advisory_xact_lock({})").format(sql.Literal(AUDIT_LOCK))]
    for at, who, what, subject, why in entries:
        rest = json.dumps([at.isoformat(), who, what, subject, why], ensure_ascii=False, separators=(",", ":"))[1:]
        parts.append(insert.format(at=sql.Literal(at), who=sql.Literal(who), what=sql.Literal(what),
                                   subject=sql.Literal(subject), why=sql.Literal(why), rest=sql.Literal(rest),
                                   genesis=sql.Literal(GENESIS)))
    if commit:
        parts.append(sql.SQL("COMMIT"))
    return sql.SQL("; ").join(parts).as_string(db.cursor.connection)


def entries(engine: Engine) -> Iterable[Entry]:
    with Session(engine) as session:
        for e in session.scalars(select(S.AuditEntry).order_by(S.AuditEntry.seq).execution_options(yield_per=10_000)):
            yield Entry(e.seq, e.at, e.who, e.what, e.subject, e.why, e.prev_hash, e.hash)


def verify_log(engine: Engine) -> Finding | None:
    """The first entry of the database's audit log that is not as written, or None."""
    return verify(entries(engine))

"""The audit log in the database: an entry is written in the transaction of what it records.

Writers take turns, so the chain stays one line: SQLite transactions hold the write lock from their
start (`database.connect`); PostgreSQL takes an advisory lock, released when the transaction ends.
"""

from __future__ import annotations

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
    who, what, why = str(who)[:60], str(what)[:40], str(why)[:200]  # the columns' sizes (a long reason must not fail an action)
    db = DriverSQL.of(session)
    last = _lock_and_last_pg(db) if db.postgres else db.one("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    db.run("INSERT INTO audit_log (seq, at, who, what, subject, why, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
           (seq, db.when(at), who, what, subject, why, prev, entry_hash(prev, seq, at, who, what, subject, why)))


def _lock_and_last_pg(db: DriverSQL) -> tuple[int, str] | None:
    """The advisory lock, then the last entry, in one round trip while others wait for the lock: two
    statements in one simple query, each with its own snapshot, so the read sees the entry that the
    lock's previous holder committed."""
    db.cursor.execute(f"SELECT pg_advisory_xact_lock({AUDIT_LOCK}); "
                      "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
    db.cursor.nextset()
    row = db.cursor.fetchone()
    return (row[0], row[1]) if row else None


def entries(engine: Engine) -> Iterable[Entry]:
    with Session(engine) as session:
        for e in session.scalars(select(S.AuditEntry).order_by(S.AuditEntry.seq).execution_options(yield_per=10_000)):
            yield Entry(e.seq, e.at, e.who, e.what, e.subject, e.why, e.prev_hash, e.hash)


def verify_log(engine: Engine) -> Finding | None:
    """The first entry of the database's audit log that is not as written, or None."""
    return verify(entries(engine))

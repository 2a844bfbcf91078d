"""Reads of the register's personal data outside casework (the command line): each is logged, with
the reader and the purpose they gave, in the audit log of where the register is (the database's,
or a register folder's `audit-log.jsonl`), in the same step as the read.
"""

from __future__ import annotations

import getpass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from hukou.policy.errors import InputError
from hukou.store import audit_file
from hukou.store.audit_log import append_entry


def reader() -> str:
    """Who reads at the command line: the operating-system account."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


def checked_purpose(purpose: str | None) -> str:
    text = (purpose or "").strip()
    if not text:
        raise InputError("--purpose", "say why you read personal data (e.g. --purpose \"answer the person's request\"); "
                                      "the read is logged with it")
    if len(text) > 200:
        raise InputError("--purpose", "at most 200 characters")
    return text


def person_facts(person_id: int, d: date, purpose: str | None, *, folder: str | None = None,
                 engine: Engine | None = None) -> dict[str, Any]:
    """One person's facts at d, from a register folder or a database, and the read logged."""
    why, now = checked_purpose(purpose), datetime.now()
    if folder is not None:
        from hukou.store.parquet_register import person_facts as from_folder

        facts = from_folder(folder, person_id, d)
        audit_file.append_entry(folder, now, reader(), "person.facts", str(person_id), why)
        return facts
    from hukou.store.database import person_facts as from_database

    with Session(engine) as session, session.begin():
        facts = from_database(session.connection(), person_id, d)
        append_entry(session, now, reader(), "person.facts", str(person_id), why)
    return facts


def export_tables(engine: Engine, names, purpose: str | None) -> dict:
    """The register's tables (names and ID numbers included), and the export logged with its purpose."""
    from hukou.store.database import read_tables

    why = checked_purpose(purpose)
    tables = read_tables(engine, names)
    with Session(engine) as session, session.begin():
        append_entry(session, datetime.now(), reader(), "register.export", f"people:{tables['people'].num_rows}", why)
    return tables

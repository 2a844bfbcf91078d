"""One unit of work: a transaction over the cases, the register, the notifications outbox, the
department tasks and the audit log together.

    with UnitOfWork(engine) as uow:
        case, row = uow.cases.get(case_id)
        …
        uow.log(at, who, "case.read", case_id, purpose)
        uow.commit()

Leaving the block without `commit()` (or with an exception) rolls everything back: an action, its
consequences in the register and its audit entry are written together or not at all.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from hukou.store.audit_log import append_entries
from hukou.store.case_repository import CaseRepository
from hukou.store.department_tasks import Tasks
from hukou.store.driver_sql import DriverSQL
from hukou.store.notifications_outbox import Outbox
from hukou.store.register_repository import RegisterRepository


class UnitOfWork:
    def __init__(self, engine: Engine):
        self.engine = engine

    def __enter__(self) -> "UnitOfWork":
        self.session = Session(self.engine)
        self.session.begin()
        self.cases = CaseRepository(self.session)
        self.register = RegisterRepository(self.session)
        self.outbox = Outbox(self.session)  # notifications owed by this unit of work's actions
        self.tasks = Tasks(self.session)  # department tasks its decisions hand over (hukou.linkage)
        self._entries: list[tuple] = []
        return self

    def log(self, at: datetime, who: str, what: str, subject: str, why: str) -> None:
        """An audit entry of this unit of work: written with its commit, in the same transaction."""
        self._entries.append((at, who, what, subject, why))

    def display_name(self, username: str) -> str | None:
        """An account's name (an applicant's: as on the ID card), by a plain statement (every submission asks)."""
        db = DriverSQL.of(self.session)
        row = db.one("SELECT display_name FROM users WHERE username = ?", (username,))
        return row[0] if row else None

    def commit(self) -> None:
        if self._entries:  # last, so the audit log's lock is held as briefly as can be
            # Everything the unit of work changed goes to the database first: on PostgreSQL the audit
            # entries' round trip ends with the COMMIT itself, and an ORM change flushed after it would
            # land in a second transaction, after the locks it needed were released.
            self.session.flush()
            append_entries(self.session, self._entries, commit=True)
            self._entries = []
        self.session.commit()

    def __exit__(self, *exc) -> None:
        if self.session.in_transaction():
            self.session.rollback()
        self.session.close()

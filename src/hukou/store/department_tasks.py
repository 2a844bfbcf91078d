"""Department tasks in the database (table `department_tasks`): written in the transaction of the
decision that makes them (`uow.tasks.add`, like the notifications outbox), listed for a department
(overdue first), read one at a time, and closed once (done or refused).

Adding is idempotent: a task already there for (case, action, task type, subject) is left as it is
(INSERT … ON CONFLICT DO NOTHING on SQLite and PostgreSQL alike). Closing updates only a task that is
still open, so of two completions at the same moment exactly one wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable

from sqlalchemy import case as sql_case, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from hukou.linkage.tasks import NewTask
from hukou.store import schema as S

T = S.DepartmentTask
OPEN, DONE, REFUSED = "open", "done", "refused"
STATUSES = (OPEN, DONE, REFUSED)


class Tasks:
    """The department tasks inside a unit of work (store/unit_of_work.py `uow.tasks`)."""

    def __init__(self, session: Session):
        self.session = session

    def add(self, tasks: Iterable[NewTask], at: datetime) -> None:
        rows = [{"case_id": t.case_id, "action_seq": t.action_seq, "task_type": t.task_type, "party": t.party,
                 "department": t.department, "clause": t.clause, "status": OPEN, "created_at": at, "due": t.due.due,
                 "fields": t.fields} for t in tasks]
        if not rows:
            return
        dialect = postgresql if self.session.get_bind().dialect.name == "postgresql" else sqlite
        self.session.execute(dialect.insert(T).values(rows).on_conflict_do_nothing(
            index_elements=["case_id", "action_seq", "task_type", "party"]))

    def page(self, department: str, today: date, status: str | None, task_type: str | None, page: int,
             size: int) -> tuple[list[S.DepartmentTask], int]:
        """One page of a department's tasks: open and overdue first, then open by due date, then closed,
        the latest closed first; and how many there are in all."""
        where = [T.department == department]
        if status:
            where.append(T.status == status)
        if task_type:
            where.append(T.task_type == task_type)
        order = (sql_case((T.status != OPEN, 2), (T.due < today, 0), else_=1), T.due, T.id)
        rows = self.session.scalars(select(T).where(*where).order_by(*order).offset((page - 1) * size).limit(size)).all()
        total = self.session.scalar(select(func.count()).select_from(T).where(*where)) or 0
        return list(rows), total

    def get(self, task_id: int) -> S.DepartmentTask | None:
        return self.session.get(T, task_id)

    def of_case(self, case_id: str) -> list[S.DepartmentTask]:
        return list(self.session.scalars(select(T).where(T.case_id == case_id).order_by(T.id)))

    def close(self, task_id: int, status: str, by: str, at: datetime, reference: str | None = None,
              document_sha256: str | None = None, refusal: str | None = None) -> bool:
        """Done or refused, if it is still open: False when someone closed it first."""
        done = self.session.execute(update(T).where(T.id == task_id, T.status == OPEN).values(
            status=status, closed_by=by, closed_at=at, reference=reference, document_sha256=document_sha256,
            refusal=refusal))
        return done.rowcount == 1

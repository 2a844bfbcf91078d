"""The department tasks' application services (plan §十–§十五): a department's inbox, one task, and
its completion or refusal, each one unit of work whose reads are logged with their purpose.

A department's account sees only its own department's tasks, and of each task only the fields its
type declares in the policy file (the purpose limit); another department's task is "no task" (404),
as a case one may not see is. A task is closed once: a second completion or refusal is 409 and
changes nothing. The station reads the tasks of its cases, refusals with their reasons, on the case
(services/casework.py). The web pages, the API and the command line all come through here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine

from hukou.cases.errors import CaseError
from hukou.cases.purposes import checked_purpose
from hukou.cases.viewer import Viewer
from hukou.i18n import Msg
from hukou.linkage.tasks import days_left
from hukou.policy.policy_file import Policy
from hukou.store import department_tasks as D
from hukou.store import schema as S
from hukou.store.unit_of_work import UnitOfWork

MAX_PAGE_SIZE = 100
MAX_REFERENCE, MAX_REASON = 60, 500
SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class TaskQuery:
    status: str | None = None  # open | done | refused; None: all
    task_type: str | None = None
    page: int = 1
    page_size: int = 50


@dataclass(frozen=True)
class TaskView:
    """A task as its department may see it: what it is, its status and deadline, and exactly its fields."""

    id: int
    task_type: str
    department: str
    title: dict[str, str]  # zh, en
    clause: str
    quote: str
    status: str
    created_at: datetime
    due: date
    days_left: int
    overdue: bool
    fields: dict[str, Any]
    closed_at: datetime | None = None
    closed_by: str | None = None
    reference: str | None = None
    document_sha256: str | None = None
    refusal: str | None = None


@dataclass(frozen=True)
class TaskPage:
    items: list[TaskView]
    total: int
    page: int
    page_size: int
    query: TaskQuery = field(default_factory=TaskQuery)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


class Linkage:
    def __init__(self, engine: Engine, policy: Policy):
        self.engine = engine
        self.policy = policy

    def inbox(self, viewer: Viewer, purpose: str | None, query: TaskQuery, today: date, now: datetime) -> TaskPage:
        """One page of the viewer's department's tasks, overdue first; the read is logged with the ids shown."""
        department, purpose = self._department(viewer), _purpose(viewer, purpose)
        query = self._checked(query)
        with UnitOfWork(self.engine) as uow:
            rows, total = uow.tasks.page(department, today, query.status, query.task_type, query.page, query.page_size)
            uow.log(now, viewer.username, "task.list", ",".join(str(r.id) for r in rows), purpose)
            views = [self._view(r, today) for r in rows]
            uow.commit()
        return TaskPage(views, total, query.page, query.page_size, query)

    def task(self, viewer: Viewer, task_id: Any, purpose: str | None, now: datetime) -> TaskView:
        """One task of the viewer's department, exactly its fields; the read is logged."""
        purpose = _purpose(viewer, purpose)
        with UnitOfWork(self.engine) as uow:
            row = self._own(uow, viewer, task_id)
            uow.log(now, viewer.username, "task.read", str(row.id), purpose)
            view = self._view(row, now.date())
            uow.commit()
        return view

    def complete(self, viewer: Viewer, task_id: Any, reference: Any, document_sha256: Any, now: datetime) -> TaskView:
        """Done, with the department's own reference number and, if given, the SHA-256 of its document."""
        if not isinstance(reference, str) or not 1 <= len(reference.strip()) <= MAX_REFERENCE:
            raise CaseError("reference", Msg("your department's reference number for it (1 to {max} characters)",
                                             max=MAX_REFERENCE))
        digest = document_sha256.strip().lower() if isinstance(document_sha256, str) and document_sha256.strip() else None
        if document_sha256 not in (None, "") and (digest is None or not SHA256.match(digest)):
            raise CaseError("document_sha256", Msg("the document's SHA-256: 64 hexadecimal characters"))
        return self._close(viewer, task_id, D.DONE, now, "task.done", reference.strip(),
                           reference=reference.strip(), document_sha256=digest)

    def refuse(self, viewer: Viewer, task_id: Any, reason: Any, now: datetime) -> TaskView:
        """Refused, with the reason the police station reads on the case."""
        if not isinstance(reason, str) or not 1 <= len(reason.strip()) <= MAX_REASON:
            raise CaseError("reason", Msg("say why (1 to {max} characters): the police station reads it",
                                          max=MAX_REASON))
        return self._close(viewer, task_id, D.REFUSED, now, "task.refused", reason.strip()[:200],
                           refusal=reason.strip())

    def _close(self, viewer: Viewer, task_id: Any, status: str, now: datetime, what: str, why: str,
               **evidence: Any) -> TaskView:
        with UnitOfWork(self.engine) as uow:
            row = self._own(uow, viewer, task_id)
            if row.status != D.OPEN or not uow.tasks.close(row.id, status, viewer.username, now, **evidence):
                raise CaseError("task", Msg("this task was closed already: nothing changed"), status=409)
            uow.log(now, viewer.username, what, str(row.id), why)
            uow.session.refresh(row)
            view = self._view(row, now.date())
            uow.commit()
        return view

    # --- what a department may see ------------------------------------------------------------------

    def _department(self, viewer: Viewer) -> str:
        if viewer.role != "department":
            raise CaseError("role", Msg("department tasks are read by the departments' accounts"), status=403)
        if not viewer.department:
            raise CaseError("department", Msg("your account names no department yet: ask the administrator to "
                                              "set it"), status=403)
        return viewer.department

    def _own(self, uow: UnitOfWork, viewer: Viewer, task_id: Any) -> S.DepartmentTask:
        """The task, when it is the viewer's department's; otherwise 'no task', as if it did not exist."""
        department = self._department(viewer)
        number = int(task_id) if isinstance(task_id, int) or (isinstance(task_id, str) and task_id.isdigit()
                                                              and len(task_id) < 12) else None
        row = uow.tasks.get(number) if number is not None else None
        if row is None or row.department != department:
            raise CaseError("task", Msg("no task {task}", task=str(task_id)[:20]), status=404)
        return row

    def _checked(self, query: TaskQuery) -> TaskQuery:
        if query.status is not None and query.status not in D.STATUSES:
            raise CaseError("status", Msg("expected one of {choices}", choices=", ".join(D.STATUSES)))
        if query.task_type is not None and query.task_type not in self.policy.tasks:
            raise CaseError("task_type", Msg("expected one of {choices}", choices=", ".join(self.policy.tasks)))
        if not 1 <= query.page_size <= MAX_PAGE_SIZE or query.page < 1:
            raise CaseError("page_size", Msg("at most {max} per page", max=MAX_PAGE_SIZE))
        return query

    def _view(self, row: S.DepartmentTask, today: date) -> TaskView:
        kind = self.policy.tasks.get(row.task_type)
        declared = kind.fields if kind is not None else []  # a type the policy no longer has shows nothing
        stored = row.fields or {}
        return TaskView(row.id, row.task_type, row.department,
                        {"zh": kind.title.zh, "en": kind.title.en} if kind else {"zh": row.task_type, "en": row.task_type},
                        row.clause, kind.cite.quote if kind else "", row.status, row.created_at, row.due,
                        days_left(row.due, today), row.status == D.OPEN and row.due < today,
                        {name: stored[name] for name in declared if name in stored},
                        row.closed_at, row.closed_by, row.reference, row.document_sha256, row.refusal)


def _purpose(viewer: Viewer, purpose: str | None) -> str:
    """A department reads for one purpose (`task`), given or not."""
    return checked_purpose(viewer.role, purpose or ("task" if viewer.role == "department" else None))


@dataclass(frozen=True)
class TaskSummary:
    """A case's task as the police station sees it on the case: which department, what, its status, and
    a refusal's reason (never the department's other work)."""

    task_type: str
    title: dict[str, str]
    department: dict[str, str]  # zh, en
    party: str
    status: str
    due: date
    refusal: str | None


def summaries(policy: Policy, rows: list[S.DepartmentTask]) -> list[TaskSummary]:
    out = []
    for r in rows:
        kind, dept = policy.tasks.get(r.task_type), policy.departments.get(r.department)
        out.append(TaskSummary(r.task_type, {"zh": kind.title.zh, "en": kind.title.en} if kind else
                               {"zh": r.task_type, "en": r.task_type},
                               {"zh": dept.name.zh, "en": dept.name.en} if dept else {"zh": r.department, "en": r.department},
                               r.party, r.status, r.due, r.refusal))
    return out

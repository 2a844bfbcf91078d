"""Department tasks over the API (plan §十–§十五): a department's account lists its tasks, reads one,
and reports it done (its own reference number, a document's SHA-256) or refused (with a reason).

Thin handlers over `services.linkage`, with the same bearer tokens as the applications. A task of
another department is 404, a task already closed is 409, and nothing changes. Each task shows
exactly the fields its type declares in the policy file (`fields`), nothing else about the person.
Reads are logged with the purpose `task` (the `X-Purpose` header may say so; it is the only one).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal, Optional, Union

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from hukou.api.applications import Purpose, current_viewer
from hukou.cases.viewer import Viewer
from hukou.services.linkage import MAX_PAGE_SIZE, Linkage, TaskQuery, TaskView

router = APIRouter(prefix="/api/v1")
TAGS = ["department tasks"]
TaskId = Path(ge=1, le=10**11, description="The task's number, as the list gives it")


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TaskOut(_Out):
    id: int
    task_type: str
    department: str
    title_zh: str
    title_en: str
    clause: str = Field(description="The clause of the city's plan the task carries out")
    status: Literal["open", "done", "refused"]
    created_at: datetime
    due: date
    days_left: int = Field(description="Calendar days to the due date (negative: overdue)")
    overdue: bool
    fields: dict[str, Union[str, int, None]] = Field(
        description="Exactly the fields the task type declares, by name (docs/linkage.md); null where not known")
    closed_at: Optional[datetime] = None
    closed_by: Optional[str] = None
    reference: Optional[str] = None
    document_sha256: Optional[str] = None
    refusal: Optional[str] = None


class TaskListOut(_Out):
    items: list[TaskOut]
    total: int
    page: int
    page_size: int


class CompleteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reference: str = Field(min_length=1, max_length=60, description="Your department's own reference number")
    document_sha256: Optional[str] = Field(None, max_length=64, description="SHA-256 of your document, 64 hex")


class RefuseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=500, description="Why: the police station reads it on the case")


def _linkage(request: Request) -> Linkage:
    state = request.app.state
    if getattr(state, "linkage", None) is None:
        casework = state.casework()
        state.linkage = Linkage(casework.engine, casework.policy)
    return state.linkage


def task_out(v: TaskView) -> TaskOut:
    return TaskOut(id=v.id, task_type=v.task_type, department=v.department, title_zh=v.title["zh"],
                   title_en=v.title["en"], clause=v.clause, status=v.status, created_at=v.created_at, due=v.due,
                   days_left=v.days_left, overdue=v.overdue, fields=v.fields, closed_at=v.closed_at,
                   closed_by=v.closed_by, reference=v.reference, document_sha256=v.document_sha256, refusal=v.refusal)


@router.get("/tasks", tags=TAGS, summary="Your department's tasks, overdue first (the read is logged)",
            operation_id="list_tasks", response_model=TaskListOut)
def list_tasks(request: Request, viewer: Viewer = Depends(current_viewer),
               status: Optional[Literal["open", "done", "refused"]] = Query(None, description="Only tasks of this status"),
               task_type: Optional[str] = Query(None, max_length=40, description="Only tasks of this type"),
               page: int = Query(1, ge=1, le=100_000),
               page_size: int = Query(50, ge=1, le=MAX_PAGE_SIZE),
               purpose: Optional[str] = Purpose) -> TaskListOut:
    now = datetime.now()
    found = _linkage(request).inbox(viewer, purpose, TaskQuery(status, task_type, page, page_size), now.date(), now)
    return TaskListOut(items=[task_out(v) for v in found.items], total=found.total, page=found.page,
                       page_size=found.page_size)


@router.get("/tasks/{task_id}", tags=TAGS, summary="Read one task: exactly its fields (the read is logged)",
            operation_id="read_task", response_model=TaskOut)
def read_task(request: Request, task_id: int = TaskId, viewer: Viewer = Depends(current_viewer),
              purpose: Optional[str] = Purpose) -> TaskOut:
    return task_out(_linkage(request).task(viewer, task_id, purpose, datetime.now()))


@router.post("/tasks/{task_id}/complete", tags=TAGS, summary="Report a task done, with your evidence",
             operation_id="complete_task", response_model=TaskOut)
def complete_task(request: Request, body: CompleteIn, task_id: int = TaskId,
                  viewer: Viewer = Depends(current_viewer)) -> TaskOut:
    return task_out(_linkage(request).complete(viewer, task_id, body.reference, body.document_sha256, datetime.now()))


@router.post("/tasks/{task_id}/refuse", tags=TAGS, summary="Refuse a task, with the reason",
             operation_id="refuse_task", response_model=TaskOut)
def refuse_task(request: Request, body: RefuseIn, task_id: int = TaskId,
                viewer: Viewer = Depends(current_viewer)) -> TaskOut:
    return task_out(_linkage(request).refuse(viewer, task_id, body.reason, datetime.now()))

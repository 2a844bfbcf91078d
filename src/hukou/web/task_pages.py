"""The departments' inbox (plan §十–§十五): a department's tasks, overdue first, with filters and
pages; a task's page with exactly the fields its type declares; and the forms that report it done
(with the department's reference number and a document's SHA-256) or refuse it (with a reason the
police station reads on the case).

Every read and every change goes through `services.linkage`, which logs each read with its purpose
(`task`) and refuses another department's task as "no task" (404).
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from hukou.cases.errors import CaseError
from hukou.policy.errors import InputError
from hukou.services.linkage import Linkage, TaskQuery
from hukou.store.department_tasks import STATUSES
from hukou.web import session as S
from hukou.web.i18n import text
from hukou.web.refusals import refusal
from hukou.web.render import casework, lang_of, message, policy_of, posted, redirect, render, sign_in_first

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50


def linkage(request: Request) -> Linkage:
    state = request.app.state
    if getattr(state, "linkage", None) is None:
        cw = casework(request)
        state.linkage = Linkage(cw.engine, cw.policy)
    return state.linkage


@router.get("/tasks", response_class=HTMLResponse)
def task_list(request: Request, status: str = "open", task_type: str = "", page: str = "1"):
    viewer = S.viewer(request)
    if viewer is None:
        return sign_in_first(request)
    lang, now = lang_of(request), datetime.now()
    number = int(page) if page.isdigit() and len(page) < 7 else 1
    query = TaskQuery(status if status in STATUSES else None, task_type or None, max(number, 1), PAGE_SIZE)
    try:
        found = linkage(request).inbox(viewer, "task", query, now.date(), now)
    except (CaseError, InputError) as exc:
        _, said, code = refusal(exc, lang)
        return message(request, viewer, code, text("tasks_title", lang), said, "/")
    asked = {"status": status if status in STATUSES else "all", "task_type": task_type}
    pages = [(n, "/tasks?" + urlencode({**asked, "page": n})) for n in range(1, found.pages + 1)] if found.pages > 1 else []
    policy = policy_of(request)
    return render(request, "tasks.html", viewer=viewer, found=found, asked=asked, pages=pages, statuses=STATUSES,
                  task_types=policy.tasks, department=policy.departments.get(viewer.department or ""))


def _task_page(request: Request, viewer, task_id: str, status: int = 200, **ctx) -> Response:
    lang = lang_of(request)
    try:
        task = linkage(request).task(viewer, task_id, "task", datetime.now())
    except (CaseError, InputError) as exc:
        _, said, code = refusal(exc, lang)
        return message(request, viewer, code, text("task_title", lang), said, "/tasks")
    return render(request, "task.html", status, viewer, task=task, **ctx)


@router.get("/tasks/{task_id}", response_class=HTMLResponse)
def task_page(request: Request, task_id: str, done: str = ""):
    viewer = S.viewer(request)
    if viewer is None:
        return sign_in_first(request)
    lang = lang_of(request)
    notice = text("task_done_" + done, lang) if done in ("done", "refused") else ""
    return _task_page(request, viewer, task_id, notice=notice)


@posted(router, "/tasks/{task_id}/close")
def close_task(request: Request, form, task_id: str) -> Response:
    viewer = S.viewer(request)
    if viewer is None:
        return sign_in_first(request)
    lang = lang_of(request)
    try:
        S.check_csrf(request, form.get("csrf"))
    except S.CsrfError:
        return message(request, viewer, 403, text("task_title", lang), text("csrf_expired", lang), f"/tasks/{task_id}")
    outcome = str(form.get("outcome", ""))
    try:
        if outcome == "done":
            linkage(request).complete(viewer, task_id, str(form.get("reference", "")),
                                      str(form.get("document_sha256", "")), datetime.now())
        elif outcome == "refused":
            linkage(request).refuse(viewer, task_id, str(form.get("reason", "")), datetime.now())
        else:
            return message(request, viewer, 422, text("task_title", lang), text("task_choose", lang), f"/tasks/{task_id}")
    except (CaseError, InputError) as exc:
        field, said, status = refusal(exc, lang)
        if status == 404:
            return message(request, viewer, 404, text("task_title", lang), said, "/tasks")
        return _task_page(request, viewer, task_id, status, error=said, field_errors={field: said}, failed=outcome,
                          form={k: str(v) for k, v in form.items() if k != "csrf"})
    return redirect(f"/tasks/{task_id}?done={outcome}")

"""The casework pages: the purpose of a read, the queue, a case and the actions on it, and the report
of decisions against the rules' verdict.

Every read goes through the casework services with the purpose the reader chose (officers and
auditors choose one once per session; applicants are not asked), and is logged there. What a page
shows of a case is what the service's `CaseView` holds for that reader: a follower sees only what
their consent needs. The forms send what each action type takes (`cases.actions`); the service
decides everything else and refuses what is not allowed, and the page shows the refusal beside the
form it came from.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hukou.cases.access import JURISDICTION_ROLES
from hukou.cases.errors import CaseError
from hukou.cases.purposes import purposes_of
from hukou.cases.viewer import Viewer
from hukou.policy.errors import InputError
from hukou.registry.divisions import township_names
from hukou.web import session as S
from hukou.web.case_view import action_data, case_context
from hukou.web.i18n import text
from hukou.web.refusals import refusal
from hukou.web.render import casework, lang_of, message, posted, redirect, render, safe_next, sign_in_first

router = APIRouter(include_in_schema=False)
# actions that decide or end a case: the page asks the officer (or applicant) to tick a confirmation first
DECISIVE = frozenset({"approved", "rejected", "registered", "cancelled", "withdrawn"})
CASE_READERS = JURISDICTION_ROLES | {"auditor"}  # the report links its cases for them (cases.access decides)


def _ask_purpose(then: str) -> RedirectResponse:
    return redirect(f"/purpose?next={quote(then)}")


def _purpose_label(request: Request, viewer: Viewer) -> str:
    chosen = purposes_of(viewer.role).get(S.purpose(request) or "")
    return chosen[0 if lang_of(request) == "zh" else 1] if chosen else ""


def _refused(request: Request, viewer: Viewer, exc: CaseError | InputError, heading: str, then: str) -> Response:
    """A refused read: the purpose page when the reader has not said why, else the message."""
    if isinstance(exc, CaseError) and exc.field == "purpose":
        return _ask_purpose(then)
    _, said, status = refusal(exc, lang_of(request))
    return message(request, viewer, status, heading, said, "/cases")


# --- the purpose of a read -------------------------------------------------------------------------

def _purpose_page(request: Request, viewer: Viewer, then: str, status: int = 200, error: str = "") -> HTMLResponse:
    lang = lang_of(request)
    options = [(code, pair[0 if lang == "zh" else 1]) for code, pair in purposes_of(viewer.role).items()]
    return render(request, "purpose.html", status, viewer, options=options, next=then,
                  form={"purpose": S.purpose(request) or ""}, error=error)


@router.get("/purpose", response_class=HTMLResponse)
def purpose_form(request: Request, next: str = ""):
    viewer = S.viewer(request)
    if viewer is None:
        return sign_in_first(request)
    return _purpose_page(request, viewer, safe_next(next) or "/cases")


@posted(router, "/purpose")
def choose_purpose(request: Request, form) -> Response:
    viewer = S.viewer(request)
    if viewer is None:
        return sign_in_first(request)
    lang = lang_of(request)
    then = safe_next(form.get("next")) or "/cases"
    try:
        S.check_csrf(request, form.get("csrf"))
    except S.CsrfError:
        return _purpose_page(request, viewer, then, 403, text("csrf_expired", lang))
    code = str(form.get("purpose", ""))
    if code not in purposes_of(viewer.role):  # the service checks it again on every read
        return _purpose_page(request, viewer, then, 422, text("choose_purpose", lang))
    response = redirect(then)
    S.remember_purpose(request, response, code)
    return response


# --- the queue -------------------------------------------------------------------------------------

@router.get("/cases", response_class=HTMLResponse)
def case_list(request: Request):
    viewer = S.viewer(request)
    if viewer is None:
        return sign_in_first(request)
    lang = lang_of(request)
    now = datetime.now()
    heading = text("nav_my_cases" if viewer.role == "applicant" else "nav_queue", lang)
    try:
        items = casework(request).queue(viewer, S.purpose(request), now.date(), now)
    except (CaseError, InputError) as exc:
        return _refused(request, viewer, exc, heading, "/cases")
    return render(request, "cases.html", viewer=viewer, items=items, heading=heading,
                  overdue_count=sum(1 for i in items if i.overdue), township_names=township_names(),
                  purpose=_purpose_label(request, viewer))


# --- a case ----------------------------------------------------------------------------------------

def _case_page(request: Request, viewer: Viewer, case_id: str, status: int = 200, **ctx: Any) -> Response:
    lang = lang_of(request)
    cw = casework(request)
    now = datetime.now()
    try:
        view = cw.read(viewer, case_id, S.purpose(request), now)
    except (CaseError, InputError) as exc:
        return _refused(request, viewer, exc, text("case", lang), f"/cases/{case_id}")
    places = {code: name for code, name, _ in cw.places(view.township)} if view.registered and view.township else {}
    return render(request, "case.html", status, viewer, **case_context(view, viewer, lang, now.date(), places),
                  township_names=township_names(), purpose=_purpose_label(request, viewer), decisive=DECISIVE, **ctx)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, case_id: str, submitted: int = 0):
    viewer = S.viewer(request)
    if viewer is None:
        return sign_in_first(request)
    return _case_page(request, viewer, case_id, notice=text("submitted_notice", lang_of(request)) if submitted else "")


def _version(form) -> Any:
    value = str(form.get("expected_version", ""))
    return int(value) if value.isdigit() else value  # not a number: the service says so


@posted(router, "/cases/{case_id}/act")
def act(request: Request, form, case_id: str) -> Response:
    viewer = S.viewer(request)
    if viewer is None:
        return sign_in_first(request)
    lang = lang_of(request)
    try:
        S.check_csrf(request, form.get("csrf"))
    except S.CsrfError:
        return message(request, viewer, 403, text("case", lang), text("csrf_expired", lang), f"/cases/{case_id}")
    type_ = str(form.get("type", ""))
    if type_ in DECISIVE and form.get("confirm") != "on":  # a page's confirmation, before anything is asked of casework
        said = text("confirm_needed", lang)
        posted_values = {k: str(v) for k, v in form.items() if k not in ("csrf", "expected_version")}
        return _case_page(request, viewer, case_id, 422, error=said, failed_type=type_, failed_message=said,
                          field_errors={"confirm": said}, form=posted_values)
    try:
        casework(request).act(viewer, case_id, type_, action_data(type_, form), _version(form), datetime.now())
    except (CaseError, InputError) as exc:
        field, said, status = refusal(exc, lang)
        if status == 404:
            return message(request, viewer, 404, text("case", lang), said, "/cases")
        posted_values = {k: str(v) for k, v in form.items() if k not in ("csrf", "expected_version")}
        return _case_page(request, viewer, case_id, status, error=said, failed_type=type_, failed_message=said,
                          field_errors={field: said}, form=posted_values)
    return redirect(f"/cases/{case_id}")


# --- oversight -------------------------------------------------------------------------------------

@router.get("/reports/overrides", response_class=HTMLResponse)
def overrides_report(request: Request):
    """Decisions against the rules' verdict (approvals and rejections), for those who oversee casework."""
    viewer = S.viewer(request)
    if viewer is None:
        return sign_in_first(request)
    lang = lang_of(request)
    try:
        items = casework(request).overrides(viewer, S.purpose(request), datetime.now())
    except (CaseError, InputError) as exc:
        return _refused(request, viewer, exc, text("report_overrides", lang), "/reports/overrides")
    return render(request, "report.html", viewer=viewer, items=items, township_names=township_names(),
                  purpose=_purpose_label(request, viewer), reads_cases=viewer.role in CASE_READERS)


@router.get("/reports/overridden-rejections")
def old_report_path():
    return RedirectResponse("/reports/overrides", status_code=301)

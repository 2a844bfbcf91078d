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
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hukou.cases import case as C
from hukou.cases.access import FULL, JURISDICTION_ROLES
from hukou.cases.errors import CaseError
from hukou.cases.parties import APPLICANT
from hukou.cases.purposes import purposes_of
from hukou.cases.queue_columns import OPEN_STATUSES
from hukou.cases.queue_query import SORTS, QueueQuery
from hukou.cases.viewer import Viewer
from hukou.guide.sheet import build_guide
from hukou.policy.errors import InputError
from hukou.registry.divisions import township_names
from hukou.services.casework import CaseView
from hukou.web import guide_pages
from hukou.web import session as S
from hukou.web.case_facts import facts_table
from hukou.web.case_view import action_data, case_context
from hukou.web.i18n import text
from hukou.web.officer_verdict import officer_verdict
from hukou.web.refusals import refusal
from hukou.web.render import (
    casework,
    lang_of,
    message,
    policy_of,
    posted,
    redirect,
    refused_read,
    render,
    safe_next,
    sign_in_first,
)

router = APIRouter(include_in_schema=False)
# actions that decide or end a case: the page asks the officer (or applicant) to tick a confirmation first
DECISIVE = frozenset({"approved", "rejected", "registered", "cancelled", "withdrawn"})
CASE_READERS = JURISDICTION_ROLES | {"auditor"}  # the report links its cases for them (cases.access decides)


def _purpose_label(request: Request, viewer: Viewer) -> str:
    chosen = purposes_of(viewer.role).get(S.purpose(request) or "")
    return chosen[0 if lang_of(request) == "zh" else 1] if chosen else ""


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

QUEUE_PAGE_SIZE = 50
QUEUE_FILTERS = ("q", "kind", "status", "township", "overdue", "scope", "sort")  # a bookmarkable GET form


@router.get("/cases", response_class=HTMLResponse)
def case_list(request: Request):
    """The queue (an officer's: search, filters, sort and pages in the address) or an applicant's own list."""
    viewer = S.viewer(request)
    if viewer is None:
        return sign_in_first(request)
    lang = lang_of(request)
    now = datetime.now()
    heading = text("nav_my_cases" if viewer.role == "applicant" else "nav_queue", lang)
    asked = {k: str(request.query_params.get(k, "")).strip() for k in QUEUE_FILTERS}
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    try:
        found = casework(request).queue_page(viewer, S.purpose(request), _queue_query(viewer, asked, request),
                                             now.date(), now)
    except (CaseError, InputError) as exc:
        return refused_read(request, viewer, exc, heading, "/cases")
    return render(request, "cases.html", viewer=viewer, found=found, items=found.items, heading=heading, here=here,
                  asked=asked, filters=_filter_choices(viewer), pages=_page_links(asked, found),
                  mine_default=_waiting_by_default(viewer), overdue_link=_queue_url({**asked, "overdue": "1"}),
                  first_page=_queue_url(asked), filtered=any(asked.values()), id_hint=_short_id_number(asked["q"]),
                  township_names=township_names(),
                  purpose=_purpose_label(request, viewer))


def _waiting_by_default(viewer: Viewer) -> bool:
    """A county approver's queue opens on the cases sent up to them, not those still at the station."""
    return viewer.role == "county_approver"


def _queue_query(viewer: Viewer, asked: dict[str, str], request: Request) -> QueueQuery:
    """The query the address asks for; the service checks every value (an unknown one is refused)."""
    page = str(request.query_params.get("page", "1"))
    scope = asked["scope"] or ("mine" if _waiting_by_default(viewer) else "all")
    return QueueQuery(kind=asked["kind"] or None, status=asked["status"] or None, township=asked["township"] or None,
                      overdue=asked["overdue"] == "1", waiting=scope == "mine", search=asked["q"],
                      sort=asked["sort"] or "due", page=int(page) if page.isdigit() and len(page) < 7 else 1,
                      page_size=QUEUE_PAGE_SIZE)


def _filter_choices(viewer: Viewer) -> dict[str, Any]:
    """Which filters the form offers this viewer: an applicant none; a station no township (it has one)."""
    officer = viewer.role in CASE_READERS
    return {"shown": officer, "townships": officer and (viewer.role == "auditor" or viewer.city_wide),
            "scope": viewer.role in JURISDICTION_ROLES, "kinds": C.KINDS,
            "statuses": OPEN_STATUSES, "sorts": SORTS}


def _short_id_number(search: str) -> bool:
    """A search of digits too short for an ID number (the page then says it has 18 characters)."""
    compact = search.replace(" ", "").upper()
    return bool(compact) and len(compact) < 18 and compact.rstrip("X").isdigit()


def _queue_url(asked: dict[str, str], page: int = 1) -> str:
    params = {k: v for k, v in asked.items() if v}
    if page > 1:
        params["page"] = str(page)
    return "/cases" + (f"?{urlencode(params)}" if params else "")


def _page_links(asked: dict[str, str], found) -> list[tuple[str, int | None, str]]:
    """(what, page, url): the previous page, the first, a few around this one, the last, the next;
    a gap is (gap, None, "")."""
    if found.pages <= 1 or found.page > found.pages:  # past the last page: the page links to the first
        return []
    now, last = found.page, found.pages
    near = sorted({1, last, *range(max(1, now - 2), min(last, now + 2) + 1)})
    links: list[tuple[str, int | None, str]] = []
    if now > 1:
        links.append(("prev", now - 1, _queue_url(asked, now - 1)))
    for i, n in enumerate(near):
        if i and n - near[i - 1] > 1:
            links.append(("gap", None, ""))
        links.append(("current" if n == now else "page", n, _queue_url(asked, n)))
    if now < last:
        links.append(("next", now + 1, _queue_url(asked, now + 1)))
    return links


# --- a case ----------------------------------------------------------------------------------------

def _case_page(request: Request, viewer: Viewer, case_id: str, status: int = 200, **ctx: Any) -> Response:
    lang = lang_of(request)
    cw = casework(request)
    now = datetime.now()
    try:
        view = cw.read(viewer, case_id, S.purpose(request), now)
    except (CaseError, InputError) as exc:
        return refused_read(request, viewer, exc, text("case", lang), f"/cases/{case_id}")
    places = {code: name for code, name, _ in cw.places(view.township)} if view.registered and view.township else {}
    return render(request, "case.html", status, viewer, **case_context(view, viewer, lang, now.date(), places),
                  township_names=township_names(), purpose=_purpose_label(request, viewer), decisive=DECISIVE,
                  **_for_officers(request, view, viewer, lang),
                  **guide_pages.guide_context(guide_pages.case_guide(request, view, viewer)), **ctx)


def _for_officers(request: Request, view: CaseView, viewer: Viewer, lang: str) -> dict[str, Any]:
    """What only officers read: the facts beside the register's, the verdict in the third person, and
    the materials to check at the counter."""
    if viewer.role == "applicant" or view.disclosure != FULL:
        return {"fact_rows": None, "officer_verdict": None, "checklist": None}
    ov = officer_verdict(view.case.kind, view.verdict, lang) if view.verdict else None
    if viewer.role not in C.OFFICERS:  # an auditor reads the verdict, not the register beside the case
        return {"fact_rows": None, "officer_verdict": ov, "checklist": None}
    rows = facts_table(view.given_facts, view.register_facts, policy_of(request).city.code, lang, view.place_names)
    return {"fact_rows": rows, "officer_verdict": ov, "checklist": _checklist(request, view, lang)}


def _checklist(request: Request, view: CaseView, lang: str) -> dict[str, Any]:
    """The materials the answer rests on (the service guide's, when the rules find the person eligible
    and the city has a guide file), else what the verdict still misses."""
    guide = None
    if view.verdict is not None:
        followers = [p.relation for p in view.parties if p.key != APPLICANT]
        guide = build_guide(view.case.kind, view.verdict, policy_of(request), guide_pages.guide_file(request),
                            view.township, followers, view.verdict_date)
    if guide is not None and guide.materials and not view.state.finished:
        return {"relied": True, "items": [((m.name.zh if lang == "zh" else m.name.en),
                                           (m.note.zh if lang == "zh" else m.note.en) if m.note else "")
                                          for m in guide.materials]}
    if view.state.status not in C.BEFORE_DECISION:  # what is still missing matters until the decision
        return {"relied": False, "items": []}
    said = (lambda m: text("s_" + m, lang) if text("s_" + m, lang) != "s_" + m else m)
    return {"relied": False, "items": [(said(m), "") for m in view.suggested_materials]}


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, case_id: str, submitted: int = 0, done: str = ""):
    viewer = S.viewer(request)
    if viewer is None:
        return sign_in_first(request)
    lang = lang_of(request)
    notice = text("submitted_notice", lang) if submitted else text("done_" + done, lang) if done in C.ACTION_TYPES else ""
    return _case_page(request, viewer, case_id, notice=notice)


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
    return redirect(f"/cases/{case_id}?done={type_}")  # the page then says what was done


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
        return refused_read(request, viewer, exc, text("report_overrides", lang), "/reports/overrides")
    return render(request, "report.html", viewer=viewer, items=items, township_names=township_names(),
                  purpose=_purpose_label(request, viewer), reads_cases=viewer.role in CASE_READERS)


@router.get("/reports/overridden-rejections")
def old_report_path():
    return RedirectResponse("/reports/overrides", status_code=301)

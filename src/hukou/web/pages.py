"""The web pages: server-rendered, Chinese by default with an English switch, usable on a phone.

Applicants: a self-check that explains the verdict and asks the missing questions, then apply and
follow the case. Officers: a queue ordered by deadline, the case with the rule engine's explanation
and its history, and the actions they may take. Every form that changes something carries a CSRF
token; every page showing a case logs the read (who, when, why).
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from hukou.cases import case as C
from hukou.cases.access import OVERSIGHT, Viewer, may_see
from hukou.cases.deadlines import case_deadline, working_days_of
from hukou.cases.rejection import grounds, verdict_part
from hukou.policies import load
from hukou.policy.errors import InputError
from hukou.policy.facts import HOUSING_KINDS, parse_date
from hukou.policy.labels import KEY_GROUP_NAMES, WORDS
from hukou.policy.residence_permit import ENTITLEMENTS
from hukou.policy.verdict import check
from hukou.registry.divisions import changji_townships, township_names
from hukou.store.lookups import person_by_id_number, places_of
from hukou.store.users import authenticate, display_name, issue_token
from hukou.web import session as S
from hukou.web.facts_form import ROWS, SECTIONS, facts_from_form, form_field
from hukou.web.i18n import LANGS, text

router = APIRouter(include_in_schema=False)
ENV = Environment(loader=PackageLoader("hukou", "templates/web"), autoescape=select_autoescape(["html"]),
                  trim_blocks=True, lstrip_blocks=True)
CONSENT_KINDS = frozenset({"settlement", "student_move", "graduate_move"})  # a hukou moves: the person consents


def _lang(request: Request) -> str:
    lang = request.query_params.get("lang") or request.cookies.get(S.LANG_COOKIE) or "zh"
    return lang if lang in LANGS else "zh"


def _store(request: Request):
    return request.app.state.case_store()


def _policy(request: Request):
    return load(request.app.state.policy)


def render(request: Request, template: str, status: int = 200, viewer: Viewer | None = None, **ctx: Any) -> HTMLResponse:
    lang = _lang(request)
    token = S.session_token(request)
    base = {
        "lang": lang, "t": lambda key: text(key, lang), "w": WORDS[lang], "key_group_names": KEY_GROUP_NAMES,
        "entitlements": ENTITLEMENTS, "viewer": viewer, "oversight": OVERSIGHT, "here": request.url.path, "policy": _policy(request),
        "csrf": S.csrf_token(token) if token and viewer else "", "form": {}, "field_errors": {},
        "viewer_name": display_name(_store(request).engine, viewer.username) if viewer else "",
        "item_name": lambda item: text("s_" + item, lang) if text("s_" + item, lang) != "s_" + item else item,
    }
    html = ENV.get_template(template).render({**base, **ctx})
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


def _message(request: Request, viewer: Viewer | None, status: int, heading: str, message: str, back: str = "/"):
    return render(request, "message.html", status, viewer, heading=heading, message=message, back=back)


def _safe_next(target: str | None) -> str:
    """Only a path on this site: no open redirect (browsers read "/\\host" as "//host")."""
    return target if target and target.startswith("/") and not target.startswith(("//", "/\\")) else ""


def posted(path: str):
    """A page that takes a form: the form is read on the event loop, and the work (database, password
    hashing) runs on a worker thread, so one slow request does not hold up the others."""
    def register(handler):
        async def endpoint(request: Request):
            form = await request.form()
            return await run_in_threadpool(handler, request, form, **request.path_params)

        endpoint.__name__ = handler.__name__
        router.add_api_route(path, endpoint, methods=["POST"], response_class=HTMLResponse)
        return handler
    return register


def _redirect(to: str) -> RedirectResponse:
    return RedirectResponse(to, status_code=303)


def _sign_in_first(request: Request) -> RedirectResponse:
    return _redirect(f"/login?next={quote(request.url.path)}")


@router.get("/", response_class=HTMLResponse)
def home(request: Request):
    return render(request, "home.html", viewer=S.viewer(request))


@router.get("/lang/{code}")
def switch_language(code: str, request: Request, next: str = "/"):
    response = _redirect(_safe_next(next) or "/")
    if code in LANGS:
        response.set_cookie(S.LANG_COOKIE, code, max_age=365 * 86400, samesite="lax")
    return response


# --- sign-in ---------------------------------------------------------------------------------------

def _login_page(request: Request, status: int = 200, error: str = "", **ctx: Any) -> HTMLResponse:
    value = S.login_csrf(request)
    response = render(request, "login.html", status, None, login_csrf=value, error=error,
                      next=ctx.pop("next", "") or "", username=ctx.pop("username", ""), **ctx)
    S.set_login_csrf(request, response, value)
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = ""):
    return _login_page(request, next=_safe_next(next))


@posted("/login")
def login(request: Request, form) -> Response:
    lang = _lang(request)
    try:
        S.check_login_csrf(request, form.get("csrf"))
    except S.CsrfError:
        return _login_page(request, 403, text("csrf_expired", lang), next=_safe_next(form.get("next")))
    username, password = str(form.get("username", "")).strip(), str(form.get("password", ""))
    viewer = authenticate(_store(request).engine, username, password) if username and password else None
    if viewer is None:
        return _login_page(request, 401, text("wrong_login", lang), next=_safe_next(form.get("next")),
                           username=username, facts_json=form.get("facts", ""), date=form.get("date", ""))
    token = issue_token(_store(request).engine, viewer, datetime.now())
    if form.get("facts"):  # signed in on the way to applying: go on to the application form
        response = _apply_page(request, viewer, str(form["facts"]), str(form.get("date", "")), token=token)
    else:
        response = _redirect(_safe_next(form.get("next")) or ("/check" if viewer.role == "applicant" else "/cases"))
    S.start(request, response, token)
    return response


@posted("/logout")
def logout(request: Request, form) -> Response:
    try:
        S.check_csrf(request, form.get("csrf"))
    except S.CsrfError:
        return _redirect("/")
    response = _redirect("/")
    S.end(request, response)
    return response


# --- self-check ------------------------------------------------------------------------------------

def _options(lang: str, form: dict[str, str] | None = None) -> dict[str, Any]:
    form = form or {}

    def filled(section: str, i: int) -> bool:  # a repeated row with an answer stays unfolded
        prefix = f"{section}.{i}"
        return any(v for k, v in form.items() if k == prefix or k.startswith(prefix + "."))

    return {
        "rows": ROWS, "sections": SECTIONS, "filled": filled,
        "township_options": [("", text("choose", lang))] + [(t.code, t.name) for t in changji_townships()],
        "housing_options": [("", text("unknown", lang))] + [(k, text("housing_" + k, lang)) for k in HOUSING_KINDS],
        "level_options": [("", "")] + [(k, text("level_" + k, lang))
                                       for k in ("vocational", "associate", "bachelor", "master", "doctor")],
        "qualification_options": [("", "")] + [(k, text("qualification_" + k, lang))
                                               for k in ("skill_certificate", "vocational_qualification")],
    }


@router.get("/check", response_class=HTMLResponse)
def check_form(request: Request):
    viewer = S.viewer(request)
    return render(request, "check.html", viewer=viewer, verdict=None, missing=[], shown=set(),
                  form={"date": date.today().isoformat()}, **_options(_lang(request)))


@posted("/check")
def check_submit(request: Request, form) -> Response:
    viewer = S.viewer(request)
    lang = _lang(request)
    form = {k: str(v) for k, v in form.items()}
    facts, answered = facts_from_form(form)
    ctx: dict[str, Any] = {"form": form, "verdict": None, "missing": [], "shown": set(answered), **_options(lang, form)}
    try:
        d = parse_date(form.get("date") or date.today().isoformat())
    except ValueError as exc:
        return render(request, "check.html", 422, viewer, field_errors={"date": str(exc)}, error=text("fix_fields", lang), **ctx)
    try:
        verdict = check(facts, d, _policy(request))
    except InputError as exc:
        field = form_field(exc.path) or "date"
        return render(request, "check.html", 422, viewer, field_errors={field: exc.message},
                      error=f"{text('fix_fields', lang)} {exc.message}", **ctx)
    asked = set(verdict["settlement"]["missing"]) | set(verdict["residence_permit"]["missing"])
    missing = [s for s in SECTIONS if s in asked]
    ctx.update(verdict=verdict, missing=missing, shown=set(answered) | asked, may_apply=True,
               facts_json=json.dumps(facts, ensure_ascii=False))
    return render(request, "check.html", viewer=viewer, **ctx)


# --- applying --------------------------------------------------------------------------------------

def _apply_page(request: Request, viewer: Viewer, facts_json: str, d: str, status: int = 200,
                token: str | None = None, **ctx: Any) -> HTMLResponse:
    lang = _lang(request)
    try:
        facts = json.loads(facts_json)
        verdict = check(facts, parse_date(d), _policy(request))
    except (ValueError, InputError):
        return _message(request, viewer, 422, text("apply", lang), text("check_first", lang), "/check")
    form = ctx.pop("form", None) or {"kind": "settlement" if verdict["settlement"]["status"] == "eligible"
                                     else "residence_permit"}
    if token:  # the session starts with this response: its forms carry the new session's token
        ctx["csrf"] = S.csrf_token(token)
    return render(request, "apply.html", status, viewer, facts_json=facts_json, date=d, form=form,
                  idempotency_key=ctx.pop("idempotency_key", None) or uuid.uuid4().hex,
                  kind_options=[(k, text("kind_" + k, lang)) for k in C.KINDS],
                  township_options=_options(lang)["township_options"], **ctx)


@posted("/apply")
def apply_form(request: Request, form) -> Response:
    viewer = S.viewer(request)
    if viewer is None:
        return _login_page(request, notice=text("sign_in_to_apply", _lang(request)), facts_json=form.get("facts", ""),
                           date=form.get("date", ""))
    return _apply_page(request, viewer, str(form.get("facts", "")), str(form.get("date", "")))


@posted("/applications")
def submit_application(request: Request, form) -> Response:
    viewer = S.viewer(request)
    if viewer is None:
        return _sign_in_first(request)
    lang = _lang(request)
    form = {k: str(v) for k, v in form.items()}
    try:
        S.check_csrf(request, form.get("csrf"))
    except S.CsrfError:
        return _message(request, viewer, 403, text("apply", lang), text("csrf_expired", lang), "/check")
    try:  # the facts come back from the self-check's page: checked again, as anything from a browser
        facts = json.loads(form.get("facts", ""))
        check(facts, parse_date(form.get("date", "")), _policy(request))
    except (ValueError, InputError):
        return _message(request, viewer, 422, text("apply", lang), text("check_first", lang), "/check")
    errors = {}
    if form.get("kind") not in C.KINDS:
        errors["kind"] = text("choose", lang)
    if form.get("township") not in township_names():
        errors["township"] = text("choose", lang)
    if form.get("kind") in CONSENT_KINDS and form.get("consent") != "on":
        errors["consent"] = text("consent_required", lang)
    person_id = None
    if form.get("id_number") and not errors:
        try:
            person_id = person_by_id_number(_store(request).engine, form["id_number"], viewer.username, "application")
        except InputError as exc:
            errors["id_number"] = exc.message
        else:
            if person_id is None:
                errors["id_number"] = text("not_in_register", lang)
    if errors:
        return _apply_page(request, viewer, form.get("facts", ""), form.get("date", ""), 422, form=form,
                           field_errors=errors, error=text("fix_fields", lang),
                           idempotency_key=form.get("idempotency_key"))
    followers = [line.strip() for line in form.get("adult_followers", "").splitlines() if line.strip()]
    now = datetime.now()
    action = C.Action(C.SUBMITTED, now, viewer.username, viewer.role,
                      {"facts": facts, "adult_followers": followers, "person_id": person_id})
    store = _store(request)
    try:
        case, new = store.submit(form["kind"], action, form.get("idempotency_key") or uuid.uuid4().hex, person_id,
                                 form["township"])
        if new and form.get("kind") in CONSENT_KINDS:
            consent = C.Action(C.CONSENT_RECORDED, now, viewer.username, viewer.role, {"who": "applicant"})
            case = store.act(case.id, consent, case.version)
    except (C.CaseError, InputError) as exc:
        return _message(request, viewer, getattr(exc, "status", 422), text("apply", lang), str(exc), "/check")
    return _redirect(f"/cases/{case.id}?submitted=1")


# --- cases -----------------------------------------------------------------------------------------

@router.get("/cases", response_class=HTMLResponse)
def case_list(request: Request):
    viewer = S.viewer(request)
    if viewer is None:
        return _sign_in_first(request)
    lang = _lang(request)
    today = date.today()
    store = _store(request)
    items = store.queue(viewer, today, working_days_of(_policy(request), today))
    store.log_read(viewer.username, "case.list", f"{len(items)} cases", "work queue page", datetime.now())
    heading = text("nav_my_cases" if viewer.role == "applicant" else "nav_queue", lang)
    return render(request, "cases.html", viewer=viewer, items=items, heading=heading,
                  overdue_count=sum(1 for i in items if i.overdue), township_names=township_names())


def _case_page(request: Request, viewer: Viewer, case: C.Case, township: str | None, status: int = 200,
               **ctx: Any) -> HTMLResponse:
    """The case as `viewer` sees it: the verdict on its facts (for the applicant and officers; at the
    decision's date once decided), deadline, history, and the actions open to them now."""
    store, policy, lang, today = _store(request), _policy(request), _lang(request), date.today()
    st = C.state(case)
    verdict = None
    if viewer.role in ("applicant", *C.OFFICERS):
        verdict = store.verdict(case.id, st.decided_at.date() if st.decided_at else today, policy)
    part = verdict_part(case.kind, verdict) if verdict else {}
    allowed = grounds(case.kind, verdict) if verdict else frozenset()
    deadline = case_deadline(case, working_days_of(policy, today))
    next_ = C.next_actions(case, viewer.role)
    return render(
        request, "case.html", status, viewer, case=case, st=st, next=next_,
        verdict=verdict, verdict_status=part.get("status"),
        verdict_note="" if verdict or viewer.role not in ("applicant", *C.OFFICERS) else text("no_facts_on_case", lang),
        suggested=list(part.get("missing", [])), suggested_household=(verdict or {}).get("settlement", {}).get("household"),
        failed_rules=[r for r in part.get("reasons", []) if r["rule"] in allowed],
        deadline=deadline and {"due": deadline.due, "overdue": deadline.overdue(today),
                               "calendar_complete": deadline.calendar_complete},
        consents_needed=sorted(C.required_consents(case)) if case.kind in CONSENT_KINDS else [],
        places=places_of(store.engine, township) if C.REGISTERED in next_ and township else [], **ctx)


def _visible_case(request: Request, viewer: Viewer, case_id: str) -> tuple[C.Case, str | None] | None:
    """The case and its township when `viewer` may see it; else None (shown as "no such case")."""
    try:
        case, township = _store(request).jurisdiction(case_id)
    except C.CaseError:
        return None
    return (case, township) if may_see(viewer, case, township) else None


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, case_id: str, submitted: int = 0):
    viewer = S.viewer(request)
    if viewer is None:
        return _sign_in_first(request)
    lang = _lang(request)
    visible = _visible_case(request, viewer, case_id)
    if visible is None:
        return _message(request, viewer, 404, text("case", lang), text("no_such_case", lang), "/cases")
    case = _store(request).read(case_id, viewer.username, "case page", datetime.now())
    return _case_page(request, viewer, case, visible[1], notice=text("submitted_notice", lang) if submitted else "")


def _action_data(type_: str, form, places: list[tuple[str, str, bool]]) -> dict[str, Any]:
    """The data of an action, from its form: only the fields that type of action carries."""
    def value(name: str) -> str:
        return str(form.get(name, "")).strip()

    data: dict[str, Any] = {}
    if type_ in (C.MATERIALS_REQUESTED, C.MATERIALS_PROVIDED):
        items = [str(i) for i in form.getlist("items")]
        items += [line.strip() for line in value("items_more").splitlines() if line.strip()]
        data["items"] = items
    elif type_ == C.REJECTED:
        data.update(failed_rule=value("failed_rule"), reason=value("reason"))
    elif type_ == C.REGISTERED:
        urban = {code: u for code, _, u in places}.get(value("place"))
        if urban is None:
            raise C.CaseError("data.place", "choose a community or village of the case's township")
        data.update(place=value("place"), urban=urban, household=value("household"))
        try:
            data["followers"] = [int(p) for p in value("followers").replace("，", ",").split(",") if p.strip()]
        except ValueError:
            raise C.CaseError("data.followers", "expected person numbers separated by commas") from None
    elif type_ == C.CONSENT_RECORDED:
        data["who"] = value("who") or "applicant"
    for name in ("reason", "note"):
        if value(name):
            data[name] = value(name)
    return data


@posted("/cases/{case_id}/act")
def act(request: Request, form, case_id: str) -> Response:
    viewer = S.viewer(request)
    if viewer is None:
        return _sign_in_first(request)
    lang = _lang(request)
    try:
        S.check_csrf(request, form.get("csrf"))
    except S.CsrfError:
        return _message(request, viewer, 403, text("case", lang), text("csrf_expired", lang), f"/cases/{case_id}")
    visible = _visible_case(request, viewer, case_id)
    if visible is None:
        return _message(request, viewer, 404, text("case", lang), text("no_such_case", lang), "/cases")
    case, township = visible
    store = _store(request)
    try:
        expected = int(str(form.get("expected_version", "")))
        type_ = str(form.get("type", ""))
        places = places_of(store.engine, township) if type_ == C.REGISTERED and township else []
        action = C.Action(type_, datetime.now(), viewer.username, viewer.role, _action_data(type_, form, places))
        store.act(case_id, action, expected)
    except (C.CaseError, InputError) as exc:
        case = store.read(case_id, viewer.username, "case page", datetime.now())
        return _case_page(request, viewer, case, township, getattr(exc, "status", 422), error=str(exc))
    except ValueError:  # the expected version is not a number: a form from elsewhere, or tampered
        return _case_page(request, viewer, case, township, 422, error=text("reload", lang))
    return _redirect(f"/cases/{case_id}")


@router.get("/reports/overridden-rejections", response_class=HTMLResponse)
def overridden_rejections(request: Request):
    """Rejections of people the rules found eligible, for those who oversee casework (the read is logged)."""
    viewer = S.viewer(request)
    if viewer is None:
        return _sign_in_first(request)
    lang = _lang(request)
    if viewer.role not in OVERSIGHT:
        return _message(request, viewer, 403, text("report_overrides", lang), text("not_for_role", lang))
    store = _store(request)
    items = store.overridden_rejections()
    store.log_read(viewer.username, "report.overridden_rejections", f"{len(items)} rejections", "report page",
                   datetime.now())
    return render(request, "report.html", viewer=viewer, items=items, township_names=township_names())


"""The web pages: server-rendered, Chinese by default with an English switch, usable on a phone.

This file holds the applicant's path: the home page, sign-in, the self-check that explains the
verdict and asks the missing questions, and applying (by the applicant's own account, or by a police
station for a citizen at its counter). The casework pages (queue, case, actions, purposes, report)
are in `web/case_pages.py`. Pages translate forms into calls of the casework services
(`services.casework`) and their refusals into the page (`web/refusals.py`); no check lives only
here. Every form that changes something carries a CSRF token.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from hukou.cases import case as C
from hukou.cases.errors import CaseError
from hukou.cases.parties import RELATIONS
from hukou.cases.viewer import Viewer
from hukou.policy.errors import InputError
from hukou.policy.facts import HOUSING_KINDS, parse_date
from hukou.policy.verdict import check
from hukou.registry.divisions import changji_townships, township_names
from hukou.services.casework import Application
from hukou.store.users import authenticate, issue_token
from hukou.web import case_pages, guide_pages, self_check, task_pages
from hukou.web import session as S
from hukou.web.facts_form import ROWS, SECTIONS, facts_from_form, form_field, section_of
from hukou.web.i18n import LANGS, text
from hukou.web.refusals import refusal, said
from hukou.web.verdict_view import already_settled
from hukou.web.render import casework, lang_of, message, policy_of, posted, redirect, render, safe_next, sign_in_first

router = APIRouter(include_in_schema=False)
FOLLOWER_ROWS = 4  # rows offered for the people who move with the applicant (empty rows are ignored)
APPLYING_ROLES = ("applicant", "police_station")


@router.get("/", response_class=HTMLResponse)
def home(request: Request):
    return render(request, "home.html", viewer=S.viewer(request))


@router.get("/lang/{code}")
def switch_language(code: str, request: Request, next: str = "/"):
    response = redirect(safe_next(next) or "/")
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
    return _login_page(request, next=safe_next(next))


@posted(router, "/login")
def login(request: Request, form) -> Response:
    lang = lang_of(request)
    try:
        S.check_login_csrf(request, form.get("csrf"))
    except S.CsrfError:
        return _login_page(request, 403, text("csrf_expired", lang), next=safe_next(form.get("next")))
    username, password = str(form.get("username", "")).strip(), str(form.get("password", ""))
    engine = casework(request).engine
    viewer = authenticate(engine, username, password) if username and password else None
    if viewer is None:
        return _login_page(request, 401, text("wrong_login", lang), next=safe_next(form.get("next")),
                           username=username, facts_json=form.get("facts", ""))
    token = issue_token(engine, viewer, datetime.now())
    if form.get("facts"):  # signed in on the way to applying: go on to the application form
        response = _apply_page(request, viewer, str(form["facts"]), token=token)
    else:
        response = redirect(safe_next(form.get("next")) or ("/tasks" if viewer.role == "department" else "/cases"))
    S.start(request, response, token)
    return response


@posted(router, "/logout")
def logout(request: Request, form) -> Response:
    try:
        S.check_csrf(request, form.get("csrf"))
    except S.CsrfError:
        return redirect("/")
    response = redirect("/")
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


def _may_apply(viewer: Viewer | None) -> bool:
    return viewer is None or viewer.role in APPLYING_ROLES


def _check_context(lang: str, form: dict[str, str], shown: set[str]) -> dict[str, Any]:
    return {"form": form, "verdict": None, "missing": [], "shown": shown, "error_items": [], "focus": "",
            **_options(lang, form), **self_check.place_choices(form, lang)}


@router.get("/check", response_class=HTMLResponse)
def check_form(request: Request):
    viewer = S.viewer(request)
    return render(request, "check.html", viewer=viewer,
                  **_check_context(lang_of(request), {"date": date.today().isoformat()}, set()))


@posted(router, "/check")
def check_submit(request: Request, form) -> Response:
    """The self-check's one address: a step of choosing the hukou place ("choose", no script), back to
    a field from the answers ("change"), the answers to check ("review"), or the result ("result", also
    a form without an action: the direct path). Every problem is shown at once, before any answer."""
    viewer = S.viewer(request)
    lang = lang_of(request)
    form = {k: str(v) for k, v in form.items()}
    change, action = form.pop("change", "").strip(), form.pop("action", "").strip() or "result"
    facts, answered = facts_from_form(form)
    ctx = _check_context(lang, form, set(answered))
    if change or action == "choose":
        if change.startswith("s-"):
            ctx["shown"] = ctx["shown"] | {change[2:]}
        ctx["focus"] = change or ("hukou.place" if form.get("hukou.city") else "hukou.city")
        return render(request, "check.html", viewer=viewer, **ctx)
    errors = self_check.problems(form, policy_of(request).city.code, date.today(), lang)
    d = None if errors else parse_date(form.get("date") or date.today().isoformat())
    verdict = None
    if d is not None:
        try:
            verdict = check(facts, d, policy_of(request))
        except InputError as exc:  # the date (before the policy took effect): the facts were checked above
            errors = {form_field(exc.path) or "date": said(exc.path, exc.message, lang)}
    if errors:
        ctx.update(error_items=self_check.summary_items(errors, lang), shown=ctx["shown"] | {section_of(f) for f in errors})
        return render(request, "check.html", 422, viewer, field_errors=errors, **ctx)
    if action == "review":
        return render(request, "check_answers.html", viewer=viewer, answers=self_check.answers(form, facts, lang),
                      carried=self_check.carried(form))
    asked = set(verdict["settlement"]["missing"]) | set(verdict["residence_permit"]["missing"])
    missing = [s for s in SECTIONS if s in asked]
    facts_json = json.dumps(facts, ensure_ascii=False)
    ctx.update(verdict=verdict, missing=missing, shown=set(answered) | asked,
               may_apply=_may_apply(viewer) and not already_settled(verdict["settlement"]), facts_json=facts_json,
               **guide_pages.guide_context(guide_pages.check_guide(request, verdict, facts), facts_json, d.isoformat()))
    return render(request, "check.html", viewer=viewer, **ctx)


# --- applying --------------------------------------------------------------------------------------

def _default_kind(request: Request, facts: Any) -> str:
    """Settlement when the self-check's facts settle today, else a residence permit (only a default)."""
    try:
        verdict = check(facts, date.today(), policy_of(request))
    except InputError:
        return "settlement"
    return "settlement" if verdict["settlement"]["status"] == "eligible" else "residence_permit"


def _guide(request: Request, facts: Any):
    """The guide of the self-check's facts today (none for facts that no longer check)."""
    if not isinstance(facts, dict):  # applying on the register's record: the case page has its guide
        return None
    try:
        return guide_pages.check_guide(request, check(facts, date.today(), policy_of(request)), facts)
    except InputError:
        return None


def _apply_page(request: Request, viewer: Viewer, facts_json: str, status: int = 200, token: str | None = None,
                **ctx: Any) -> HTMLResponse:
    """The application form; `facts_json` carries the self-check's facts (empty: the register's record)."""
    lang = lang_of(request)
    if viewer.role not in APPLYING_ROLES:
        return message(request, viewer, 403, text("apply", lang), text("apply_roles", lang), "/cases")
    facts = None
    if facts_json:
        try:
            facts = json.loads(facts_json)
        except ValueError:
            return message(request, viewer, 422, text("apply", lang), text("check_first", lang), "/check")
    form = ctx.pop("form", None) or {"kind": _default_kind(request, facts) if facts is not None else "settlement"}
    ctx.update(guide_pages.guide_context(_guide(request, facts), facts_json, date.today().isoformat()))
    if token:  # the session starts with this response: its forms carry the new session's token
        ctx["csrf"] = S.csrf_token(token)
    return render(request, "apply.html", status, viewer, facts_json=facts_json, form=form,
                  idempotency_key=ctx.pop("idempotency_key", None) or uuid.uuid4().hex,
                  counter=viewer.role == "police_station", unbound=viewer.role == "applicant" and not viewer.id_number,
                  station_township=township_names().get(viewer.township or "", viewer.township or ""),
                  kind_options=[(k, text("kind_" + k, lang)) for k in C.KINDS],
                  relation_options=[("", text("choose", lang))] + [(r, text("relation_" + r, lang)) for r in RELATIONS],
                  follower_rows=range(FOLLOWER_ROWS), township_options=_options(lang)["township_options"], **ctx)


@router.get("/apply", response_class=HTMLResponse)
def apply_blank(request: Request):
    """The application form without a self-check: the case is decided on the register's record."""
    viewer = S.viewer(request)
    if viewer is None:
        return sign_in_first(request)
    return _apply_page(request, viewer, "")


@posted(router, "/apply")
def apply_form(request: Request, form) -> Response:
    """The application form with the self-check's facts (signing in on the way keeps them)."""
    viewer = S.viewer(request)
    if viewer is None:
        return _login_page(request, notice=text("sign_in_to_apply", lang_of(request)), facts_json=form.get("facts", ""))
    return _apply_page(request, viewer, str(form.get("facts", "")))


def _followers(form: dict[str, str]) -> tuple[dict[str, str], ...]:
    """The rows of people moving with the applicant that have anything filled in, in order."""
    rows = []
    for i in range(FOLLOWER_ROWS):
        row = {k: form.get(f"followers.{i}.{k}", "").strip() for k in ("relation", "name", "id_number")}
        if any(row.values()):
            rows.append(row)
    return tuple(rows)


def _application(viewer: Viewer, form: dict[str, str], facts: Any) -> Application:
    """The application the form asks for: a counter case names the citizen, and its consent is the
    station's attestation that the citizen signed in person and showed their ID card."""
    kind = form.get("kind", "")
    counter = viewer.role == "police_station"
    applicant = {k: form.get(f"applicant.{k}", "").strip() for k in ("id_number", "name")}
    consent = None
    if kind in C.HUKOU_KINDS and counter and form.get("attest") == "on":
        consent = {"party": "applicant", "id_number": applicant["id_number"], "in_person": True, "signed": True,
                   "id_card_checked": True}
    elif kind in C.HUKOU_KINDS and not counter and form.get("consent") == "on":
        consent = {}
    return Application(kind, None if counter else (form.get("township") or None), facts, _followers(form),
                       applicant if counter else None, consent)


_FORM_FIELDS = frozenset({"kind", "township", "applicant.id_number", "applicant.name", "followers", "consent"} |
                         {f"followers.{i}.{k}" for i in range(FOLLOWER_ROWS) for k in ("relation", "name", "id_number")})


_CONSENT_FIELDS = frozenset({"consent", "party", "id_number", "in_person", "signed", "id_card_checked"})
_APPLY_LABELS = {"kind": "kind", "township": "handling_township", "applicant.name": "name_on_card",
                 "applicant.id_number": "id_number_of_citizen", "followers": "followers_title",
                 "consent": "apply_consent_field", "attest": "apply_attest_field"}
_FOLLOWER_LABELS = {"relation": "relation", "name": "name_on_card", "id_number": "id_number_short"}


def _apply_error_items(errors: dict[str, str], lang: str) -> list[tuple[str, str]]:
    """The application form's error summary: (the field's id, "label: message")."""
    items = []
    for field, words in errors.items():
        parts = field.split(".")
        if len(parts) == 3 and parts[0] == "followers":
            label = text("apply_follower_field", lang).format(n=int(parts[1]) + 1, field=text(_FOLLOWER_LABELS[parts[2]], lang))
        else:
            label = text(_APPLY_LABELS.get(field, ""), lang) if field in _APPLY_LABELS else ""
        items.append(("s-followers" if field == "followers" else field, f"{label}{self_check.PUNCT[lang]}{words}"))
    return items


@posted(router, "/applications")
def submit_application(request: Request, form) -> Response:
    viewer = S.viewer(request)
    if viewer is None:
        return sign_in_first(request)
    lang = lang_of(request)
    form = {k: str(v) for k, v in form.items()}
    try:
        S.check_csrf(request, form.get("csrf"))
    except S.CsrfError:
        return message(request, viewer, 403, text("apply", lang), text("csrf_expired", lang), "/check")
    try:  # the facts come back from the self-check's page: the service checks them again
        facts = json.loads(form["facts"]) if form.get("facts") else None
    except ValueError:
        return message(request, viewer, 422, text("apply", lang), text("check_first", lang), "/check")
    key = form.get("idempotency_key") or uuid.uuid4().hex
    try:
        case, _ = casework(request).submit(viewer, _application(viewer, form, facts), key, datetime.now())
    except (CaseError, InputError) as exc:
        field, said, status = refusal(exc, lang)
        if viewer.role != "applicant" and field in _CONSENT_FIELDS:  # the station's attestation
            field = "attest"
        errors = {field: said} if field in _FORM_FIELDS | {"attest"} else {}
        return _apply_page(request, viewer, form.get("facts", ""), status, form=form, field_errors=errors,
                           error="" if errors else said, error_items=_apply_error_items(errors, lang),
                           idempotency_key=key)
    return redirect(f"/cases/{case.id}/submitted")  # the confirmation page (web/after_applying.py)


router.include_router(case_pages.router)
router.include_router(guide_pages.router)
router.include_router(self_check.router)
router.include_router(task_pages.router)  # the departments' inbox (§十–§十五)

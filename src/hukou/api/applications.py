"""Applications over the API: a bearer token from /api/v1/token, then submit, read and act on cases.

Submissions need an `Idempotency-Key` header (a replay returns the first result); actions carry the
version they were decided on (a stale one is 409). A case someone may not see is 404 for them.
Officers reading a case see the rules' verdict on its facts (at today's date, or at the decision's
date once decided) and the materials that verdict still asks for: a materials request sent without
items asks for those.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Optional

from fastapi import APIRouter, Depends, Form, Header, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from hukou.api.writes import run_write
from hukou.cases import case as C
from hukou.cases.access import Viewer, may_see
from hukou.cases.deadlines import case_deadline, working_days_of
from hukou.cases.facts import canonical_facts
from hukou.policies import load
from hukou.policy.errors import InputError
from hukou.policy.policy_file import Policy
from hukou.store.case_store import CaseStore
from hukou.store.users import TokenCache, authenticate, issue_token

router = APIRouter(prefix="/api/v1", tags=["applications"])
TOKEN_MEMORY_S = 30  # a revoked token or a changed role counts within 30 s (store/users.py TokenCache)


class Unauthorized(Exception):
    pass


class Forbidden(Exception):
    """Signed in, but the role may not do this (403)."""


class ApplicationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str = Field(description="settlement | residence_permit | student_move | graduate_move",
                      json_schema_extra={"enum": list(C.KINDS)})
    person_id: Optional[int] = Field(None, description="The applicant in the register, when known")
    township: Optional[str] = Field(None, description="9-digit code of the township where the case is handled")
    adult_followers: list[str] = Field([], description="Adults moving with the applicant: each must consent")
    facts: Any = Field(None, description="RULEBOOK §2 facts about the applicant, checked as by /eligibility")


class ActionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: str
    expected_version: int
    data: dict[str, Any] = {}


def _store(request: Request) -> CaseStore:
    return request.app.state.case_store()


def _policy(request: Request) -> Policy:
    return load(request.app.state.policy)


async def current_viewer(request: Request, authorization: Optional[str] = Header(None)) -> Viewer:
    """Async, so a remembered token costs no trip through the thread pool; a lookup goes there."""
    if not authorization or not authorization.lower().startswith("bearer "):
        raise Unauthorized("sign in: POST /api/v1/token, then send Authorization: Bearer <token>")
    state, token, now = request.app.state, authorization.split(" ", 1)[1].strip(), datetime.now()
    if not hasattr(state, "tokens"):
        state.tokens = TokenCache(seconds=TOKEN_MEMORY_S)
    viewer = state.tokens.cached(token, now) or await run_in_threadpool(
        lambda: state.tokens.viewer(_store(request).engine, token, now))
    if viewer is None:
        raise Unauthorized("the token is unknown or expired; sign in again")
    return viewer


def _deadline(case: C.Case, policy: Policy, today: date) -> dict[str, Any] | None:
    d = case_deadline(case, working_days_of(policy, today))
    if d is None:
        return None
    return {"due": d.due.isoformat(), "overdue": d.overdue(today), "calendar_complete": d.calendar_complete}


def _out(case: C.Case, viewer: Viewer, policy: Policy) -> dict[str, Any]:
    s = C.state(case)
    return {"id": case.id, "kind": case.kind, "version": case.version, "status": s.status,
            "materials_outstanding": list(s.materials_outstanding), "next_actions": C.next_actions(case, viewer.role),
            "deadline": _deadline(case, policy, date.today()),
            "actions": [{"type": a.type, "at": a.at.isoformat(), "by": a.by, "role": a.role, "data": a.data}
                        for a in case.actions]}


@router.post("/token", summary="Sign in (form fields username, password) for a bearer token")
def token(request: Request, username: str = Form(...), password: str = Form(...)) -> dict[str, str]:
    viewer = authenticate(_store(request).engine, username, password)
    if viewer is None:
        raise Unauthorized("wrong username or password")
    return {"access_token": issue_token(_store(request).engine, viewer, datetime.now()), "token_type": "bearer"}


@router.post("/applications", status_code=201, summary="Submit an application")
async def submit(request: Request, response: Response, body: ApplicationIn,
                 idempotency_key: Optional[str] = Header(None, alias="Idempotency-Key"),
                 viewer: Viewer = Depends(current_viewer)) -> dict[str, Any]:
    if not idempotency_key:
        raise InputError("Idempotency-Key", "send a unique key with each submission, so a retry is not a second case")
    if body.kind not in C.KINDS:
        raise InputError("kind", f"expected one of {', '.join(C.KINDS)} (got {body.kind!r})")
    data: dict[str, Any] = {"adult_followers": body.adult_followers, "person_id": body.person_id}
    if body.facts is not None:
        data["facts"] = canonical_facts(body.facts, _store(request).city, "facts")
    action = C.Action(C.SUBMITTED, datetime.now(), viewer.username, viewer.role, data)
    store = _store(request)
    case, new = await run_write(store.engine, store.submit, body.kind, action, idempotency_key, body.person_id,
                                body.township or viewer.township)
    if not new:
        response.status_code = 200
    return _out(case, viewer, _policy(request))


@router.get("/applications", summary="The cases you may see that need work, overdue first (the read is logged)")
def list_applications(request: Request, viewer: Viewer = Depends(current_viewer),
                      limit: int = Query(200, ge=1, le=1000, description="At most this many cases"),
                      purpose: str = Header("work queue", alias="X-Purpose")) -> dict[str, Any]:
    today = date.today()
    store = _store(request)
    items = store.queue(viewer, today, working_days_of(_policy(request), today), limit)
    store.log_read(viewer.username, "case.list", f"{len(items)} cases", purpose, datetime.now())
    return {"items": [{"id": i.id, "kind": i.kind, "status": i.status, "person_id": i.person_id,
                       "township": i.township, "submitted_at": i.submitted_at.isoformat() if i.submitted_at else None,
                       "due": i.due.isoformat() if i.due else None, "overdue": i.overdue,
                       "next_actions": list(i.next_actions)} for i in items]}


def _visible(request: Request, case_id: str, viewer: Viewer) -> C.Case:
    case, township = _store(request).jurisdiction(case_id)
    if not may_see(viewer, case, township):
        raise C.CaseError("case", f"no case {case_id}", status=404)
    return case


@router.get("/applications/{case_id}", summary="Read an application (the read is logged)")
def read(request: Request, case_id: str, viewer: Viewer = Depends(current_viewer),
         purpose: str = Header("case view", alias="X-Purpose")) -> dict[str, Any]:
    _visible(request, case_id, viewer)
    case = _store(request).read(case_id, viewer.username, purpose, datetime.now())
    out = _out(case, viewer, _policy(request))
    if viewer.role in C.OFFICERS:
        decided = C.state(case).decided_at
        out.update(_verdict(request, case, decided.date() if decided else date.today()))
    return out


def _verdict(request: Request, case: C.Case, on: date) -> dict[str, Any]:
    """The rules' verdict on the case's facts at `on`, and the materials it still asks for."""
    try:
        verdict = _store(request).verdict(case.id, on, _policy(request))
    except InputError as exc:  # e.g. the register holds no hukou for the person at that date
        return {"verdict": None, "suggested_materials": None, "verdict_unavailable": exc.line()}
    if verdict is None:
        return {"verdict": None, "suggested_materials": None}
    part = verdict["residence_permit" if case.kind == "residence_permit" else "settlement"]
    return {"verdict": verdict, "suggested_materials": list(part["missing"])}


@router.post("/applications/{case_id}/actions", summary="Act on an application")
def act(request: Request, case_id: str, body: ActionIn, viewer: Viewer = Depends(current_viewer)) -> dict[str, Any]:
    case = _visible(request, case_id, viewer)
    data = body.data
    if body.type == C.MATERIALS_REQUESTED and not data.get("items"):  # ask for what the rules still miss
        suggested = _verdict(request, case, date.today()).get("suggested_materials")
        if suggested:
            data = {**data, "items": suggested}
    action = C.Action(body.type, datetime.now(), viewer.username, viewer.role, data)
    return _out(_store(request).act(case_id, action, body.expected_version), viewer, _policy(request))

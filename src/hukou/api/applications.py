"""Applications over the API: a bearer token from /api/v1/token, then submit, read and act on cases.

Thin handlers over `services.casework`: each turns the request into one service call and the
result into a response model. Submissions need an `Idempotency-Key` header (a replay returns the
first result); actions carry the version they were decided on (a stale one is 409). A case someone
may not see is 404 for them. Reads of personal data need an `X-Purpose` header from officers and
auditors (one of their role's purposes: `GET /api/v1/purposes`); an applicant's default is `own_case`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal, Optional

from fastapi import APIRouter, Depends, Form, Header, Path, Query, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from hukou.api.models import (ActionIn, ApplicationIn, CaseListOut, CaseOut, DecisionOut, DeadlineOut, PartyOut,
                              ProgressStepOut, PurposeOut, PurposesOut, QueueItemOut, SignInForm, TokenOut)
from hukou.api.writes import run_write
from hukou.cases import case as C
from hukou.cases.actions import check_record
from hukou.cases.errors import CaseError
from hukou.cases.access import FULL, Viewer
from hukou.cases.purposes import DEFAULT, checked_purpose, purposes_of
from hukou.i18n import Msg
from hukou.services.casework import Application, Casework, CaseView
from hukou.cases import queue_query as Q
from hukou.store.users import TokenCache, authenticate, issue_token

router = APIRouter(prefix="/api/v1")
TAGS = ["applications"]
TOKEN_MEMORY_S = 30  # a revoked token or a changed role counts within 30 s (store/users.py TokenCache)
MAX_TOKEN = 200  # characters of a bearer token; a longer one is no token of ours
Purpose = Header(None, alias="X-Purpose", max_length=40,
                 description="Why you read this: one of your role's purposes (GET /api/v1/purposes); officers must send it")
CaseId = Path(min_length=1, max_length=36, description="The case's id, as a submission answered it")
bearer = HTTPBearer(auto_error=False, scheme_name="bearer", description="A token from POST /api/v1/token (sign_in)")


class Unauthorized(Exception):
    pass


class Forbidden(Exception):
    """Signed in, but the role may not do this (403)."""


def _casework(request: Request) -> Casework:
    return request.app.state.casework()


async def current_viewer(request: Request,
                         credentials: Optional[HTTPAuthorizationCredentials] = Depends(bearer)) -> Viewer:
    """Async, so a remembered token costs no trip through the thread pool; a lookup goes there."""
    if credentials is None or not credentials.credentials:
        raise Unauthorized(Msg("sign in: POST /api/v1/token, then send Authorization: Bearer <token>"))
    if len(credentials.credentials) > MAX_TOKEN:
        raise Unauthorized(Msg("the token is unknown or expired; sign in again"))
    state, token, now = request.app.state, credentials.credentials.strip(), datetime.now()
    if not hasattr(state, "tokens"):
        state.tokens = TokenCache(seconds=TOKEN_MEMORY_S)
    viewer = state.tokens.cached(token, now) or await run_in_threadpool(
        lambda: state.tokens.viewer(_casework(request).engine, token, now))
    if viewer is None:
        raise Unauthorized(Msg("the token is unknown or expired; sign in again"))
    return viewer


def case_out(view: CaseView, logged_by_us: bool = False) -> CaseOut:
    """`logged_by_us`: every action was checked as it was appended in this request (a submission's
    answer), so none needs reading again against its record model."""
    s, deadline, today = view.state, view.deadline, date.today()
    readable = (lambda _type, _data: True) if logged_by_us else _readable
    decision = s.decision
    return CaseOut(
        id=view.case.id, number=view.case.number or None, kind=view.case.kind, version=view.case.version, status=s.status, township=view.township,
        disclosure=view.disclosure, parties=[PartyOut(**p.__dict__) for p in view.parties],
        materials_outstanding=list(s.materials_outstanding), next_actions=view.next_actions,
        deadline=DeadlineOut(due=deadline.due, overdue=deadline.overdue(today), calendar_complete=deadline.calendar_complete)
        if deadline else None,
        decision=DecisionOut(seq=decision.seq, type=decision.type, at=decision.at, by=decision.by,
                             override=decision.override, effective=decision.effective, seconded_by=decision.seconded_by,
                             verdict=decision.data["verdict"])
        if decision and view.disclosure == FULL and readable(decision.type, decision.data) else None,
        actions=[_entry(i, a, readable) for i, a in enumerate(view.case.actions, start=1)]
        if view.disclosure == FULL else [],
        verdict=view.verdict, verdict_date=view.verdict_date, verdict_unavailable=view.verdict_unavailable,
        suggested_materials=view.suggested_materials,
        registered=view.registered if view.registered and readable(C.REGISTERED, view.registered) else None,
        progress=[ProgressStepOut(**step.as_dict()) for step in view.progress] or None)


def _readable(type_: str, data) -> bool:
    """Whether a logged action's data is what its type's record model reads (an old log's may not be)."""
    try:
        check_record(type_, data)
    except CaseError:
        return False
    return True


def _entry(seq: int, a: C.Action, readable=_readable) -> dict:
    entry = {"seq": seq, "type": a.type, "at": a.at, "by": a.by, "role": a.role, "data": a.data}
    if readable(a.type, a.data):
        return entry
    return {**entry, "type": "unreadable", "original_type": a.type,
            "data": a.data if isinstance(a.data, dict) else {"value": a.data}}


def _purpose(viewer: Viewer, purpose: Optional[str]) -> str:
    return checked_purpose(viewer.role, purpose, "X-Purpose")


@router.post("/token", tags=["sign-in"], summary="Sign in (form fields username, password) for a bearer token",
             operation_id="sign_in", response_model=TokenOut)
def token(request: Request, form: Annotated[SignInForm, Form()]) -> TokenOut:
    engine = _casework(request).engine
    viewer = authenticate(engine, form.username, form.password)
    if viewer is None:
        raise Unauthorized(Msg("wrong username or password"))
    return TokenOut(access_token=issue_token(engine, viewer, datetime.now()), token_type="bearer")


@router.get("/purposes", tags=TAGS, summary="The purposes you may give when you read personal data",
            operation_id="list_purposes", response_model=PurposesOut)
async def purposes(viewer: Viewer = Depends(current_viewer)) -> PurposesOut:
    return PurposesOut(role=viewer.role, required=viewer.role not in DEFAULT,
                       purposes=[PurposeOut(code=c, zh=zh, en=en) for c, (zh, en) in purposes_of(viewer.role).items()])


@router.post("/applications", status_code=201, tags=TAGS, summary="Submit an application",
             operation_id="submit_application", response_model=CaseOut)
async def submit(request: Request, response: Response, body: ApplicationIn,
                 idempotency_key: str = Header(alias="Idempotency-Key", min_length=1, max_length=100,
                                               description="Unique per submission: a retry returns the first case"),
                 viewer: Viewer = Depends(current_viewer)) -> CaseOut:
    casework = _casework(request)
    application = Application(body.kind, body.township, body.facts, tuple(f.model_dump() for f in body.followers),
                              body.applicant.model_dump() if body.applicant else None,
                              body.consent.model_dump(exclude_none=True) if body.consent else None)
    now = datetime.now()
    case, new = await run_write(casework.engine, casework.submit, viewer, application, idempotency_key, now)
    # the model is built here and written as it is: FastAPI would otherwise check it against the response
    # model a second time, on the event loop, where the writing threads wait for it (docs/benchmarks.md)
    # a replayed key's case was read back from the store: its actions are read as any case's are
    out = case_out(casework.summary(viewer, case, application.township or viewer.township, now), logged_by_us=new)
    return Response(out.model_dump_json(), status_code=201 if new else 200, media_type="application/json")


@router.get("/applications", tags=TAGS,
            summary="One page of the cases you may see, filtered, searched and sorted (the read is logged)",
            operation_id="list_applications", response_model=CaseListOut)
def list_applications(
        request: Request, viewer: Viewer = Depends(current_viewer),
        kind: Optional[Literal[C.KINDS]] = Query(None, description="Only cases of this kind"),
        status: Optional[Literal[Q.STATUS_CHOICES]] = Query(
            None, description="A status, or open (not finished), finished or all; default open (an applicant's, and a "
                              "search's: all)"),
        township: Optional[str] = Query(None, pattern=r"^[0-9]{9}$", description="Only cases of this township"),
        overdue: bool = Query(False, description="Only cases past their due date"),
        waiting_for_me: bool = Query(False, description="Only cases whose turn is your role's (a county approver: "
                                                        "those sent up for a decision)"),
        q: str = Query("", max_length=Q.MAX_SEARCH,
                       description="A citizen ID number (18 characters), a case number, or part of a name"),
        sort: Literal[Q.SORTS] = Query("due", description="due (the earliest due date first, none last), "
                                                                   "submitted (oldest first), newest, status"),
        page: int = Query(1, ge=1, le=100_000),
        page_size: Optional[int] = Query(None, ge=1, le=Q.MAX_PAGE_SIZE,
                                         description=f"Cases per page (default and at most {Q.MAX_PAGE_SIZE})"),
        limit: Optional[int] = Query(None, ge=1, le=1000, deprecated=True,
                                     description="Earlier name of page_size; more than 100 is served as 100"),
        purpose: Optional[str] = Purpose) -> CaseListOut:
    now = datetime.now()
    size = page_size or min(limit or Q.MAX_PAGE_SIZE, Q.MAX_PAGE_SIZE)
    query = Q.QueueQuery(kind, status, township, overdue, waiting_for_me, q, sort, page, size)
    found = _casework(request).queue_page(viewer, _purpose(viewer, purpose), query, now.date(), now)
    return CaseListOut(items=[QueueItemOut(id=i.id, number=i.number or None, kind=i.kind, status=i.status,
                                           applicant_name=i.applicant_name, applicant_id_masked=i.applicant_id_masked,
                                           following=i.following, person_id=i.person_id, township=i.township,
                                           submitted_at=i.submitted_at, due=i.due, overdue=i.overdue,
                                           days_left=i.days_left, working_days=i.working_days,
                                           waiting_on=i.waiting_on, next_actions=list(i.next_actions))
                              for i in found.items],
                       total=found.total, page=found.page, page_size=found.page_size)


@router.get("/applications/{case_id}", tags=TAGS, summary="Read an application (the read is logged with its purpose)",
            operation_id="read_application", response_model=CaseOut)
def read(request: Request, case_id: str = CaseId, viewer: Viewer = Depends(current_viewer),
         purpose: Optional[str] = Purpose) -> CaseOut:
    return case_out(_casework(request).read(viewer, case_id, _purpose(viewer, purpose), datetime.now()))


@router.post("/applications/{case_id}/actions", tags=TAGS, summary="Act on an application",
             operation_id="act_on_application", response_model=CaseOut)
def act(request: Request, body: ActionIn, case_id: str = CaseId, viewer: Viewer = Depends(current_viewer)) -> CaseOut:
    data = body.data.model_dump(mode="json", exclude_none=True)
    return case_out(_casework(request).act(viewer, case_id, body.type, data, body.expected_version, datetime.now()))

"""After applying: the confirmation page a submission leads to, and the applicant's inbox of
notifications.

`GET /cases/{id}/submitted` says the application is in: the case number, large, what happens next and
by when (the station accepts or asks for every missing material within 5 working days; then the
review, the decision within the policy's time limit, the registration or the permit), where to go
(the service guide), and that each step is notified. It reads the case through the casework
services like the case page, so only those who may read the case see it, and the read is logged.

`GET /notifications` lists the messages delivered to the signed-in applicant's inbox, newest first,
in the page's language; the newest one seen is remembered in a cookie, and the header counts the
ones after it.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from hukou.cases import case as C
from hukou.cases.access import FULL
from hukou.cases.errors import CaseError
from hukou.cases.parties import APPLICANT
from hukou.cases.progress import ACCEPTANCE_WORKING_DAYS, acceptance_due
from hukou.policy.errors import InputError
from hukou.services import notifications
from hukou.web import guide_pages
from hukou.web import session as S
from hukou.web.i18n import text
from hukou.web.render import casework, lang_of, message, redirect, refused_read, render, sign_in_first

router = APIRouter(include_in_schema=False)
SEEN_COOKIE = "hukou_inbox_seen"


def seen_of(request: Request) -> int:
    value = request.cookies.get(SEEN_COOKIE, "")
    return int(value) if value.isdigit() else 0


def unread_count(request: Request, viewer) -> int:
    """Inbox messages the reader has not seen yet (0 for anyone without an inbox)."""
    if viewer is None or viewer.role != "applicant" or not viewer.id_number:
        return 0
    return notifications.unread(casework(request).engine, viewer.id_number, seen_of(request))


@router.get("/cases/{case_id}/submitted", response_class=HTMLResponse)
def submitted(request: Request, case_id: str) -> Response:
    viewer = S.viewer(request)
    if viewer is None:
        return sign_in_first(request)
    lang = lang_of(request)
    cw = casework(request)
    now = datetime.now()
    try:
        view = cw.read(viewer, case_id, S.purpose(request), now)
    except (CaseError, InputError) as exc:
        return refused_read(request, viewer, exc, text("applied_title", lang), f"/cases/{case_id}/submitted")
    if view.disclosure != FULL:  # a follower: the case page asks for their consent
        return redirect(f"/cases/{case_id}")
    s = view.state
    limits = cw.limits(now.date())
    guide = guide_pages.case_guide(request, view, viewer) if viewer.role == "applicant" else None
    awaited = [p for p in view.parties if p.key != APPLICANT and p.consent_needed and not p.consented]
    return render(request, "submitted.html", viewer=viewer, view=view, case=view.case, number=view.number,
                  permit=view.case.kind == "residence_permit", hukou_kind=view.case.kind in C.HUKOU_KINDS,
                  accept_days=ACCEPTANCE_WORKING_DAYS, accept_due=acceptance_due(s.submitted_at.date()),
                  decision_days=limits.settlement_working_days, permit_days=limits.permit_days,
                  own_consent_missing=APPLICANT not in s.consents and view.case.kind in C.HUKOU_KINDS,
                  awaited=awaited, counter=viewer.role != "applicant", **guide_pages.guide_context(guide))


@router.get("/notifications", response_class=HTMLResponse)
def inbox(request: Request) -> Response:
    viewer = S.viewer(request)
    if viewer is None:
        return sign_in_first(request)
    lang = lang_of(request)
    if viewer.role != "applicant":
        return message(request, viewer, 403, text("inbox_title", lang), text("inbox_applicants_only", lang), "/cases")
    cw = casework(request)
    now = datetime.now()
    items = notifications.inbox(cw.engine, viewer.id_number, lang, cw.limits(now.date()))
    seen = seen_of(request)
    response = render(request, "notifications.html", viewer=viewer, items=items, seen=seen,
                      unbound=not viewer.id_number, inbox_unread_now=0)
    if items and items[0].id > seen:
        response.set_cookie(SEEN_COOKIE, str(max(i.id for i in items)), max_age=365 * 86400, httponly=True,
                            samesite="lax")
    return response

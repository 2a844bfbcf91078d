"""The service guide on the pages, and the printable PDFs: the guide of a self-check, and a case's
acknowledgement receipt (受理回执).

The guide (`hukou.guide`) is shown under the verdict of the self-check, on the application form and
on the applicant's case page. Its PDF is made from the self-check's facts, posted as the application
form posts them (nothing personal in an address that ends up in a log), and the verdict is worked out
again from them. A receipt is read through the casework services like the case page, so only those
who may read the case get it, and the read is logged.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import segno
from fastapi import APIRouter, Request
from fastapi.responses import Response

from hukou.cases import case as C
from hukou.cases.access import FULL
from hukou.cases.errors import CaseError
from hukou.cases.parties import APPLICANT
from hukou.cases.viewer import Viewer
from hukou.guide.file import GuideFile, load_guide
from hukou.guide.materials import followers_of_facts
from hukou.guide.sheet import (
    Guide,
    applying_for,
    build_guide,
    fee_basis,
    time_limit,
    township_of_facts,
)
from hukou.policy.calendar import age_on
from hukou.policy.errors import InputError
from hukou.policy.facts import parse_date
from hukou.policy.verdict import check
from hukou.registry.divisions import township_names
from hukou.services.casework import CaseView
from hukou.web import session as S
from hukou.web.i18n import text
from hukou.web.pdf import pdf_response
from hukou.web.rate_limit import Window
from hukou.web.render import (
    refused_read,
    casework,
    lang_of,
    message,
    policy_of,
    posted,
    sign_in_first,
)

router = APIRouter(include_in_schema=False)
MINOR_AGE = 18


def guide_file(request: Request) -> GuideFile | None:
    """The city's guide file (None: the city has none, and the guide says to ask the police station)."""
    return load_guide(request.app.state.policy, policy_of(request).city.code)


def check_guide(request: Request, verdict: dict[str, Any] | None, facts: Any) -> Guide | None:
    """The guide under a self-check's verdict: for settlement when it holds, else the residence permit."""
    kind = applying_for(verdict)
    if kind is None or not isinstance(facts, dict):
        return None
    on = date.fromisoformat(verdict["date"])

    def minor(birth: Any) -> bool:
        try:
            return age_on(date.fromisoformat(str(birth)), on) < MINOR_AGE
        except ValueError:
            return False

    return build_guide(kind, verdict, policy_of(request), guide_file(request), township_of_facts(facts, on),
                       followers_of_facts(facts, minor), on)


def case_guide(request: Request, view: CaseView, viewer: Viewer) -> Guide | None:
    """The guide on an applicant's own case page, while the case waits to be decided."""
    s = view.state
    if viewer.role != "applicant" or view.disclosure != FULL or s.finished or s.decided_at is not None:
        return None
    followers = [p.relation for p in view.parties if p.key != APPLICANT]
    return build_guide(view.case.kind, view.verdict, policy_of(request), guide_file(request), view.township,
                       followers, view.verdict_date, s.accepted_at.date() if s.accepted_at else None,
                       view.deadline.due if view.deadline else None)


def guide_context(guide: Guide | None, facts_json: str = "", on: str = "") -> dict[str, Any]:
    """What the guide's partial (`_guide.html`) reads; `facts_json` and `on` offer its PDF."""
    return {"guide": guide, "guide_names": township_names(),
            "guide_pdf": {"facts": facts_json, "date": on} if guide is not None and facts_json else None}


# --- the guide as a PDF ----------------------------------------------------------------------------

PDF_WINDOW = Window(limit=20, seconds=60)  # guides printed per client address and minute, per server process


@posted(router, "/check/guide.pdf")
def guide_pdf(request: Request, form) -> Response:
    """The self-check's guide to print: the facts come back in the form's body, never in the address."""
    viewer = S.viewer(request)
    lang = lang_of(request)
    if not PDF_WINDOW.allow(request.client.host if request.client else ""):
        return message(request, viewer, 429, text("guide_title", lang), text("too_many_pdfs", lang), "/check")
    try:
        facts = json.loads(str(form.get("facts", "")))
        on = parse_date(str(form.get("date") or date.today().isoformat()))
        verdict = check(facts, on, policy_of(request))
    except (ValueError, InputError):
        return message(request, viewer, 422, text("guide_title", lang), text("check_first", lang), "/check")
    guide = check_guide(request, verdict, facts)
    if guide is None:
        return message(request, viewer, 422, text("guide_title", lang), text("guide_none", lang), "/check")
    return pdf_response(request, "guide_print.html", "guide.pdf", viewer, **guide_context(guide),
                        today=date.today())


# --- the acknowledgement receipt -------------------------------------------------------------------

def qr_svg(url: str) -> str:
    """A QR code of `url` as inline SVG (drawn into the PDF, nothing fetched)."""
    return segno.make(url, error="m").svg_inline(scale=3, border=2, title=url)


def receipt_context(request: Request, view: CaseView, today: date) -> dict[str, Any]:
    """What a receipt shows: the case's number, dates, station, time limit and due date, next step."""
    s, kind = view.state, view.case.kind
    gf = guide_file(request)
    station = gf.station_of(view.township) if gf else None
    accepted = s.accepted_at.date() if s.accepted_at else None
    policy = policy_of(request)
    url = f"{str(request.base_url).rstrip('/')}/cases/{view.case.id}"
    return {
        "view": view, "case": view.case, "st": s, "number": getattr(view, "number", None) or view.case.id,
        "applicant": next((p for p in view.parties if p.key == APPLICANT), None),
        "movers": [p for p in view.parties if p.key != APPLICANT],
        "station": station, "hours": (gf.hours_of(station) if station else gf.hours) if gf else None,
        "township": township_names().get(view.township or "", view.township or ""),
        "limit": time_limit(kind, policy, accepted or today, accepted, view.deadline.due if view.deadline else None),
        "fee": fee_basis(kind, policy, gf), "qr": qr_svg(url), "status_url": url, "today": today,
        "hukou_kind": kind in C.HUKOU_KINDS,
    }


@router.get("/cases/{case_id}/receipt.pdf")
def receipt_pdf(request: Request, case_id: str) -> Response:
    viewer = S.viewer(request)
    if viewer is None:
        return sign_in_first(request)
    lang = lang_of(request)
    now = datetime.now()
    try:
        view = casework(request).read(viewer, case_id, S.purpose(request), now)
    except (CaseError, InputError) as exc:  # an officer says why first, as on the case page
        return refused_read(request, viewer, exc, text("receipt_title", lang), f"/cases/{case_id}")
    if view.disclosure != FULL:  # a follower reads only what their consent needs
        return message(request, viewer, 403, text("receipt_title", lang), text("receipt_applicant_only", lang),
                       f"/cases/{case_id}")
    return pdf_response(request, "receipt_print.html", f"receipt-{case_id[:8]}.pdf", viewer,
                        **receipt_context(request, view, now.date()))

"""A case page's content from the service's `CaseView`, and an action's data from its form (pure).

`case_context` works out what the template shows and nothing the view does not hold: for a follower
only their own consent; for the applicant their verdict, history and next step; for officers the
parties, the verdict's grounds for a rejection, the decision a second approver names, and who a
registration would move. `action_data` reads only the fields each action type takes
(`cases.actions`); the service checks them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from hukou.cases import case as C
from hukou.cases.access import FOLLOWER
from hukou.cases.decisions import grounds, verdict_part
from hukou.cases.parties import APPLICANT
from hukou.cases.viewer import Viewer
from hukou.services.casework import CaseView
from hukou.web.render import rule_name

_NOTED = frozenset({C.ACCEPTED, C.REVIEWED, C.ISSUED, C.ENDORSED, C.WITHDRAWN})
_REASONED = frozenset({C.DEADLINE_EXTENDED, C.REPLACED, C.CANCELLED})


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


def action_data(type_: str, form) -> dict[str, Any]:
    """The data of an action of `type_` from its form: only the fields that type carries, only those filled."""
    def value(name: str) -> str:
        return str(form.get(name, "")).strip()

    data: dict[str, Any] = {}
    if type_ in (C.MATERIALS_REQUESTED, C.MATERIALS_PROVIDED):
        data["items"] = [str(i).strip() for i in form.getlist("items") if str(i).strip()] + _lines(value("items_more"))
    elif type_ == C.CONSENT_RECORDED and value("party"):  # at the counter; an applicant's account sends nothing
        data.update(party=value("party"), in_person=True, signed=value("signed") == "on",
                    id_card_checked=value("id_card_checked") == "on")
        if value("id_number"):
            data["id_number"] = value("id_number")
    elif type_ == C.REJECTED:
        data["failed_rule"] = value("failed_rule")
    elif type_ == C.SECOND_APPROVAL:
        data.update(decision=value("decision"), agree=value("agree") != "no")
    elif type_ == C.REGISTERED:
        data["place"] = value("place")
    if type_ in _REASONED | {C.APPROVED, C.REJECTED, C.SECOND_APPROVAL} and value("reason"):
        data["reason"] = value("reason")
    if type_ in _NOTED | {C.REGISTERED, C.MATERIALS_REQUESTED, C.MATERIALS_PROVIDED} and value("note"):
        data["note"] = value("note")
    return data


def _grounds(view: CaseView, lang: str) -> list[tuple[str, str]]:
    """(rule, what it says) a rejection may name: the verdict's reasons it allows, then its own codes."""
    if view.verdict is None:
        return []
    allowed = grounds(view.case.kind, view.verdict)
    part = verdict_part(view.case.kind, view.verdict)
    shown = [(r["rule"], r["text"][lang] or rule_name(r["rule"], lang)) for r in part["reasons"] if r["rule"] in allowed]
    codes = sorted(allowed - {rule for rule, _ in shown})
    return shown + [(code, rule_name(code, lang)) for code in codes]


def _registered(view: CaseView, names: dict[str, str], places: dict[str, str]) -> dict[str, Any] | None:
    record = view.registered
    if not record:
        return None
    return {"place": places.get(record["place"], record["place"]), "urban": record.get("urban"),
            "household": record.get("household"), "household_id": record.get("household_id"),
            "moved": [names.get(m["party"], m["party"]) for m in record.get("moved", [])],
            "left_out": [names.get(k, k) for k in record.get("left_out", [])]}


def _duty_note(view: CaseView, viewer: Viewer) -> str:
    """Why an approver who may see the case may not decide it now (separation of duties)."""
    s = view.state
    if viewer.role != "county_approver":
        return ""
    if s.status == C.AWAITING_SECOND and s.decision and s.decision.by == viewer.username:
        return "duty_own_decision"
    if s.status in (C.REVIEWED, C.AWAITING_SECOND) and s.reviewed_by == viewer.username:
        return "duty_reviewed"
    return ""


def case_context(view: CaseView, viewer: Viewer, lang: str, today: date, places: dict[str, str]) -> dict[str, Any]:
    """What case.html shows of `view` for `viewer`."""
    case, s = view.case, view.state
    order = {t: i for i, t in enumerate(C.ACTION_TYPES)}  # in the order a case meets them, not by name
    ctx: dict[str, Any] = {"view": view, "case": case, "next": sorted(view.next_actions, key=order.get),
                           "follower": view.disclosure == FOLLOWER, "parties": view.parties}
    me = next((p for p in view.parties if viewer.id_number and p.id_number == viewer.id_number), None)
    ctx["me"] = me
    if ctx["follower"]:
        ctx["applicant"] = next((p for p in view.parties if p.key == APPLICANT), None)
        return ctx  # nothing more about the applicant's case
    names = {p.key: p.name for p in view.parties}
    part = verdict_part(case.kind, view.verdict) if view.verdict else None
    movers = {p.key for p in C.who_moves(case, today)} if C.REGISTERED in view.next_actions else set()
    ctx.update(
        st=s, names=names, verdict=view.verdict, verdict_status=part["status"] if part else None,
        suggested=view.suggested_materials, ground_options=_grounds(view, lang),
        pending=s.decision if s.status == C.AWAITING_SECOND else None,
        movers=[p for p in view.parties if p.key in movers],
        left_out=[p for p in view.parties if movers and p.key not in movers],
        consent_parties=[p for p in view.parties if p.consent_needed and not p.consented],
        waiting_on=[p for p in view.parties if p.consent_needed and not p.consented and p is not me],
        registered=_registered(view, names, places), duty_note=_duty_note(view, viewer),
        deadline=view.deadline and {"due": view.deadline.due, "overdue": view.deadline.overdue(today),
                                    "calendar_complete": view.deadline.calendar_complete},
        hukou_kind=case.kind in C.HUKOU_KINDS,
    )
    return ctx

"""A case page's content from the service's `CaseView`, and an action's data from its form (pure).

`case_context` works out what the template shows and nothing the view does not hold: for a follower
only their own consent; for the applicant their verdict, history and next step; for officers who the
applicant is (name, masked ID number, age, the followers), the facts given beside the register's,
the verdict in the third person, the conditions a rejection may name (by their plain names), the
decision a second approver names, and whom a registration may move. `action_data` reads only the
fields each action type takes (`cases.actions`); the service checks them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from hukou.cases import case as C
from hukou.cases.access import FOLLOWER
from hukou.cases.decisions import NOT_CONDITIONS, grounds, verdict_part
from hukou.cases.parties import APPLICANT, birth_date_of
from hukou.cases.viewer import Viewer
from hukou.policy.calendar import age_on
from hukou.policy.labels import WORDS
from hukou.services.casework import CaseView
from hukou.web.i18n import text
from hukou.web.officer_verdict import RESULT_ORDER, condition_name
from hukou.web.verdict_view import ROUTES

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
        if value("choosing_followers") == "on":  # the form lists the followers who may move: the ticked ones do
            data["followers"] = [str(k) for k in form.getlist("followers") if str(k).strip()]
    if type_ in _REASONED | {C.APPROVED, C.REJECTED, C.SECOND_APPROVAL} and value("reason"):
        data["reason"] = value("reason")
    if type_ in _NOTED | {C.REGISTERED, C.MATERIALS_REQUESTED, C.MATERIALS_PROVIDED} and value("note"):
        data["note"] = value("note")
    return data


@dataclass(frozen=True)
class GroundGroup:
    title: str  # the route, or "" for the verdict's own answer
    options: list[tuple[str, str, str]]  # (rule, plain name, result)


def _grounds(view: CaseView, lang: str) -> list[GroundGroup]:
    """What a rejection may name, grouped by route, by plain name: when the rules do not find the person
    eligible, the conditions that are not met or not known (and the verdict's own answer, "meets no
    route"); when they do, the conditions of the route that holds, one of which the approver disputes."""
    if view.verdict is None:
        return []
    allowed = grounds(view.case.kind, view.verdict)
    part = verdict_part(view.case.kind, view.verdict)
    eligible = part["status"] == "eligible"
    route = part.get("route")
    def offered(r: dict[str, Any]) -> bool:
        if r["rule"] not in allowed or r["rule"].startswith(NOT_CONDITIONS):
            return False
        if not eligible:
            return r["result"] in ("false", "unknown")
        return r["result"] == "true" and (view.case.kind == "residence_permit" or r["rule"].startswith(f"{route}."))

    wanted = [r for r in part["reasons"] if offered(r)]
    groups: dict[str, list[tuple[str, str, str]]] = {}
    for r in sorted(wanted, key=lambda r: RESULT_ORDER.get(r["result"], 3)):
        head = r["rule"].split(".")[0]
        groups.setdefault(head if head in ROUTES else "", []).append((r["rule"], condition_name(r, lang), r["result"]))
    codes = [] if eligible else [c for c in sorted(allowed - {r["rule"] for r in part["reasons"]})
                                 if text("code_" + c, lang) != "code_" + c]  # a code without a plain name is not offered
    out = [GroundGroup("", [(c, text("code_" + c, lang), "false") for c in codes])] if codes else []
    return out + [GroundGroup(text("ov_route", lang).format(route=WORDS[lang][head]) if head else "", options)
                  for head, options in groups.items()]


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


def local_date(d: date | None, lang: str) -> str:
    """A date as people write it: 2026年12月2日, 2 Dec 2026."""
    if d is None:
        return ""
    return f"{d.year}年{d.month}月{d.day}日" if lang == "zh" else f"{d.day} {d:%b} {d.year}"


def local_time(t: datetime, lang: str) -> str:
    """A moment as people write it: 2026年12月2日 14:05, 2 Dec 2026, 14:05."""
    return f"{local_date(t.date(), lang)}{' ' if lang == 'zh' else ', '}{t:%H:%M}"


def _days_left(due: date, today: date, lang: str) -> str:
    left = (due - today).days
    if left < 0:
        return text("days_overdue", lang).format(n=-left)
    return text("due_today", lang) if left == 0 else text("days_left", lang).format(n=left)


def _identity(view: CaseView, lang: str, today: date) -> dict[str, Any]:
    """Who the applicant is and what the case is, for the top of the page."""
    s = view.state
    people = [{"key": p.key, "name": p.name, "relation": p.relation, "id_number": p.id_number,
               "age": age_on(birth_date_of(p.id_number), today), "adult": p.adult, "in_register": p.in_register}
              for p in view.parties]
    due = view.deadline.due if view.deadline else None
    return {"applicant": next((p for p in people if p["key"] == APPLICANT), None),
            "followers": [p for p in people if p["key"] != APPLICANT], "number": view.number,
            "submitted": local_date(s.submitted_at.date() if s.submitted_at else None, lang),
            "due": local_date(due, lang), "days_left": _days_left(due, today, lang) if due else "",
            "overdue": bool(view.deadline and view.deadline.overdue(today))}


def _history(view: CaseView, lang: str) -> list[dict[str, Any]]:
    """The log as people read it: who by name and role, when in local time."""
    return [{"action": a, "who": view.actors.get(a.by, a.by), "when": local_time(a.at, lang)} for a in view.case.actions]


def _shown_actions(view: CaseView, viewer: Viewer, me: Any) -> list[str]:
    """The actions the page offers: those the case allows now, less the ones whose form would be empty
    (materials provided when nothing was asked for; a consent nobody on the page can give)."""
    order = {t: i for i, t in enumerate(C.ACTION_TYPES)}  # in the order a case meets them, not by name
    s = view.state
    awaited = [p for p in view.parties if p.consent_needed and not p.consented]
    shown = []
    for type_ in sorted(view.next_actions, key=order.get):
        if type_ == C.MATERIALS_PROVIDED and not s.materials_outstanding:
            continue
        if type_ == C.CONSENT_RECORDED and not (me in awaited if viewer.role == "applicant" else awaited):
            continue
        shown.append(type_)
    return shown


def _second_hint(view: CaseView) -> str:
    """What a second approval is, for the approver who may give it (the one who decided reads the duty
    note instead: it waits for another approver)."""
    s = view.state
    return "second_hint" if s.status == C.AWAITING_SECOND and C.SECOND_APPROVAL in view.next_actions else ""


def case_context(view: CaseView, viewer: Viewer, lang: str, today: date, places: dict[str, str]) -> dict[str, Any]:
    """What case.html shows of `view` for `viewer`."""
    case, s = view.case, view.state
    me = next((p for p in view.parties if viewer.id_number and p.id_number == viewer.id_number), None)
    ctx: dict[str, Any] = {"view": view, "case": case, "next": _shown_actions(view, viewer, me),
                           "follower": view.disclosure == FOLLOWER, "parties": view.parties, "me": me}
    if ctx["follower"]:
        ctx["applicant"] = next((p for p in view.parties if p.key == APPLICANT), None)
        return ctx  # nothing more about the applicant's case
    names = {p.key: p.name for p in view.parties}
    part = verdict_part(case.kind, view.verdict) if view.verdict else None
    may_move = {p.key for p in C.who_moves(case, today)} if C.REGISTERED in view.next_actions else set()
    officer = viewer.role in C.OFFICERS
    ctx.update(
        st=s, names=names, verdict=view.verdict, verdict_status=part["status"] if part else None,
        suggested=view.suggested_materials, ground_groups=_grounds(view, lang) if officer else [],
        pending=s.decision if s.status == C.AWAITING_SECOND else None,
        movers=[p for p in view.parties if p.key in may_move],
        may_follow=[p for p in view.parties if p.key in may_move and p.key != APPLICANT],
        left_out=[p for p in view.parties if may_move and p.key not in may_move],
        consent_parties=[p for p in view.parties if p.consent_needed and not p.consented],
        waiting_on=[p for p in view.parties if p.consent_needed and not p.consented and p is not me],
        registered=_registered(view, names, places), duty_note=_duty_note(view, viewer),
        second_hint=_second_hint(view),
        deadline=view.deadline and {"due": view.deadline.due, "overdue": view.deadline.overdue(today),
                                    "calendar_complete": view.deadline.calendar_complete},
        hukou_kind=case.kind in C.HUKOU_KINDS, who=_identity(view, lang, today), history=_history(view, lang),
        officer=officer,
    )
    return ctx

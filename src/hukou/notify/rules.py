"""Who is told of which action (pure).

The applicant hears of every step that changes what they wait for or must do: the submission, the
acceptance, a request for materials, the decision once it takes effect (an approval or rejection
against the rules' verdict only when the second approver agrees), the registration, the issue of a
permit, an extended time limit. Each adult who moves with the applicant and whose consent is awaited
hears of the submission, so they can consent. A recipient is named by their citizen ID number: the
channel finds them (the site's inbox by the account bound to that number; an SMS gateway by its own
register of numbers).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hukou.cases import case as C

APPLICANT_EVENTS = frozenset({C.SUBMITTED, C.ACCEPTED, C.MATERIALS_REQUESTED, C.APPROVED, C.REJECTED, C.REGISTERED,
                              C.ISSUED, C.DEADLINE_EXTENDED})
CONSENT_AWAITED = "consent_awaited"  # the event a follower is told of at submission


@dataclass(frozen=True)
class Notice:
    seq: int  # the action of the log it tells of
    event: str  # what happened: an action type, or CONSENT_AWAITED
    recipient: str  # a citizen ID number


def notices(case: C.Case, seq: int, on: date) -> list[Notice]:
    """What the action at `seq` (1-based) of `case`'s log owes to whom; the log may run past it."""
    if not 1 <= seq <= len(case.actions):
        return []
    upto = case if seq == len(case.actions) else C.Case(case.id, case.kind, case.actions[:seq], case.number)
    action, s = upto.actions[-1], C.state(upto)
    applicant = s.applicant
    if applicant is None:
        return []
    event = _event(action, s)
    out = [Notice(seq, event, applicant.id_number)] if event in APPLICANT_EVENTS else []
    if action.type == C.SUBMITTED and case.kind in C.HUKOU_KINDS:
        out += [Notice(seq, CONSENT_AWAITED, p.id_number) for p in C.required_consents(upto, on)
                if p.key != C.APPLICANT]
    return out


def _event(action: C.Action, s: C.State) -> str | None:
    """The step an action makes: a decision counts when it takes effect (at once, or with its second approval)."""
    if action.type in C.DECIDED:
        return action.type if s.decision is not None and s.decision.effective else None
    if action.type == C.SECOND_APPROVAL:
        return s.decision.type if s.decision is not None and s.decision.seconded_by == action.by else None
    return action.type

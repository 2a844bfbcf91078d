"""The words of a notification, made from the case when it is sent (pure).

A message names the case by its number, says what step it reached and what happens or must be done
next. It never holds anything else about the person: no name, no ID number, no facts, not even the
materials asked for (those are on the case page, behind the sign-in), since an SMS can be read by
whoever holds the phone. The words come from the log up to the action told of, so a message made
again later (the inbox page makes it in its reader's language) says the same as when it was sent.
"""

from __future__ import annotations

from hukou.cases import case as C
from hukou.cases.deadlines import TimeLimits, case_deadline
from hukou.cases.progress import ACCEPTANCE_WORKING_DAYS, acceptance_due
from hukou.i18n import Msg, localized
from hukou.notify.rules import CONSENT_AWAITED

KINDS = {"settlement": Msg("settlement"), "residence_permit": Msg("residence permit"),
         "student_move": Msg("student's move"), "graduate_move": Msg("graduate's move")}
SITE_HINT = Msg("Details: sign in to the city's hukou services and open 我的申请 (My applications).")


def message(case: C.Case, seq: int, event: str, limits: TimeLimits = TimeLimits()) -> Msg:
    """The notification of the action at `seq` of `case`, as a message (`localized(…, lang)` says it)."""
    upto = case if seq == len(case.actions) else C.Case(case.id, case.kind, case.actions[:seq], case.number)
    s = C.state(upto)
    number, kind = case.number or case.id[:8], KINDS.get(case.kind, KINDS["settlement"])
    permit = case.kind == "residence_permit"
    deadline = case_deadline(upto, limits)
    due = deadline.due.isoformat() if deadline else ""
    if event == C.SUBMITTED:
        return Msg("Case {number}: your {kind} application has been received. By {due} the police station accepts "
                   "it, or tells you at once of every missing material ({days} working days).", number=number,
                   kind=kind, due=acceptance_due(s.submitted_at.date()).isoformat(), days=ACCEPTANCE_WORKING_DAYS)
    if event == CONSENT_AWAITED:
        return Msg("Case {number}: a settlement application lists you as moving with the applicant. Settling is "
                   "voluntary: you move only if you consent yourself. To consent, sign in to the city's hukou "
                   "services, or sign at the police station with your ID card.", number=number)
    if event == C.ACCEPTED and permit:
        return Msg("Case {number}: the police station accepted your residence permit application. The permit is "
                   "due to be made by {due}.", number=number, due=due)
    if event == C.ACCEPTED:
        return Msg("Case {number}: the police station accepted your {kind} application. It is reviewed next; a "
                   "decision is due by {due}.", number=number, kind=kind, due=due)
    if event == C.MATERIALS_REQUESTED:
        return Msg("Case {number}: materials are missing. See the list on your case page and bring them all at "
                   "once to the police station.", number=number)
    if event == C.DEADLINE_EXTENDED:
        return Msg("Case {number}: the time limit for your residence permit was extended to {due}; the reason is "
                   "on your case page.", number=number, due=due)
    if event == C.APPROVED and permit:
        return Msg("Case {number}: your residence permit application is approved. The police station makes the "
                   "permit next; you will be told when to collect it.", number=number)
    if event == C.APPROVED:
        return Msg("Case {number}: your {kind} application is approved. The police station registers the hukou "
                   "next.", number=number, kind=kind)
    if event == C.REJECTED:
        return Msg("Case {number}: your application was not approved. The reason is on your case page. You may "
                   "apply for administrative reconsideration or bring an administrative lawsuit.", number=number)
    if event == C.REGISTERED:
        return Msg("Case {number}: the hukou is registered; the case is finished. Where, and who moved, is on "
                   "your case page.", number=number)
    if event == C.ISSUED:
        return Msg("Case {number}: your residence permit is ready. Collect it at the police station with your ID "
                   "card; have it endorsed once a year.", number=number)
    return Msg("Case {number}: there is news on your case.", number=number)


def text(case: C.Case, seq: int, event: str, lang: str, limits: TimeLimits = TimeLimits(),
         with_hint: bool = True) -> str:
    """The message in `lang`, ready to send (with where to read more, for a channel off the site)."""
    said = localized(message(case, seq, event, limits), lang)
    return f"{said}{'' if lang == 'zh' else ' '}{localized(SITE_HINT, lang)}" if with_hint else said

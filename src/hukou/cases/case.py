"""A case is an append-only log of actions; everything else about it is derived from the log (pure).

Kinds: `settlement` (an applicant with followers), `residence_permit` (apply, issue, then yearly
endorsement, replacement and cancellation), `student_move` (a rural student's move to the college's
collective household) and `graduate_move` (to the place of work or back to the place of origin).

`state(case)` reads the log; `next_actions(case, viewer)` says what that viewer may do now;
`append(case, action, expected_version, actor)` checks an action against the log, its data against
its model (`cases.actions`) and the actor against the case (whose consent, separation of duties),
and returns the longer log or raises CaseError. The service writes the appended action in one
transaction with its consequences (`cases.consequences`) and its audit entry.

Who does what: the applicant (or a police station at the counter) submits; the police station
accepts, asks for materials once, reviews, and registers or issues; a county approver who did not
review decides; a decision against the rules' verdict (rejecting an eligible person, approving one
who is not) needs a written reason and a second county approver, who names the decision.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cached_property
from typing import Any

from hukou.cases.actions import check_record
from hukou.cases.errors import CaseError
from hukou.cases.parties import (APPLICANT, IdNumberError, Party, checked_id_number, consent_needed, moving,
                                 party_from_data, party_of)
from hukou.cases.viewer import Viewer
from hukou.i18n import Msg
from hukou.policy.endorsement import endorsement_status

__all__ = ["CaseError", "Case", "Action", "State", "Decision", "state", "next_actions", "append"]

KINDS = ("settlement", "residence_permit", "student_move", "graduate_move")
ROLES = ("applicant", "police_station", "county_approver", "department", "leader", "auditor", "administrator")
HUKOU_KINDS = frozenset({"settlement", "student_move", "graduate_move"})  # a hukou moves: each adult consents

# The action types, in the order a case usually meets them.
SUBMITTED = "submitted"
CONSENT_RECORDED = "consent_recorded"  # the applicant's, or an adult follower's (§二(二)2)
ACCEPTED = "accepted"
MATERIALS_REQUESTED = "materials_requested"  # once, all together (一次性告知)
MATERIALS_PROVIDED = "materials_provided"
DEADLINE_EXTENDED = "deadline_extended"  # permit: to 30 days, with a reason (第九条)
REVIEWED = "reviewed"
APPROVED = "approved"
REJECTED = "rejected"
SECOND_APPROVAL = "second_approval"  # names the decision against the verdict that it authorises
REGISTERED = "registered"  # settlement, student or graduate move: the hukou moved
ISSUED = "issued"  # residence permit: valid from here until cancelled
ENDORSED = "endorsed"  # the yearly 签注 of an issued permit (第十条)
REPLACED = "replaced"  # 补领 or 换领 of an issued permit, with a reason
CANCELLED = "cancelled"  # 注销 of an issued permit, with a reason (for one: the holder settled)
WITHDRAWN = "withdrawn"
ACTION_TYPES = (SUBMITTED, CONSENT_RECORDED, ACCEPTED, MATERIALS_REQUESTED, MATERIALS_PROVIDED, DEADLINE_EXTENDED,
                REVIEWED, APPROVED, REJECTED, SECOND_APPROVAL, REGISTERED, ISSUED, ENDORSED, REPLACED, CANCELLED,
                WITHDRAWN)
AWAITING_SECOND = "awaiting_second_approval"  # a status, not an action: a decision waits for its second approver

FINISHED = frozenset({REJECTED, REGISTERED, CANCELLED, WITHDRAWN})
DECIDED = frozenset({APPROVED, REJECTED})
OFFICERS = frozenset({"police_station", "county_approver"})
STATION, APPROVER = frozenset({"police_station"}), frozenset({"county_approver"})
BEFORE_DECISION = frozenset({SUBMITTED, MATERIALS_REQUESTED, ACCEPTED, REVIEWED})


@dataclass(frozen=True)
class Action:
    type: str
    at: datetime
    by: str  # user id
    role: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    id: str
    kind: str
    actions: tuple[Action, ...] = ()
    number: str = ""  # what people read out (cases/numbers.py); cases from before numbering have none

    @property
    def version(self) -> int:
        """How many actions the log holds: the version an action must name to be appended."""
        return len(self.actions)

    @cached_property
    def _state(self) -> "State":
        # a case is immutable (appending makes a new one), so its state is derived once: a request
        # asks for it a dozen times (checks, next actions, consents, the answer)
        return _derive_state(self)


@dataclass(frozen=True)
class Decision:
    """An approval or rejection, with what it was made on; `seconded_by` once a second approver agreed."""

    type: str
    seq: int  # the case's version after it: what a second approval names
    at: datetime
    by: str
    data: dict[str, Any]
    seconded_by: str | None = None

    @property
    def override(self) -> bool:
        return bool(self.data.get("override"))

    @property
    def effective(self) -> bool:
        return not self.override or self.seconded_by is not None


@dataclass(frozen=True)
class State:
    status: str  # the latest decisive action, AWAITING_SECOND, or "draft" before submission
    submitted_at: datetime | None
    accepted_at: datetime | None
    materials_outstanding: tuple[str, ...]
    consents: frozenset[str]  # the party keys who have consented
    extended: bool
    finished: bool
    decided_at: datetime | None = None  # when the approval or rejection took effect
    issued_at: datetime | None = None  # permit
    endorsements: tuple[datetime, ...] = ()  # permit
    parties: tuple[Party, ...] = ()  # the applicant first, then the followers, fixed at submission
    counter: bool = False  # opened by a police station at the counter
    reviewed_by: str | None = None
    decision: Decision | None = None  # the latest approval or rejection (pending or effective)

    @property
    def applicant(self) -> Party | None:
        return self.parties[0] if self.parties else None


def _items(data: dict[str, Any]) -> tuple[str, ...]:
    items = data.get("items")
    return tuple(i for i in items if isinstance(i, str)) if isinstance(items, list) else ()


def _parties(data: dict[str, Any]) -> tuple[Party, ...]:
    followers = data.get("followers") if isinstance(data.get("followers"), list) else []
    found = (party_from_data(p) for p in [data.get("applicant"), *followers])
    return tuple(p for p in found if p is not None)


def _decision_data(data: dict[str, Any]) -> dict[str, Any]:
    """A decision's data with `verdict` as the mapping it is now; an earlier version wrote its status
    alone (`verdict: "eligible"`, `verdict_date`, `verdict_policy`), and had no overrides pending."""
    verdict = data.get("verdict")
    if isinstance(verdict, dict):
        return data
    old = {"status": verdict, "date": data.get("verdict_date"), "policy": data.get("verdict_policy")}
    return {**data, "override": False, "verdict": {k: v for k, v in old.items() if isinstance(v, str)}}


def state(case: Case) -> State:
    """The case's state, derived from its log alone (a log of any age: unreadable data is ignored)."""
    return case._state


def _derive_state(case: Case) -> State:
    status, submitted, accepted = "draft", None, None
    outstanding: tuple[str, ...] = ()
    consents: set[str] = set()
    extended = counter = False
    decided = issued = reviewer = None
    decision: Decision | None = None
    parties: tuple[Party, ...] = ()
    endorsements: list[datetime] = []
    for seq, a in enumerate(case.actions, start=1):
        data = a.data if isinstance(a.data, dict) else {}
        kind = a.type
        if kind == SUBMITTED:
            submitted, parties, counter = a.at, _parties(data), bool(data.get("counter"))
        elif kind == ACCEPTED:
            accepted = a.at
        elif kind == MATERIALS_REQUESTED:
            outstanding = _items(data)
        elif kind == MATERIALS_PROVIDED:
            outstanding = tuple(i for i in outstanding if i not in set(_items(data)))
        elif kind == CONSENT_RECORDED and isinstance(data.get("party"), str):
            consents.add(data["party"])
        elif kind == DEADLINE_EXTENDED:
            extended = True
        elif kind == REVIEWED:
            reviewer = a.by
        elif kind in DECIDED:
            decision = Decision(kind, seq, a.at, a.by, _decision_data(data))
            if decision.effective:
                decided = a.at
            else:
                kind = AWAITING_SECOND
        elif kind == SECOND_APPROVAL and decision is not None and not decision.effective:
            if data.get("agree", True) is False:
                decision, kind = None, REVIEWED  # sent back: the case waits for a new decision
            else:
                decision, decided, kind = replace(decision, seconded_by=a.by), a.at, decision.type
        elif kind == ISSUED:
            issued = a.at
        elif kind == ENDORSED:
            endorsements.append(a.at)
        if kind in _STATUS_SETTING:
            status = kind
    return State(status, submitted, accepted, outstanding, frozenset(consents), extended, status in FINISHED,
                 decided, issued, tuple(endorsements), parties, counter, reviewer, decision)


_STATUS_SETTING = frozenset({SUBMITTED, ACCEPTED, MATERIALS_REQUESTED, REVIEWED, APPROVED, REJECTED, AWAITING_SECOND,
                             REGISTERED, ISSUED, CANCELLED, WITHDRAWN})


def required_consents(case: Case, on: date) -> tuple[Party, ...]:
    """Whose consent a move of this case needs on `on` (none for a residence permit)."""
    if case.kind not in HUKOU_KINDS:
        return ()
    return consent_needed(state(case).parties, on)


def missing_consents(case: Case, on: date) -> tuple[Party, ...]:
    s = state(case)
    return tuple(p for p in required_consents(case, on) if p.key not in s.consents)


def who_moves(case: Case, on: date, chosen: Any = None) -> tuple[Party, ...]:
    """The people a registration on `on` moves: the applicant, consenting adults, minors listed (of
    them, with `chosen`, the followers the police station ticked)."""
    s = state(case)
    return moving(s.parties, s.consents, on, chosen)


# what may follow each status, and which roles may do it
_NEXT: dict[str, dict[str, frozenset[str]]] = {
    "draft": {SUBMITTED: frozenset({"applicant", "police_station"})},
    SUBMITTED: {ACCEPTED: STATION, MATERIALS_REQUESTED: STATION},
    MATERIALS_REQUESTED: {ACCEPTED: STATION},
    ACCEPTED: {REVIEWED: STATION},
    REVIEWED: {APPROVED: APPROVER, REJECTED: APPROVER},
    AWAITING_SECOND: {SECOND_APPROVAL: APPROVER},
    APPROVED: {REGISTERED: STATION, ISSUED: STATION},
    ISSUED: {ENDORSED: STATION, REPLACED: STATION, CANCELLED: STATION},
}
_WITHDRAWABLE = frozenset({SUBMITTED, MATERIALS_REQUESTED, ACCEPTED, REVIEWED, AWAITING_SECOND, APPROVED})


def next_actions(case: Case, viewer: Viewer | str, on: date | None = None) -> list[str]:
    """The action types `viewer` may append now (a bare role: an officer of that role)."""
    viewer = viewer if isinstance(viewer, Viewer) else Viewer("", viewer)
    s = state(case)
    if s.finished:
        return []
    on = on or date.today()
    if s.status == "draft":
        return [SUBMITTED] if viewer.role in _NEXT["draft"][SUBMITTED] else []
    if viewer.role == "applicant":
        return _applicant_actions(case, s, viewer, on)
    allowed = {t for t, roles in _NEXT.get(s.status, {}).items() if viewer.role in roles}
    if viewer.role == "police_station":
        if s.status in BEFORE_DECISION:
            allowed.add(MATERIALS_PROVIDED)
        if case.kind == "residence_permit" and s.status in BEFORE_DECISION | {APPROVED} and not s.extended:
            allowed.add(DEADLINE_EXTENDED)
        if missing_consents(case, on):
            allowed.add(CONSENT_RECORDED)
    if case.kind == "residence_permit":
        allowed.discard(REGISTERED)
    else:
        allowed.discard(ISSUED)
    if s.status == SUBMITTED and any(a.type == MATERIALS_REQUESTED for a in case.actions):
        allowed.discard(MATERIALS_REQUESTED)
    if s.status == MATERIALS_REQUESTED and s.materials_outstanding:
        allowed.discard(ACCEPTED)
    if viewer.username and s.status in (REVIEWED, AWAITING_SECOND) and viewer.username == s.reviewed_by:
        allowed -= {APPROVED, REJECTED, SECOND_APPROVAL}  # who reviewed does not decide
    if viewer.username and s.status == AWAITING_SECOND and s.decision and viewer.username == s.decision.by:
        allowed.discard(SECOND_APPROVAL)  # nor second their own decision
    return sorted(allowed)


def _applicant_actions(case: Case, s: State, viewer: Viewer, on: date) -> list[str]:
    """An applicant account acts as the party it is: the applicant, or an adult follower (consent only)."""
    me = party_of(s.parties, viewer.id_number)
    if me is None:
        return []
    allowed = set()
    if me.key in {p.key for p in missing_consents(case, on)}:
        allowed.add(CONSENT_RECORDED)
    if me.key == APPLICANT:
        if s.status in BEFORE_DECISION:
            allowed.add(MATERIALS_PROVIDED)
        if s.status in _WITHDRAWABLE:
            allowed.add(WITHDRAWN)
    return sorted(allowed)


def append(case: Case, action: Action, expected_version: int, actor: Viewer | None = None) -> Case:
    """The case with `action` appended, after every check; raises CaseError otherwise. `actor` is who
    acts (an applicant's account names its person); without it, an officer of the action's role."""
    actor = actor or Viewer(action.by, action.role)
    if case.kind not in KINDS:
        raise CaseError("kind", Msg("expected one of {choices} (got {got!r})", choices=", ".join(KINDS), got=case.kind))
    if action.role not in ROLES:
        raise CaseError("role", Msg("expected one of {choices} (got {got!r})", choices=", ".join(ROLES), got=action.role))
    if expected_version != case.version:
        raise CaseError("expected_version", Msg("the case is at version {version}, not {expected}: someone acted on it "
                                                "first; reload and try again", version=case.version,
                                                expected=expected_version), status=409)
    _check_duties(case, action)
    possible = next_actions(case, actor, action.at.date())
    if action.type not in possible:
        raise CaseError("type", Msg("{type!r} is not possible now for you (possible: {possible})", type=action.type,
                                    possible=", ".join(possible) or "nothing"), status=409)
    action = replace(action, data=check_record(action.type, action.data))
    _CHECKS.get(action.type, lambda *_: None)(case, action, actor)
    return replace(case, actions=case.actions + (action,))


def _check_submission(case: Case, action: Action, actor: Viewer) -> None:
    data = action.data
    if actor.role == "applicant":
        if data["applicant"]["id_number"] != actor.id_number:
            raise CaseError("data.applicant", Msg("an applicant applies for themselves"), status=403)
        if data.get("counter"):
            raise CaseError("data.counter", Msg("only a police station opens a case at the counter"), status=403)
    elif not data.get("counter"):
        raise CaseError("data.counter", Msg("a police station opens a case for a citizen at the counter"))
    parties = _parties(data)
    if len(parties) != 1 + len(data.get("followers", ())):
        raise CaseError("data.followers", Msg("every person must have a valid citizen ID number"))
    for i, p in enumerate(parties):
        try:
            checked_id_number(p.id_number, place=False)  # the service checked each number in full as it came in
        except IdNumberError as exc:
            where = "data.applicant.id_number" if i == 0 else f"data.followers[{i - 1}].id_number"
            raise CaseError(where, exc.args[0]) from None
    if len({p.id_number for p in parties}) != len(parties):
        raise CaseError("data.followers", Msg("the same person is listed twice"))
    if [p.key for p in parties] != [APPLICANT] + [f"f{i}" for i in range(1, len(parties))]:
        raise CaseError("data.followers", Msg("parties are keyed applicant, f1, f2, … in order"))
    if parties[0].relation != APPLICANT or any(p.relation == APPLICANT for p in parties[1:]):
        raise CaseError("data.applicant", Msg("one applicant, followed by spouse, children and parents"))
    if sum(p.relation == "spouse" for p in parties) > 1:
        raise CaseError("data.followers", Msg("at most one spouse"))
    day = action.at.date()
    for i, p in enumerate(parties[1:]):
        if p.relation in ("spouse", "parent") and not p.adult_on(day):
            adult = Msg("a spouse who follows is an adult; check the ID number") if p.relation == "spouse" else \
                Msg("a parent who follows is an adult; check the ID number")
            raise CaseError(f"data.followers[{i}].id_number", adult)
    if case.kind == "residence_permit" and len(parties) > 1:
        raise CaseError("data.followers", Msg("a residence permit is one person's: each person applies for their own"))


def _check_consent(case: Case, action: Action, actor: Viewer) -> None:
    data, s = action.data, state(case)
    party = next((p for p in s.parties if p.key == data["party"]), None)
    if party is None:
        raise CaseError("data.party", Msg("no party {party!r} on this case", party=data["party"]))
    if party.key not in {p.key for p in missing_consents(case, action.at.date())}:
        raise CaseError("data.party", Msg("this consent is not needed (already recorded, or a minor's)"), status=409)
    if data["id_number"] != party.id_number:
        raise CaseError("data.id_number", Msg("the ID number is not that of the person who consents"))
    if actor.role == "applicant":
        if actor.id_number != party.id_number or data.get("in_person"):
            raise CaseError("data.party", Msg("each person consents under their own account"), status=403)
    elif not (data.get("in_person") and data.get("signed") and data.get("id_card_checked")):
        missing = "in_person" if not data.get("in_person") else "signed" if not data.get("signed") else "id_card_checked"
        raise CaseError(f"data.{missing}",
                        Msg("consent at the counter: the person signs in person and shows their ID card"))


def _check_duties(case: Case, action: Action) -> None:
    """Separation of duties, said plainly before the generic "not possible now"."""
    s = state(case)
    if action.type in DECIDED | {SECOND_APPROVAL} and action.by == s.reviewed_by:
        raise CaseError("by", Msg("who reviewed a case does not decide it (separation of duties)"), status=403)
    if action.type == SECOND_APPROVAL and s.decision is not None and action.by == s.decision.by:
        raise CaseError("by", Msg("a second approver is not the one who decided"), status=403)


def _check_decision(case: Case, action: Action, actor: Viewer) -> None:
    if action.data["override"] and not action.data.get("reason"):
        raise CaseError("data.reason", Msg("rejecting a person the rules find eligible needs a written reason (and "
                                           "then a second approver)") if action.type == REJECTED else
                        Msg("approving a person the rules do not find eligible needs a written reason (and then a "
                            "second approver)"))


def _check_second(case: Case, action: Action, actor: Viewer) -> None:
    s = state(case)
    pending = s.decision
    if pending is None or action.data["decision"] != pending.seq:
        raise CaseError("data.decision", Msg("name the decision this approves: {seq}", seq=pending.seq if pending else "none"))
    if not action.data.get("agree", True) and not action.data.get("reason"):
        raise CaseError("data.reason", Msg("sending a decision back needs a written reason"))


def _check_registration(case: Case, action: Action, actor: Viewer) -> None:
    s, on = state(case), action.at.date()
    if APPLICANT not in s.consents:
        raise CaseError("consent", Msg("no recorded consent from the applicant (§二(二)2: no one is settled without "
                                       "their consent)"))
    chosen = action.data.get("followers")
    if chosen is not None and not set(chosen) <= {p.key for p in who_moves(case, on)} - {APPLICANT}:
        raise CaseError("data.followers", Msg("only the adults who consented and the minor children listed can move "
                                              "with the applicant"))
    moved = {m["party"] for m in action.data["moved"]}
    if moved != {p.key for p in who_moves(case, on, chosen)}:
        raise CaseError("data.moved", Msg("a registration moves the applicant, the adults who consented and the minor "
                                          "children listed: no one else"))


def _check_endorsement(case: Case, action: Action, actor: Viewer) -> None:
    """One endorsement a year, not before the window of the coming anniversary opens (第十条); a late one
    (after a missed anniversary) is allowed: it restores the permit."""
    s = state(case)
    done = [e.date() for e in s.endorsements]
    status = endorsement_status(s.issued_at.date(), done, action.at.date())
    opens = status.next_window[0]
    if status.status == "valid" and action.at.date() < opens:
        raise CaseError("type", Msg("the next endorsement window opens on {opens} (第十条: once a year, within the month "
                                    "before the anniversary)", opens=opens.isoformat()), status=409)


def _check_items(case: Case, action: Action, actor: Viewer) -> None:
    if not action.data.get("items"):
        raise CaseError("data.items", Msg("name every missing item at once (一次性告知)"))


_CHECKS = {SUBMITTED: _check_submission, CONSENT_RECORDED: _check_consent, APPROVED: _check_decision,
           REJECTED: _check_decision, SECOND_APPROVAL: _check_second, REGISTERED: _check_registration,
           ENDORSED: _check_endorsement, MATERIALS_REQUESTED: _check_items}

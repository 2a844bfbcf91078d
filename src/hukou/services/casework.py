"""Casework's application services: one method per command, each one unit of work.

Every door into casework (the API, the web pages, the command line and the demo) calls these, so no
check lives only in a handler. Each command opens a unit of work, loads the case, asks the pure
case rules (`cases.case.append`), works out the consequences (`cases.consequences`), carries them
out, writes the audit entry, and commits; anything refused writes nothing.

What the server decides, never the client: who the applicant is (an applicant's account is bound to
the citizen ID number of the person they are; a police station names the citizen at its counter),
which register person each party is, the verdict a decision rests on, where a hukou is registered
(a division of the case's township, urban or rural as the register says), who moves, and which
permits a registration ends.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from hukou.cases import case as C
from hukou.cases.access import FOLLOWER, FULL, OVERSIGHT, Viewer, disclosure
from hukou.cases.actions import parse_input
from hukou.cases.consequences import CancelPermit, RegisterFacts, issuance, registration
from hukou.cases.deadlines import Deadline, TimeLimits, case_deadline, time_limits
from hukou.cases.decisions import decision_record, verdict_part
from hukou.cases.errors import CaseError
from hukou.cases.numbers import case_number, series
from hukou.cases.progress import Step, progress
from hukou.cases.facts import canonical_facts, latest_facts
from hukou.cases.parties import (APPLICANT, MAX_FOLLOWERS, RELATIONS, IdNumberError, Party, checked_id_number, masked,
                                 party_of)
from hukou.cases.purposes import checked_purpose
from hukou.i18n import Msg
from hukou.notify.rules import notices
from hukou.policy.errors import InputError
from hukou.policy.policy_file import Policy
from hukou.policy.verdict import check
from hukou.registry.divisions import is_township_of
from hukou.store import case_queue
from hukou.store import schema as S
from hukou.cases.queue_query import MAX_PAGE_SIZE, QueueQuery
from hukou.store.case_queue import QueueItem, QueuePage
from hukou.store.unit_of_work import UnitOfWork

MAX_KEY = 100


@dataclass(frozen=True)
class Application:
    """What a submission asks for. `applicant` names the citizen of a counter case (a police station's);
    an applicant's own account is the applicant. `consent`: record the applicant's consent with it."""

    kind: str
    township: str | None = None
    facts: Any = None
    followers: tuple[dict[str, Any], ...] = ()  # {relation, id_number, name}
    applicant: dict[str, Any] | None = None  # {id_number, name}
    consent: dict[str, Any] | None = None  # the consent action's data


@dataclass(frozen=True)
class PartyView:
    key: str
    relation: str
    name: str
    id_number: str
    adult: bool
    consented: bool
    consent_needed: bool
    in_register: bool | None = None  # officers only
    person_id: int | None = None  # officers only


@dataclass(frozen=True)
class CaseView:
    """A case as one reader may see it; `disclosure` FOLLOWER leaves out the applicant's facts and verdict."""

    case: C.Case
    state: C.State
    township: str | None
    disclosure: str
    next_actions: list[str]
    deadline: Deadline | None
    parties: list[PartyView]
    verdict: dict[str, Any] | None = None
    verdict_date: date | None = None
    verdict_unavailable: str | None = None
    suggested_materials: list[str] = field(default_factory=list)
    places: list[tuple[str, str, bool]] = field(default_factory=list)  # where a registration may go (station)
    registered: dict[str, Any] | None = None  # the registration's record, once registered
    given_facts: dict[str, Any] | None = None  # the latest facts given on the case (RULEBOOK §2)
    register_facts: dict[str, Any] | None = None  # officers: what the register holds of the applicant today
    actors: dict[str, str] = field(default_factory=dict)  # username -> display name, of who acted on the case
    place_names: dict[str, str] = field(default_factory=dict)  # officers: the register's names of places in the facts
    tasks: list[Any] = field(default_factory=list)  # officers: the department tasks the case made (services.linkage)

    @property
    def number(self) -> str:
        """The case number people read out (the id for cases from before numbering)."""
        return self.case.number or self.case.id

    @property
    def progress(self) -> list[Step]:
        """The case's steps (申请 → 受理 → …) today; none for a follower, who sees only their consent."""
        if self.disclosure != FULL:
            return []
        return progress(self.case, date.today(), due=self.deadline.due if self.deadline else None)


@dataclass(frozen=True)
class Override:
    """A decision against the rules' verdict (reported: §五, no hidden thresholds)."""

    case_id: str
    kind: str
    township: str | None
    decision: str  # approved | rejected
    decided_at: datetime
    decided_by: str
    verdict_status: str
    verdict_date: str
    failed_rule: str
    reason: str
    second_approvers: tuple[str, ...]
    effective: bool


class Casework:
    def __init__(self, engine: Engine, policy: Policy, channels: tuple[str, ...] | None = None):
        """`channels`: where notifications go (services/notifications.py; default from the environment)."""
        self.engine = engine
        self.policy = policy
        self.city = policy.city.code
        self.city_short = policy.city.short or policy.city.name[:1]
        self._limits: tuple[date, TimeLimits] | None = None
        if channels is None:
            from hukou.services.notifications import configured_channels
            channels = configured_channels()
        self.channels = tuple(channels)

    def limits(self, today: date) -> TimeLimits:
        """The time limits in force today (worked out once a day: every answer shows a deadline)."""
        held = self._limits
        if held is None or held[0] != today:
            held = self._limits = (today, time_limits(self.policy, today))
        return held[1]

    # --- submitting --------------------------------------------------------------------------------

    def submit(self, viewer: Viewer, application: Application, key: str, now: datetime) -> tuple[C.Case, bool]:
        """A new case, or the first case for a replayed key (second value False)."""
        if not isinstance(key, str) or not 1 <= len(key) <= MAX_KEY:
            raise InputError("Idempotency-Key", Msg("send a unique key of 1 to {max} characters with each submission", max=MAX_KEY))
        kind, township = self._checked_kind_and_township(viewer, application)
        facts = None if application.facts is None else canonical_facts(application.facts, self.city, "facts", now.date())
        applicant = self._applicant(viewer, application)
        followers = _followers(application.followers)
        try:
            with UnitOfWork(self.engine) as uow:
                known = {viewer.id_number: viewer.person_id} if viewer.role == "applicant" and viewer.person_id else {}
                ids = {**known, **uow.register.person_ids([p["id_number"] for p in (applicant, *followers)
                                                           if p["id_number"] not in known])}
                if applicant["id_number"] not in ids and facts is None:
                    raise CaseError("facts", Msg("the register holds no record of this person yet: give their facts (the "
                                                 "self-check's answers) with the application, so it can be decided"))
                parties = [{**p, "person_id": ids.get(p["id_number"])} for p in (applicant, *followers)]
                if applicant["name"] is None:
                    parties[0]["name"] = (viewer.name or uow.display_name(viewer.username) or viewer.username)[:40]
                data = {"applicant": parties[0], "followers": parties[1:], "counter": viewer.role == "police_station",
                        **({"facts": facts} if facts is not None else {})}
                in_series = series(self.city_short, kind, now.year)
                number = case_number(in_series, uow.cases.next_number(in_series))
                case = C.append(C.Case(str(uuid.uuid4()), kind, number=number), C.Action(C.SUBMITTED, now, viewer.username, viewer.role,
                                                                          data), 0, viewer)
                uow.cases.add(case, township, key, self.limits(now.date()))
                self._notify(uow, case, now)
                uow.log(now, viewer.username, "case.submit", case.id, kind)
                if application.consent is not None:
                    consent = parse_input(C.CONSENT_RECORDED, application.consent)
                    case = self._append(uow, viewer, case, township, C.CONSENT_RECORDED, consent, case.version, now)
                uow.commit()
            return case, True
        except (IntegrityError, self.engine.dialect.dbapi.IntegrityError):
            # the key was used before, or at the same moment by another request that won
            with UnitOfWork(self.engine) as uow:
                first = uow.cases.case_for_key(key, viewer.username)
                if first is None:
                    raise
                return uow.cases.get(first)[0], False

    def _checked_kind_and_township(self, viewer: Viewer, application: Application) -> tuple[str, str]:
        if viewer.role not in ("applicant", "police_station"):
            raise CaseError("role", Msg("applications are submitted by the applicant, or by a police station at "
                                                "the counter"), status=403)
        if application.kind not in C.KINDS:
            raise InputError("kind", Msg("expected one of {choices}", choices=", ".join(C.KINDS)))
        township = application.township
        if viewer.role == "police_station":
            township = township or viewer.township
            if township != viewer.township:
                raise CaseError("township", Msg("a police station opens cases of its own township"), status=403)
        if not is_township_of(township, self.city):
            raise InputError("township", Msg("expected the 9-digit code of a township of the city ({city}…)", city=self.city))
        return application.kind, township

    def _applicant(self, viewer: Viewer, application: Application) -> dict[str, Any]:
        if viewer.role == "applicant":
            if application.applicant is not None:
                raise CaseError("applicant", Msg("an applicant applies for themselves; a police station names the "
                                                 "citizen at its counter"), status=403)
            if not viewer.id_number:
                raise CaseError("id_number", Msg("your account is not linked to a citizen ID number yet: ask the "
                                                 "police station to link it (real-name check), then apply"), status=403)
            return {"key": APPLICANT, "relation": APPLICANT, "id_number": viewer.id_number, "name": None}
        given = application.applicant if isinstance(application.applicant, dict) else None
        if given is None:
            raise InputError("applicant", Msg("name the citizen at the counter: their ID number and name"))
        return {"key": APPLICANT, "relation": APPLICANT, "id_number": _id_number(given.get("id_number"), "applicant.id_number"),
                "name": _name(given.get("name"), "applicant.name")}

    # --- acting ------------------------------------------------------------------------------------

    def act(self, viewer: Viewer, case_id: str, type_: str, data: Any, expected_version: Any, now: datetime) -> CaseView:
        """Append one action in one transaction; a concurrent append of the same version loses with 409.
        Returns the case as the actor now sees it (the action's audit entry covers that read)."""
        if not isinstance(expected_version, int) or isinstance(expected_version, bool) or expected_version < 0:
            raise InputError("expected_version", Msg("expected the version you saw (a whole number)"))
        if type_ == C.SUBMITTED:
            raise CaseError("type", Msg("a case is submitted once, as a new application"), status=409)
        data = parse_input(type_, data if data is not None else {})
        with UnitOfWork(self.engine) as uow:
            case, row = uow.cases.get(case_id)
            if disclosure(viewer, case, row.township) is None:
                raise CaseError("case", Msg("no case {case}", case=case_id), status=404)
            case = self._append(uow, viewer, case, row.township, type_, data, expected_version, now)
            view = self._view(uow, viewer, case, row, disclosure(viewer, case, row.township), now.date())
            uow.commit()
        return view

    def _append(self, uow: UnitOfWork, viewer: Viewer, case: C.Case, township: str | None, type_: str,
                data: dict[str, Any], expected_version: int, now: datetime) -> C.Case:
        """Check, enrich and append one action and carry out its consequences, inside `uow`."""
        on = now.date()
        commands: list = []
        if type_ == C.CONSENT_RECORDED:
            data = _consent_data(viewer, case, data)
        elif type_ == C.MATERIALS_REQUESTED and not data.get("items"):
            data = {**data, "items": self._verdict_on(uow, case, on)[1]}
        elif type_ == C.MATERIALS_PROVIDED and data.get("facts") is not None:
            data = {**data, "facts": canonical_facts(data["facts"], self.city, "data.facts", on)}
        elif type_ in C.DECIDED:
            facts = self._facts(uow, case, on)
            verdict = None if facts is None else check(facts, on, self.policy)
            data = decision_record(type_, case.kind, data, verdict, facts, on)
        elif type_ == C.REGISTERED:
            data, commands = self._registration(uow, case, township, data, on)
        elif type_ == C.ISSUED:
            applicant = C.state(case).parties[:1]
            uow.register.lock_people(p.id_number for p in applicant)
            issuance(case, self._register_facts(uow, case, applicant))
        action = C.Action(type_, now, viewer.username, viewer.role, data)
        case = C.append(case, action, expected_version, viewer)
        uow.cases.append(case, self.limits(on))
        self._notify(uow, case, now)
        uow.log(now, viewer.username, f"case.{type_}", case.id, str(data.get("reason", "")))
        if commands:
            self._carry_out(uow, viewer, case, commands, now)
        if type_ in (C.REGISTERED, C.ISSUED):
            self._hand_off(uow, case, now)
        return case

    def _hand_off(self, uow: UnitOfWork, case: C.Case, now: datetime) -> None:
        """The department tasks a registration or an issued permit makes (§十–§十五), in this transaction."""
        from hukou.linkage.tasks import tasks_for

        action = case.actions[-1]
        place = action.data.get("place") if isinstance(action.data, dict) else None
        names = uow.register.division_names([place, place[:9]]) if isinstance(place, str) and len(place) == 12 else {}
        uow.tasks.add(tasks_for(case, action, self.policy, now.date(), names), now)

    def _notify(self, uow: UnitOfWork, case: C.Case, now: datetime) -> None:
        """The notifications the case's last action owes, into the outbox of this same transaction."""
        found = notices(case, case.version, now.date())
        uow.outbox.add(((case.id, n.seq, n.event, n.recipient, channel) for n in found for channel in self.channels), now)

    def _registration(self, uow: UnitOfWork, case: C.Case, township: str | None, data: dict[str, Any],
                      on: date) -> tuple[dict[str, Any], list]:
        movers = C.who_moves(case, on, data.get("followers"))
        uow.register.lock_people(p.id_number for p in movers)  # before anything about them is read
        facts = self._register_facts(uow, case, movers)
        new = sum(1 for p in movers if p.id_number not in facts.people)
        person_ids, household = uow.register.new_ids(new)
        permits = tuple(c.id for c in uow.cases.permit_cases_of(p.id_number for p in movers)
                        if C.state(c).issued_at is not None and not C.state(c).finished)
        facts = replace(facts, place=uow.register.place(data["place"]), new_person_ids=person_ids,
                        new_household_id=household, open_permits=permits)
        return registration(case, data, on, township, facts)

    def _register_facts(self, uow: UnitOfWork, case: C.Case, parties: tuple[Party, ...]) -> RegisterFacts:
        numbers = [p.id_number for p in parties]
        return RegisterFacts(uow.register.person_ids(numbers),
                             uow.cases.moved_since(numbers, C.state(case).submitted_at, case.id))

    def _carry_out(self, uow: UnitOfWork, viewer: Viewer, case: C.Case, commands: list, now: datetime) -> None:
        uow.register.carry_out(commands)
        record = case.actions[-1].data
        moved_ids = {m["party"]: m["person_id"] for m in record["moved"]}
        s = C.state(case)
        uow.cases.mark_moved(case.id, [p for p in s.parties if p.key in moved_ids], now, moved_ids)
        uow.log(now, viewer.username, "register.hukou", ",".join(str(i) for i in moved_ids.values()), case.id)
        for c in commands:
            if isinstance(c, CancelPermit):
                permit, _ = uow.cases.get(c.case_id)
                cancel = C.Action(C.CANCELLED, now, viewer.username, viewer.role,
                                  {"reason": c.reason, "settled_by": case.id})
                permit = C.append(permit, cancel, permit.version, viewer)
                uow.cases.append(permit, self.limits(now.date()))
                uow.log(now, viewer.username, f"case.{C.CANCELLED}", permit.id, c.reason)

    # --- reading -----------------------------------------------------------------------------------

    def summary(self, viewer: Viewer, case: C.Case, township: str | None, now: datetime) -> CaseView:
        """The case as its submitter sees it right after submitting, without reading the database again
        (no verdict: that is on the case itself)."""
        s, today = C.state(case), now.date()
        needed = {p.key for p in C.required_consents(case, today)}
        parties = [PartyView(p.key, p.relation, p.name, p.id_number, p.adult_on(today), p.key in s.consents,
                             p.key in needed) for p in s.parties]
        return CaseView(case, s, township, FULL, C.next_actions(case, viewer, today),
                        case_deadline(case, self.limits(today)), parties)

    def read(self, viewer: Viewer, case_id: str, purpose: str | None, now: datetime) -> CaseView:
        """A case as `viewer` may see it, for a purpose they chose: the read is logged."""
        purpose = checked_purpose(viewer.role, purpose)
        with UnitOfWork(self.engine) as uow:
            case, row = uow.cases.get(case_id)
            seen = disclosure(viewer, case, row.township)
            if seen is None:
                raise CaseError("case", Msg("no case {case}", case=case_id), status=404)
            view = self._view(uow, viewer, case, row, seen, now.date())
            uow.log(now, viewer.username, "case.read", case.id, purpose)
            if seen == FULL and viewer.role in C.OFFICERS:
                view = self._with_register_facts(uow, viewer, view, now, purpose)
            uow.commit()
        return view

    def _with_register_facts(self, uow: UnitOfWork, viewer: Viewer, view: CaseView, now: datetime,
                             purpose: str) -> CaseView:
        """The register's facts of the applicant today, beside those given on the case (an officer
        checks one against the other); the read of the register is logged with the officer's purpose."""
        applicant = view.state.applicant
        person = uow.register.person_id(applicant.id_number) if applicant else None
        facts = None
        if person is not None:
            try:
                facts = uow.register.facts(person, now.date())
                uow.log(now, viewer.username, "register.facts", str(person), purpose)
            except InputError:  # no hukou registered at that date: nothing to compare
                facts = None
        places = {r.get("place") for f in (facts, view.given_facts) if f for r in f.get("residence") or ()
                  if isinstance(r, dict)} | {(f.get("hukou") or {}).get("place") for f in (facts, view.given_facts) if f}
        names = uow.register.division_names(p for p in places if isinstance(p, str) and len(p) == 12)
        return replace(view, register_facts=facts, place_names=names)

    def _view(self, uow: UnitOfWork, viewer: Viewer, case: C.Case, row: S.CaseRow, seen: str, today: date) -> CaseView:
        s = C.state(case)
        officer = viewer.role in C.OFFICERS or viewer.role == "auditor"
        needed = {p.key for p in C.required_consents(case, today)}
        in_register = uow.register.person_ids(p.id_number for p in s.parties) if officer else {}
        me = party_of(s.parties, viewer.id_number) if viewer.role == "applicant" else None
        parties = [PartyView(p.key, p.relation, p.name, p.id_number if seen == FULL or p == me else masked(p.id_number),
                             p.adult_on(today), p.key in s.consents, p.key in needed,
                             p.id_number in in_register if officer else None,
                             in_register.get(p.id_number) if officer else None)
                   for p in s.parties if seen == FULL or (me and p.key in (me.key, APPLICANT))]
        next_ = C.next_actions(case, viewer, today)
        view = CaseView(case, s, row.township, seen, next_, case_deadline(case, self.limits(today)), parties)
        if seen == FOLLOWER:
            return view
        registered = next((a.data for a in case.actions if a.type == C.REGISTERED), None)
        actors = {by: uow.display_name(by) or by for by in {a.by for a in case.actions}}
        view = replace(view, registered=registered, actors=actors,
                       given_facts=latest_facts(case) if seen == FULL else None)
        if seen == FULL and (viewer.role == "applicant" or officer):
            verdict, suggested, on, why = self._shown_verdict(uow, case, today)
            view = replace(view, verdict=verdict, verdict_date=on, verdict_unavailable=why,
                           suggested_materials=suggested if officer else [])
        if C.REGISTERED in next_ and row.township:
            view = replace(view, places=uow.register.places_of(row.township))
        if officer and seen == FULL and (s.status == C.REGISTERED or s.issued_at is not None):
            from hukou.services.linkage import summaries

            view = replace(view, tasks=summaries(self.policy, uow.tasks.of_case(case.id)))
        return view

    def _shown_verdict(self, uow: UnitOfWork, case: C.Case, today: date):
        """The verdict a decided case was decided on (from the facts it recorded), else today's."""
        decision = C.state(case).decision
        if decision is not None and isinstance(decision.data.get("facts"), dict):
            on = date.fromisoformat(decision.data["verdict"]["date"])
            verdict = check(decision.data["facts"], on, self.policy)
            return verdict, list(verdict_part(case.kind, verdict)["missing"]), on, None
        try:
            verdict, suggested = self._verdict_on(uow, case, today)
        except InputError as exc:  # e.g. the register holds no hukou for the person at that date
            return None, [], today, exc.message
        return verdict, suggested, today, None

    def _verdict_on(self, uow: UnitOfWork, case: C.Case, on: date) -> tuple[dict[str, Any] | None, list[str]]:
        facts = self._facts(uow, case, on)
        if facts is None:
            return None, []
        verdict = check(facts, on, self.policy)
        return verdict, list(verdict_part(case.kind, verdict)["missing"])

    def _facts(self, uow: UnitOfWork, case: C.Case, on: date) -> dict[str, Any] | None:
        """The latest facts given on the case, else the register's facts of its applicant at `on`, else None."""
        given = latest_facts(case)
        if given is not None:
            return given
        applicant = C.state(case).applicant
        person = uow.register.person_id(applicant.id_number) if applicant else None
        return None if person is None else uow.register.facts(person, on)

    def queue_page(self, viewer: Viewer, purpose: str | None, query: QueueQuery, today: date,
                   now: datetime) -> QueuePage:
        """One page of the cases `viewer` may see, filtered, searched and sorted as `query` asks (by
        default the open ones, an applicant's all their own, by due date); the read is logged with
        the ids shown."""
        purpose = checked_purpose(viewer.role, purpose)
        with UnitOfWork(self.engine) as uow:
            page = case_queue.queue(uow.session, viewer, query, today)
            uow.log(now, viewer.username, "case.list", ",".join(i.id for i in page.items), purpose)
            uow.commit()
        return page

    def queue(self, viewer: Viewer, purpose: str | None, today: date, now: datetime,
              limit: int = MAX_PAGE_SIZE) -> list[QueueItem]:
        """The first page of the default queue: the cases that need work, the earliest due first."""
        size = min(max(limit, 1), MAX_PAGE_SIZE)
        return self.queue_page(viewer, purpose, QueueQuery(page_size=size), today, now).items

    def overrides(self, viewer: Viewer, purpose: str | None, now: datetime) -> list[Override]:
        """Every decision against the rules' verdict, oldest first, with its second approvers; the read is logged."""
        if viewer.role not in OVERSIGHT:
            raise CaseError("role", Msg("only {roles} read this report", roles=", ".join(sorted(OVERSIGHT))), status=403)
        purpose = checked_purpose(viewer.role, purpose)
        with UnitOfWork(self.engine) as uow:
            found = _overrides(uow)
            uow.log(now, viewer.username, "report.overrides", ",".join(o.case_id for o in found), purpose)
            uow.commit()
        return found

    def places(self, township: str) -> list[tuple[str, str, bool]]:
        with UnitOfWork(self.engine) as uow:
            return uow.register.places_of(township)


def _id_number(value: Any, path: str) -> str:
    try:
        return checked_id_number(value if isinstance(value, str) else "")
    except IdNumberError as exc:
        raise InputError(path, exc.args[0]) from None


def _name(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > 40:
        raise InputError(path, Msg("the name as on the ID card (1 to 40 characters)"))
    return value.strip()


def _followers(given: Any) -> list[dict[str, Any]]:
    if not isinstance(given, (list, tuple)):
        raise InputError("followers", Msg("expected a list of the people who move with the applicant"))
    if len(given) > MAX_FOLLOWERS:
        raise InputError("followers", Msg("at most {max} people", max=MAX_FOLLOWERS))
    out = []
    for i, f in enumerate(given, start=1):
        path = f"followers[{i - 1}]"
        if not isinstance(f, dict):
            raise InputError(path, Msg("expected relation, id_number and name"))
        if f.get("relation") not in RELATIONS:
            raise InputError(f"{path}.relation", Msg("expected one of {choices}", choices=", ".join(RELATIONS)))
        out.append({"key": f"f{i}", "relation": f["relation"], "id_number": _id_number(f.get("id_number"), f"{path}.id_number"),
                    "name": _name(f.get("name"), f"{path}.name")})
    return out


def _consent_data(viewer: Viewer, case: C.Case, data: dict[str, Any]) -> dict[str, Any]:
    """An applicant's account consents as the party it is; a police station names the party and the
    number on the ID card shown at the counter."""
    if viewer.role == "applicant":
        me = party_of(C.state(case).parties, viewer.id_number)
        if me is None or data.get("party") not in (None, me.key) or data.get("in_person"):
            raise CaseError("data.party", Msg("each person consents under their own account"), status=403)
        return {**data, "party": me.key, "id_number": me.id_number}
    if not data.get("party"):
        raise CaseError("data.party", Msg("whose consent: applicant, f1, f2, …"))
    if not data.get("id_number"):
        raise CaseError("data.id_number", Msg("the number on the ID card shown at the counter"))
    return data


def _overrides(uow: UnitOfWork) -> list[Override]:
    from sqlalchemy import select

    a, c = S.CaseActionRow, S.CaseRow
    rows = uow.session.execute(select(a, c).join(c, c.id == a.case_id).where(a.type.in_(C.DECIDED))
                               .order_by(a.at, a.case_id)).all()
    rows = [(x, y) for x, y in rows if x.data.get("override") or (x.type == C.REJECTED and x.data.get("verdict") == "eligible")]
    seconds: dict[tuple[str, int], list[str]] = {}
    if rows:
        for second in uow.session.scalars(select(a).where(a.type == C.SECOND_APPROVAL,
                                                          a.case_id.in_([y.id for _, y in rows])).order_by(a.seq)):
            if second.data.get("agree", True):
                seconds.setdefault((second.case_id, second.data.get("decision")), []).append(second.by_user)
    out = []
    for x, y in rows:
        verdict = x.data.get("verdict")
        status, on = (verdict.get("status", ""), verdict.get("date", "")) if isinstance(verdict, dict) else \
            (str(verdict or ""), str(x.data.get("verdict_date", "")))
        approvers = tuple(seconds.get((y.id, x.seq), ()))
        out.append(Override(y.id, y.kind, y.township, x.type, x.at, x.by_user, status, on,
                            str(x.data.get("failed_rule", "")), str(x.data.get("reason", "")), approvers,
                            bool(approvers) or not x.data.get("override")))
    return out

"""Cases in the database: each append is one transaction, checked by the pure case rules first;
submissions are idempotent; every read of a person's case and every action goes to a hash-chained
audit log. Two officers acting on the same version: one wins, the other gets a conflict (409).

Facts given on a case are checked and kept in canonical form (`cases.facts`); a case's facts at a
date are the latest given on it, else the register's for its person. `verdict` runs the rules on
them; callers that show it have logged the read of the case first.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hukou.cases import case as C
from hukou.cases.access import Viewer
from hukou.cases.facts import FACT_ACTIONS, canonical_facts, latest_facts
from hukou.cases.rejection import OVERRIDE, checked_rejection
from hukou.policies import DEFAULT_POLICY, load
from hukou.policy.policy_file import Policy
from hukou.policy.verdict import check
from hukou.store import case_queue
from hukou.store import schema as S
from hukou.store.case_queue import QueueItem
from hukou.store.database import person_facts
from hukou.store.driver_sql import DriverSQL

GENESIS = "0" * 64
SERVER_KEYS = ("verdict", "verdict_date", "verdict_policy")  # written by the server into a rejection
AUDIT_LOCK = 0x68756B6F  # "huko": the advisory lock that serializes the audit chain on PostgreSQL


def _entry_hash(prev: str, seq: int, at: datetime, who: str, what: str, subject: str, why: str) -> str:
    body = json.dumps([prev, seq, at.isoformat(), who, what, subject, why], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def audit(session: Session, at: datetime, who: str, what: str, subject: str, why: str) -> None:
    """Append to the audit log inside the caller's transaction. Writers take turns: SQLite transactions
    hold the write lock from their start (`database.connect`); PostgreSQL takes an advisory lock."""
    # cut to the columns' sizes (a long purpose or reason must not fail the action on PostgreSQL)
    who, what, subject, why = str(who)[:60], str(what)[:40], str(subject)[:80], str(why)[:200]
    db = DriverSQL(session)
    if db.postgres:
        last = _lock_and_last_pg(db)
    else:
        last = db.one("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    db.run("INSERT INTO audit_log (seq, at, who, what, subject, why, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
           (seq, db.when(at), who, what, subject, why, prev, _entry_hash(prev, seq, at, who, what, subject, why)))


def _lock_and_last_pg(db: DriverSQL) -> tuple[int, str] | None:
    """The advisory lock, then the last entry, in one round trip while others wait for the lock: two
    statements in one simple query, each with its own snapshot, so the read sees the entry that the
    lock's previous holder committed."""
    db.cursor.execute(f"SELECT pg_advisory_xact_lock({AUDIT_LOCK}); "
                      "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
    db.cursor.nextset()
    row = db.cursor.fetchone()
    return (row[0], row[1]) if row else None


def verify_audit(engine: Engine) -> int | None:
    """The first entry whose hash does not follow from the chain, or None when the chain is whole."""
    prev = GENESIS
    with Session(engine) as session:
        for e in session.scalars(select(S.AuditEntry).order_by(S.AuditEntry.seq)):
            if e.prev_hash != prev or e.hash != _entry_hash(prev, e.seq, e.at, e.who, e.what, e.subject, e.why):
                return e.seq
            prev = e.hash
    return None


def _to_case(row: S.CaseRow, actions: list[S.CaseActionRow]) -> C.Case:
    return C.Case(row.id, row.kind, tuple(C.Action(a.type, a.at, a.by_user, a.role, dict(a.data)) for a in actions))


@dataclass(frozen=True)
class OverriddenRejection:
    """A rejection of a person the rules found eligible (reported: §五, no hidden thresholds)."""

    case_id: str
    kind: str
    person_id: int | None
    township: str | None
    rejected_at: datetime
    rejected_by: str
    failed_rule: str
    reason: str
    verdict_date: str
    second_approvers: tuple[str, ...]


class CaseStore:
    def __init__(self, engine: Engine, city: str = "652301", policy: Policy | None = None):
        self.engine = engine
        self.city = city  # GB/T 2260 code: registrations other than a graduate's move stay inside it
        self.policy = policy if policy is not None else load(DEFAULT_POLICY)  # what rejections are checked against

    def submit(self, kind: str, action: C.Action, idempotency_key: str, person_id: int | None = None,
               township: str | None = None) -> tuple[C.Case, bool]:
        """A new case from its submission, or the first case for a replayed key (second value False).
        A replay is found by its key's uniqueness: the new case's INSERTs fail, nothing is written."""
        try:
            return self._submit(kind, action, idempotency_key, person_id, township), True
        except (IntegrityError, self.engine.dialect.dbapi.IntegrityError):
            # the key was used before (or at the same moment by another request, which won): its case
            # is the answer; else the person is missing, the caller's error
            keys = S.IdempotencyKey.__table__
            with Session(self.engine) as session:
                first = session.execute(select(keys.c.case_id).where(keys.c.key == idempotency_key,
                                                                     keys.c.user == action.by)).scalar()
                if first is not None:
                    return self._load(session, first), False
                if person_id is not None and session.get(S.Person, person_id) is None:
                    raise C.CaseError("person_id", f"no person {person_id} in the register") from None
            raise

    def _submit(self, kind, action, idempotency_key, person_id, township) -> C.Case:
        action = self._with_facts(action)
        case = C.append(C.Case(str(uuid.uuid4()), kind), action, 0)
        with Session(self.engine) as session, session.begin():
            db = DriverSQL(session)  # plain statements, parent rows first: a submission is the API's hot path
            at = db.when(action.at)
            db.run("INSERT INTO cases (id, kind, person_id, township, created_at) VALUES (?, ?, ?, ?, ?)",
                   (case.id, kind, person_id, township, at))
            db.run("INSERT INTO case_actions (case_id, seq, type, at, by_user, role, data) "
                   f"VALUES (?, 1, ?, ?, ?, ?, {db.json_slot()})",
                   (case.id, action.type, at, action.by, action.role, db.json(_jsonable(action.data))))
            db.run('INSERT INTO idempotency_keys (key, "user", case_id, created_at) VALUES (?, ?, ?, ?)',
                   (idempotency_key, action.by, case.id, at))
            audit(session, action.at, action.by, "case.submit", case.id, kind)
        return case

    def act(self, case_id: str, action: C.Action, expected_version: int) -> C.Case:
        """Append one action in one transaction; a concurrent append of the same version loses with 409."""
        try:
            action = self._with_facts(action)
            with Session(self.engine) as session, session.begin():
                before = self._load(session, case_id)
                if action.type == C.REJECTED:  # the verdict is the server's, never the client's
                    action = replace(action, data={k: v for k, v in action.data.items() if k not in SERVER_KEYS})
                case = C.append(before, action, expected_version)
                if action.type == C.REJECTED:
                    on = action.at.date()
                    verdict = self._verdict_in(session, before, on)
                    action = replace(action, data=checked_rejection(before.kind, action.data, verdict, on))
                    case = C.append(before, action, expected_version)
                self._add_action(session, case_id, case.version, action)
                if action.type == C.REGISTERED:
                    moved = _move_hukou(session, session.get(S.CaseRow, case_id), action, self.city)
                    self._close_permits(session, moved, case_id, action)
                audit(session, action.at, action.by, f"case.{action.type}", case_id, action.data.get("reason", ""))
            return case
        except IntegrityError:
            raise C.CaseError("expected_version", "someone acted on this case at the same moment; reload and try again",
                              status=409) from None

    def read(self, case_id: str, who: str, why: str, at: datetime) -> C.Case:
        """A case, for someone, for a reason: the read is logged."""
        with Session(self.engine) as session, session.begin():
            case = self._load(session, case_id)
            audit(session, at, who, "case.read", case_id, why)
        return case

    def jurisdiction(self, case_id: str) -> tuple[C.Case, str | None]:
        """The case and its township, to decide who may see it (not shown to anyone, so not logged)."""
        with Session(self.engine) as session:
            row = session.get(S.CaseRow, case_id)
            if row is None:
                raise C.CaseError("case", f"no case {case_id}", status=404)
            return self._load(session, case_id), row.township

    def case_facts(self, case_id: str, on: date) -> dict[str, Any] | None:
        """The latest facts given on the case, else its register person's facts at `on`, else None."""
        with Session(self.engine) as session:
            return self._facts(session, self._load(session, case_id), on)

    def verdict(self, case_id: str, on: date, policy: Policy | None = None) -> dict[str, Any] | None:
        """The RULEBOOK §7 verdict on the case's facts at `on` (None when the case has no facts)."""
        facts = self.case_facts(case_id, on)
        return None if facts is None else check(facts, on, policy or self.policy)

    def queue(self, viewer: Viewer, today: date, working_days: int, limit: int = 200) -> list[QueueItem]:
        """The unfinished cases `viewer` may see (an applicant: all their own), overdue first, then by
        due date (none last), then by submission; two queries however many cases there are."""
        return case_queue.queue(self.engine, viewer, today, working_days, limit)

    def overridden_rejections(self) -> list[OverriddenRejection]:
        """Rejections of people the rules found eligible, oldest first, with who approved them second."""
        with Session(self.engine) as session:
            rows = session.execute(select(S.CaseActionRow, S.CaseRow).join(S.CaseRow, S.CaseRow.id == S.CaseActionRow.case_id)
                                   .where(S.CaseActionRow.type == C.REJECTED)
                                   .order_by(S.CaseActionRow.at, S.CaseActionRow.case_id)).all()
            rows = [(a, c) for a, c in rows if a.data.get("verdict") == OVERRIDE]
            seconds: dict[str, list[str]] = {}
            if rows:
                for case_id, by in session.execute(select(S.CaseActionRow.case_id, S.CaseActionRow.by_user)
                                                   .where(S.CaseActionRow.type == C.SECOND_APPROVAL,
                                                          S.CaseActionRow.case_id.in_([c.id for _, c in rows]))
                                                   .order_by(S.CaseActionRow.seq)):
                    seconds.setdefault(case_id, []).append(by)
            return [OverriddenRejection(c.id, c.kind, c.person_id, c.township, a.at, a.by_user,
                                        str(a.data.get("failed_rule", "")), str(a.data.get("reason", "")),
                                        str(a.data.get("verdict_date", "")), tuple(seconds.get(c.id, ())))
                    for a, c in rows]

    def log_read(self, who: str, what: str, subject: str, why: str, at: datetime) -> None:
        """Log a read that is not of one case (a list, a report) in the audit chain."""
        with Session(self.engine) as session, session.begin():
            audit(session, at, who, what, subject, why)

    def count(self) -> int:
        with Session(self.engine) as session:
            return session.scalar(select(func.count()).select_from(S.CaseRow)) or 0

    def _with_facts(self, action: C.Action) -> C.Action:
        """The action with its facts (if any) checked and canonical; facts come only with a submission or materials."""
        if action.data.get("facts") is None:
            return action
        if action.type not in FACT_ACTIONS:
            raise C.CaseError("data.facts", "facts come with the submission or with materials provided")
        return replace(action, data={**action.data, "facts": canonical_facts(action.data["facts"], self.city, "data.facts")})

    def _close_permits(self, session: Session, people: list[int], settled_by: str, action: C.Action) -> None:
        """Settled people need no residence permit: cancel each issued one still open, in the same transaction."""
        rows = session.scalars(select(S.CaseRow).where(S.CaseRow.kind == "residence_permit",
                                                       S.CaseRow.person_id.in_(people)).order_by(S.CaseRow.id)).all()
        for row in rows:
            permit = self._load(session, row.id)
            s = C.state(permit)
            if s.issued_at is None or s.finished:
                continue
            reason = f"settled: hukou registered by case {settled_by}"
            cancel = C.Action(C.CANCELLED, action.at, action.by, action.role, {"reason": reason, "settled_by": settled_by})
            permit = C.append(permit, cancel, permit.version)
            self._add_action(session, row.id, permit.version, cancel)
            audit(session, action.at, action.by, f"case.{C.CANCELLED}", row.id, reason)

    def _verdict_in(self, session: Session, case: C.Case, on: date) -> dict[str, Any] | None:
        facts = self._facts(session, case, on)
        return None if facts is None else check(facts, on, self.policy)

    @staticmethod
    def _facts(session: Session, case: C.Case, on: date) -> dict[str, Any] | None:
        given = latest_facts(case)
        if given is not None:
            return given
        person_id = session.get(S.CaseRow, case.id).person_id
        return None if person_id is None else person_facts(session.connection(), person_id, on)

    @staticmethod
    def _add_action(session: Session, case_id: str, seq: int, action: C.Action) -> None:
        session.add(S.CaseActionRow(case_id=case_id, seq=seq, type=action.type, at=action.at, by_user=action.by,
                                    role=action.role, data=_jsonable(action.data)))
        session.flush()  # the (case_id, seq) key is checked here, inside the transaction

    @staticmethod
    def _load(session: Session, case_id: str) -> C.Case:
        row = session.get(S.CaseRow, case_id)
        if row is None:
            raise C.CaseError("case", f"no case {case_id}", status=404)
        actions = session.scalars(select(S.CaseActionRow).where(S.CaseActionRow.case_id == case_id)
                                  .order_by(S.CaseActionRow.seq)).all()
        return _to_case(row, list(actions))


def _move_hukou(session: Session, row: S.CaseRow, action: C.Action, city: str) -> list[int]:
    """A registered settlement or move updates the register in the same transaction: the hukou moves
    in (the person and every follower), and they join a household or found one. `data`: `place`
    (12-digit code), `urban`, `household` (family | collective) or `household_id`, `followers` (ids).
    Returns the people whose hukou moved."""
    data = action.data
    if row.person_id is None:
        raise C.CaseError("person_id", "the case names no person of the register to register")
    place = str(data.get("place", ""))
    if not (len(place) == 12 and place.isdigit()):
        raise C.CaseError("data.place", f"expected the 12-digit code of the community or village (got {place!r})")
    if row.kind != "graduate_move" and not place.startswith(city):  # a graduate may move back to the origin
        raise C.CaseError("data.place", f"{place} is not in the city ({city})")
    urban = data.get("urban")
    if not isinstance(urban, bool):
        raise C.CaseError("data.urban", "expected true or false")
    people = [row.person_id, *data.get("followers", [])]
    for pid in people:
        if session.get(S.Person, pid) is None:
            raise C.CaseError("data.followers", f"no person {pid} in the register")
    household_id = data.get("household_id")
    if household_id is None:
        kind = data.get("household", "family")
        if kind not in ("family", "collective"):
            raise C.CaseError("data.household", f"expected family or collective (got {kind!r})")
        household = S.Household(kind=kind, place=place, head_person_id=row.person_id)
        session.add(household)
        session.flush()
        household_id = household.id
    elif session.get(S.Household, household_id) is None:
        raise C.CaseError("data.household_id", f"no household {household_id}")
    since = action.at.date()
    for pid in people:
        session.add(S.Hukou(person_id=pid, since=since, place=place, urban=urban, household_id=household_id))
        head = pid == row.person_id and data.get("household_id") is None
        session.add(S.HouseholdMember(household_id=household_id, person_id=pid, relation="head" if head else "member",
                                      since=since))
    session.flush()
    return people


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(data, ensure_ascii=False, default=str))

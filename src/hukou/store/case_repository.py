"""The cases' tables, inside one unit of work: load a case, add one, append an action, and the
lookups across cases that a registration needs (who moved whom, which permits are open).

A submission's rows are plain INSERTs through the driver (the API's hot path, docs/benchmarks.md);
an appended action goes through the ORM and is flushed at once, so the (case_id, seq) key refuses a
second append of the same version inside the transaction. Both write the case's queue columns (its
status, due date, whose turn it is: cases/queue_columns.py) in the same transaction, derived from the
log they leave.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Iterable

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hukou.cases import case as C
from hukou.cases.deadlines import TimeLimits
from hukou.cases.errors import CaseError
from hukou.cases.parties import Party
from hukou.cases.queue_columns import queue_columns
from hukou.i18n import Msg
from hukou.store import schema as S
from hukou.store.driver_sql import DriverSQL


def jsonable(data: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(data, ensure_ascii=False, default=str))


def to_case(row: S.CaseRow, actions: Iterable[S.CaseActionRow]) -> C.Case:
    return C.Case(row.id, row.kind, tuple(C.Action(a.type, a.at, a.by_user, a.role, _data(a.data)) for a in actions),
                  row.number or "")


def _data(value) -> dict[str, Any]:
    """An action's data as a mapping (an earlier version's log may hold anything JSON)."""
    return dict(value) if isinstance(value, dict) else {"value": value}


class CaseRepository:
    def __init__(self, session: Session):
        self.session = session

    def get(self, case_id: str) -> tuple[C.Case, S.CaseRow]:
        """The case and its row (township, applicant person); CaseError 404 when there is none."""
        row = self.session.get(S.CaseRow, case_id) if isinstance(case_id, str) and len(case_id) <= 36 else None
        if row is None:
            raise CaseError("case", Msg("no case {case}", case=str(case_id)[:40]), status=404)
        actions = self.session.scalars(select(S.CaseActionRow).where(S.CaseActionRow.case_id == case_id)
                                       .order_by(S.CaseActionRow.seq)).all()
        return to_case(row, actions), row

    def case_for_key(self, key: str, user: str) -> str | None:
        keys = S.IdempotencyKey.__table__
        return self.session.execute(select(keys.c.case_id).where(keys.c.key == key, keys.c.user == user)).scalar()

    def next_number(self, series: str) -> int:
        """The next place in a series of case numbers (cases/numbers.py), counted in this transaction:
        the counter's row stays locked until it commits, so two submissions never get the same one."""
        row = DriverSQL.of(self.session).one(
            "INSERT INTO case_counters (series, last) VALUES (?, 1) "
            "ON CONFLICT (series) DO UPDATE SET last = case_counters.last + 1 RETURNING last", (series,))
        return int(row[0])

    def add(self, case: C.Case, township: str, key: str, limits: TimeLimits = TimeLimits()) -> None:
        """A new case with its submission, its parties and its idempotency key (an IntegrityError when
        the key was used before: the caller answers with the first case)."""
        action, parties = case.actions[0], C.state(case).parties
        db = DriverSQL.of(self.session)
        at = db.when(action.at)
        q = queue_columns(case, limits)
        rows = [("INSERT INTO cases (id, kind, person_id, township, created_at, number, status, due, submitted_at, "
                 "finished, waiting_on, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 (case.id, case.kind, parties[0].person_id, township, at, case.number or None, q.status,
                  q.due if db.postgres or q.due is None else q.due.isoformat(), at, q.finished, q.waiting_on, at)),
                ('INSERT INTO idempotency_keys (key, "user", case_id, created_at) VALUES (?, ?, ?, ?)',
                 (key, action.by, case.id, at)),
                ("INSERT INTO case_actions (case_id, seq, type, at, by_user, role, data) "
                 f"VALUES (?, 1, ?, ?, ?, ?, {db.json_slot()})",
                 (case.id, action.type, at, action.by, action.role, db.json(action.data))),
                ("INSERT INTO case_parties (case_id, party, kind, relation, id_number, name, person_id) VALUES "
                 + ", ".join("(?, ?, ?, ?, ?, ?, ?)" for _ in parties),
                 tuple(v for p in parties
                       for v in (case.id, p.key, case.kind, p.relation, p.id_number, p.name[:40] or None, p.person_id)))]
        if db.postgres:  # one statement, one round trip: the inserts as data-modifying WITH clauses
            *first, last = rows
            db.run("WITH " + ", ".join(f"i{n} AS ({sql})" for n, (sql, _) in enumerate(first)) + " " + last[0],
                   tuple(v for _, params in rows for v in params))
        else:
            for sql, params in rows:
                db.run(sql, params)

    def append(self, case: C.Case, limits: TimeLimits = TimeLimits()) -> None:
        """The case's last action, as the version it makes, and the queue columns of the log it leaves."""
        action = case.actions[-1]
        self.session.add(S.CaseActionRow(case_id=case.id, seq=case.version, type=action.type, at=action.at,
                                         by_user=action.by, role=action.role, data=jsonable(action.data)))
        try:
            self.session.flush()
        except IntegrityError:
            raise CaseError("expected_version", Msg("someone acted on this case at the same moment; reload and try again"),
                            status=409) from None
        q = queue_columns(case, limits)
        self.session.execute(update(S.CaseRow).where(S.CaseRow.id == case.id).values(
            status=q.status, due=q.due, submitted_at=q.submitted_at, finished=q.finished, waiting_on=q.waiting_on,
            updated_at=q.updated_at))

    def moved_since(self, id_numbers: Iterable[str], since: datetime, except_case: str) -> dict[str, str]:
        """id_number -> the other case whose registration moved that person after `since`."""
        p = S.CaseParty
        rows = self.session.execute(select(p.id_number, p.case_id).where(
            p.id_number.in_(list(id_numbers)), p.moved_at.is_not(None), p.moved_at > since, p.case_id != except_case)).all()
        return {number: case_id for number, case_id in rows}

    def mark_moved(self, case_id: str, parties: Iterable[Party], at: datetime, person_ids: dict[str, int]) -> None:
        for party in parties:
            row = self.session.get(S.CaseParty, (case_id, party.key))
            row.moved_at, row.person_id = at, person_ids.get(party.key, row.person_id)

    def permit_cases_of(self, id_numbers: Iterable[str]) -> list[C.Case]:
        """Every residence-permit case of these people (as applicants), with its log."""
        p = S.CaseParty
        ids = self.session.scalars(select(p.case_id).where(p.id_number.in_(list(id_numbers)), p.party == "applicant",
                                                           p.kind == "residence_permit").order_by(p.case_id)).all()
        return [self.get(case_id)[0] for case_id in ids]

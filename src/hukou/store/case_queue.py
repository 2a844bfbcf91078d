"""The work queue: the cases a viewer may see that still need work, the overdue ones first.

Two queries whatever the number of cases: the visible unfinished cases, then all their actions at
once; state, deadline and next actions are derived from each log in memory (the pure case rules).
The SQL filter is `cases.access.may_see` narrowed for the database; every row is checked with
`may_see` again, so the two cannot disagree in the viewer's favour.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from itertools import groupby

from sqlalchemy import Engine, and_, exists, false, select
from sqlalchemy.orm import Session, aliased

from hukou.cases import case as C
from hukou.cases.access import SEE_ALL, Viewer, may_see
from hukou.cases.deadlines import case_deadline
from hukou.store import schema as S


@dataclass(frozen=True)
class QueueItem:
    id: str
    kind: str
    status: str
    person_id: int | None
    township: str | None
    submitted_at: datetime | None
    due: date | None
    overdue: bool
    next_actions: tuple[str, ...]  # for the viewer's role


def _visible(viewer: Viewer):
    """The SQL condition for the cases `viewer` may see (see cases.access.may_see)."""
    if viewer.role == "applicant":
        first = aliased(S.CaseActionRow)
        return exists().where(first.case_id == S.CaseRow.id, first.seq == 1, first.by_user == viewer.username)
    if viewer.role == "department":
        return false()
    if viewer.role in SEE_ALL or viewer.township is None:
        return S.CaseRow.id.is_not(None)
    if viewer.role == "police_station":
        return S.CaseRow.township == viewer.township
    return false()


def _unfinished():
    """No finishing action in the log: a finished case takes no further action, so one is enough."""
    done = aliased(S.CaseActionRow)
    return ~exists().where(done.case_id == S.CaseRow.id, done.type.in_(C.FINISHED))


def queue(engine: Engine, viewer: Viewer, today: date, working_days: int, limit: int = 200) -> list[QueueItem]:
    """The viewer's cases in the order to work on them: overdue first, then by due date (none last),
    then by submission. Applicants see all their own cases, finished ones too."""
    where = _visible(viewer) if viewer.role == "applicant" else and_(_visible(viewer), _unfinished())
    with Session(engine) as session:
        rows = {r.id: r for r in session.scalars(select(S.CaseRow).where(where))}
        if not rows:
            return []
        ids = select(S.CaseRow.id).where(where).scalar_subquery()
        actions = session.scalars(select(S.CaseActionRow).where(S.CaseActionRow.case_id.in_(ids))
                                  .order_by(S.CaseActionRow.case_id, S.CaseActionRow.seq)).all()
    items = []
    for case_id, logged in groupby(actions, key=lambda a: a.case_id):
        row = rows.get(case_id)
        if row is None:  # a case that became visible between the two queries: next time
            continue
        case = C.Case(case_id, row.kind, tuple(C.Action(a.type, a.at, a.by_user, a.role, dict(a.data)) for a in logged))
        if not may_see(viewer, case, row.township):
            continue
        items.append(_item(case, row, viewer, today, working_days))
    items.sort(key=lambda i: (not i.overdue, i.due is None, i.due or date.max, i.submitted_at or datetime.max, i.id))
    return items[:limit]


def _item(case: C.Case, row: S.CaseRow, viewer: Viewer, today: date, working_days: int) -> QueueItem:
    s = C.state(case)
    deadline = case_deadline(case, working_days)
    return QueueItem(case.id, case.kind, s.status, row.person_id, row.township, s.submitted_at,
                     deadline.due if deadline else None, bool(deadline and deadline.overdue(today)),
                     tuple(C.next_actions(case, viewer.role)))

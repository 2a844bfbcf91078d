"""The work queue: the cases a viewer may see that still need work, the overdue ones first.

Two queries whatever the number of cases: the visible cases, then all their actions at once; state,
deadline and next actions are derived from each log in memory (the pure case rules). The SQL filter
is `cases.access.disclosure` narrowed for the database; every row is checked with `disclosure`
again, so the two cannot disagree in the viewer's favour.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from itertools import groupby

from sqlalchemy import and_, exists, false, select, true
from sqlalchemy.orm import Session, aliased

from hukou.cases import case as C
from hukou.cases.access import FOLLOWER, JURISDICTION_ROLES, Viewer, disclosure
from hukou.cases.deadlines import TimeLimits, case_deadline
from hukou.store import schema as S
from hukou.store.case_repository import to_case


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
    next_actions: tuple[str, ...]  # for the viewer
    applicant_name: str = ""
    following: bool = False  # the viewer is a follower on this case (they see only what consent needs)


def _visible(viewer: Viewer):
    """The SQL condition for the cases `viewer` may see (see cases.access.disclosure)."""
    if viewer.role == "applicant":
        if not viewer.id_number:
            return false()
        party = aliased(S.CaseParty)
        return exists().where(party.case_id == S.CaseRow.id, party.id_number == viewer.id_number)
    if viewer.role == "auditor":
        return true()
    if viewer.role not in JURISDICTION_ROLES:
        return false()
    if viewer.city_wide and viewer.role == "county_approver":
        return true()
    if viewer.township is None:
        return false()
    return S.CaseRow.township == viewer.township


def _unfinished():
    """No finishing action in the log: a finished case takes no further action, so one is enough."""
    done = aliased(S.CaseActionRow)
    return ~exists().where(done.case_id == S.CaseRow.id, done.type.in_(C.FINISHED))


def queue(session: Session, viewer: Viewer, today: date, limits: TimeLimits, limit: int = 200) -> list[QueueItem]:
    """The viewer's cases in the order to work on them: overdue first, then by due date (none last),
    then by submission. Applicants see all their own cases, finished ones too."""
    where = _visible(viewer) if viewer.role == "applicant" else and_(_visible(viewer), _unfinished())
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
        case = to_case(row, logged)
        seen = disclosure(viewer, case, row.township)
        if seen is None:
            continue
        items.append(_item(case, row, viewer, today, limits, seen == FOLLOWER))
    items.sort(key=lambda i: (not i.overdue, i.due is None, i.due or date.max, i.submitted_at or datetime.max, i.id))
    return items[:limit]


def _item(case: C.Case, row: S.CaseRow, viewer: Viewer, today: date, limits: TimeLimits, following: bool) -> QueueItem:
    s = C.state(case)
    deadline = case_deadline(case, limits)
    applicant = s.applicant.name if s.applicant else ""
    return QueueItem(case.id, case.kind, s.status, None if following else row.person_id, row.township, s.submitted_at,
                     deadline.due if deadline else None, bool(deadline and deadline.overdue(today)),
                     tuple(C.next_actions(case, viewer, today)), applicant, following)

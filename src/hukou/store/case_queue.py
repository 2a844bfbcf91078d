"""The work queue: one page of the cases a viewer may see, filtered, searched and sorted in the
database by the queue columns each case keeps (cases/queue_columns.py), with the total for the pages.

Three queries whatever the number of cases: the count, the page (at most 100 cases), and the logs
of that page's cases. The SQL condition is `cases.access.disclosure` narrowed for the database
(`_visible`); every row of the page is checked with `disclosure` again on its log, so the two cannot
disagree in the viewer's favour, and each row's next actions come from the pure case rules on that
log. The due date, status and whose turn it is come from the stored columns (what the page was
sorted and filtered by).

A search (cases/queue_query.py) by ID number finds the cases that list that person; by case number,
that case; by part of a name, the cases that list someone whose name contains it (the applicant or
a follower). An applicant's filters and searches look only into the cases they applied for
themselves: where the cases they follow stand is not theirs to sort or filter by.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, case as when, exists, false, func, literal, select, true
from sqlalchemy.orm import Session, aliased

from hukou.cases import case as C
from hukou.cases.access import FOLLOWER, JURISDICTION_ROLES, Viewer, disclosure
from hukou.cases.parties import APPLICANT, masked
from hukou.cases.queue_columns import STATUS_ORDER, WAITING_ON, days_left
from hukou.cases.queue_query import QueueQuery, checked, search_terms
from hukou.store import schema as S
from hukou.store.case_repository import to_case


@dataclass(frozen=True)
class QueueItem:
    id: str
    kind: str
    status: str  # empty for a case the viewer follows
    person_id: int | None
    township: str | None
    submitted_at: datetime | None
    due: date | None
    overdue: bool
    next_actions: tuple[str, ...]  # for the viewer
    applicant_name: str = ""
    following: bool = False  # the viewer is a follower on this case (they see only what consent needs)
    number: str = ""  # the case number (empty for a case from before numbering, or one the viewer follows)
    applicant_id_masked: str = ""  # the applicant's ID number, its first six digits and the last
    waiting_on: str = ""  # whose turn it is (a role, or none)
    days_left: int | None = None  # until the due date (negative: past it)
    working_days: bool = False  # days_left counts working days (a settlement's limit), else calendar days


@dataclass(frozen=True)
class QueuePage:
    items: list[QueueItem]
    total: int  # cases matching the query, on every page
    page: int
    page_size: int
    query: QueueQuery = field(default_factory=QueueQuery)
    search_kind: str = ""  # id_number | number | name, when there was a search
    overdue: int = 0  # of the cases that match, those past their due date (not counted for an applicant)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


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


def _conditions(viewer: Viewer, query: QueueQuery, today: date, dialect: str = "sqlite") -> tuple[list, str]:
    c, p = S.CaseRow, S.CaseParty
    applicant = viewer.role == "applicant"
    status = query.status or ("all" if applicant or query.search.strip() else "open")
    where = [_visible(viewer)]
    if status == "open":
        where.append(c.finished.is_(False))
    elif status == "finished":
        where.append(c.finished.is_(True))
    elif status != "all":
        where.append(c.status == status)
    if query.kind:
        where.append(c.kind == query.kind)
    if query.township:
        where.append(c.township == query.township)
    if query.overdue:
        where.append(c.due < today)
    if query.waiting:
        where.append(c.waiting_on == viewer.role if viewer.role in WAITING_ON else false())
    kind, value = search_terms(query.search)
    if kind == "id_number":
        where.append(c.id.in_(select(p.case_id).where(p.id_number == value)))
    elif kind == "number":
        where.append(c.number == value)
    elif kind == "name":
        # a plain substring test (no LIKE patterns to escape): SQLite's instr is twice as fast as its LIKE
        found = func.strpos(p.name, value) if dialect == "postgresql" else func.instr(p.name, value)
        where.append(c.id.in_(select(p.case_id).where(found > 0)))
    narrowed = query.status not in (None, "all") or query.township or query.overdue or query.waiting or kind
    if applicant and narrowed:
        own = aliased(S.CaseParty)
        where.append(exists().where(own.case_id == c.id, own.party == APPLICANT, own.id_number == viewer.id_number))
    return where, kind


def _order(viewer: Viewer, sort: str) -> list:
    c = S.CaseRow
    due = c.due.asc().nulls_last()
    if viewer.role == "applicant" or sort == "newest":  # an applicant's own list: the latest application first
        return [c.submitted_at.desc(), c.id]
    if sort == "submitted":
        return [c.submitted_at, c.id]
    if sort == "status":
        rank = when({s: i for i, s in enumerate(STATUS_ORDER)}, value=c.status, else_=len(STATUS_ORDER))
        return [rank, due, c.submitted_at, c.id]
    return [due, c.submitted_at, c.id]


def queue(session: Session, viewer: Viewer, query: QueueQuery, today: date) -> QueuePage:
    """One page of the viewer's cases as `query` asks (checked first: an InputError names what is wrong)."""
    query = checked(query)
    where, search_kind = _conditions(viewer, query, today, session.get_bind().dialect.name)
    c = S.CaseRow
    late = func.coalesce(func.sum(when((c.due < today, 1), else_=0)), 0) if viewer.role != "applicant" else literal(0)
    total, overdue = session.execute(select(func.count(), late).select_from(c).where(and_(*where))).one()
    rows = session.scalars(select(c).where(and_(*where)).order_by(*_order(viewer, query.sort))
                           .offset((query.page - 1) * query.page_size).limit(query.page_size)).all()
    items = []
    if rows:
        logs: dict[str, list] = {r.id: [] for r in rows}
        for a in session.scalars(select(S.CaseActionRow).where(S.CaseActionRow.case_id.in_(list(logs)))
                                 .order_by(S.CaseActionRow.case_id, S.CaseActionRow.seq)):
            logs[a.case_id].append(a)
        for row in rows:
            case = to_case(row, logs[row.id])
            seen = disclosure(viewer, case, row.township)
            if seen is not None:
                items.append(_item(case, row, viewer, today, seen == FOLLOWER))
    return QueuePage(items, total, query.page, query.page_size, query, search_kind, int(overdue))


def _item(case: C.Case, row: S.CaseRow, viewer: Viewer, today: date, following: bool) -> QueueItem:
    s = C.state(case)
    applicant = s.applicant
    name = applicant.name if applicant else ""
    next_actions = tuple(C.next_actions(case, viewer, today))
    if following:  # what consent needs: whose case it is and what it is about, nothing of where it stands
        return QueueItem(case.id, case.kind, "", None, None, None, None, False, next_actions, name, True)
    left, working = days_left(case.kind, row.due, today) if row.due else (None, False)
    return QueueItem(case.id, case.kind, row.status, row.person_id, row.township, row.submitted_at, row.due,
                     bool(row.due and row.due < today), next_actions, name, False, row.number or "",
                     masked(applicant.id_number) if applicant else "", row.waiting_on, left, working)

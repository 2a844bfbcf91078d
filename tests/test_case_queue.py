"""The work queue: what a viewer may see, overdue first, in a fixed number of queries."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import event, insert

from hukou.cases import case as C
from hukou.cases.access import Viewer
from hukou.cases.deadlines import permit_deadline, settlement_deadline
from hukou.store import schema as S
from hukou.store.case_store import CaseStore
from hukou.store.database import connect, migrate

TODAY = date(2020, 3, 2)
TOWN, OTHER = "652301001", "652301002"
P1, P2 = Viewer("p1", "police_station", TOWN), Viewer("p2", "police_station", OTHER)


def at(day: date, hour=9) -> datetime:
    return datetime.combine(day, datetime.min.time()) + timedelta(hours=hour)


def _case(store, kind, who, submitted, accepted=None, *, end=None, key=None, township=TOWN):
    case, _ = store.submit(kind, C.Action(C.SUBMITTED, at(submitted), who, "applicant", {}), key or f"{who}-{submitted}",
                           township=township)
    if accepted:
        case = store.act(case.id, C.Action(C.ACCEPTED, at(accepted), "p1", "police_station", {}), case.version)
    if end == C.WITHDRAWN:
        case = store.act(case.id, C.Action(C.WITHDRAWN, at(TODAY), who, "applicant", {}), case.version)
    return case


@pytest.fixture()
def store(tmp_path):
    engine = connect(f"sqlite:///{tmp_path / 'queue.sqlite'}")
    migrate(engine)
    return CaseStore(engine)


def test_overdue_first_then_by_due_date_then_by_submission(store):
    late_settlement = _case(store, "settlement", "alice", date(2020, 1, 2), date(2020, 1, 2))
    late_permit = _case(store, "residence_permit", "bob", date(2020, 2, 9), date(2020, 2, 10))
    permit = _case(store, "residence_permit", "carol", date(2020, 2, 24), date(2020, 2, 25))
    waiting_new = _case(store, "settlement", "dan", date(2020, 2, 28))
    waiting_old = _case(store, "student_move", "erin", date(2020, 2, 1))
    _case(store, "settlement", "alice", date(2020, 2, 3), date(2020, 2, 3), end=C.WITHDRAWN)
    elsewhere = _case(store, "settlement", "fay", date(2020, 1, 2), date(2020, 1, 2), township=OTHER)

    items = store.queue(P1, TODAY, 20)
    assert [i.id for i in items] == [late_settlement.id, late_permit.id, permit.id, waiting_old.id, waiting_new.id]
    assert [i.overdue for i in items] == [True, True, False, False, False]
    assert items[0].due == settlement_deadline(date(2020, 1, 2), 20).due == date(2020, 2, 6)  # Spring Festival
    assert items[1].due == permit_deadline(date(2020, 2, 10)).due and items[3].due is None
    assert items[0].next_actions == (C.MATERIALS_PROVIDED, C.REVIEWED)  # for a police station
    assert items[1].next_actions == (C.DEADLINE_EXTENDED, C.MATERIALS_PROVIDED, C.REVIEWED)  # a permit may be extended
    assert items[3].kind == "student_move" and items[3].status == C.SUBMITTED and items[3].township == TOWN
    assert [i.id for i in store.queue(P2, TODAY, 20)] == [elsewhere.id]
    assert store.queue(P1, TODAY, 20, limit=2) == items[:2]
    # a longer decision period moves the settlement's due date past today
    assert not store.queue(P1, TODAY, 60)[-1].overdue and store.queue(P1, TODAY, 60)[0].id == late_permit.id


def test_applicants_see_all_their_own_cases_and_departments_none(store):
    mine = _case(store, "settlement", "alice", date(2020, 1, 2), date(2020, 1, 2))
    withdrawn = _case(store, "settlement", "alice", date(2020, 2, 3), end=C.WITHDRAWN)
    _case(store, "settlement", "bob", date(2020, 1, 2))
    items = store.queue(Viewer("alice", "applicant", None), TODAY, 20)
    assert [i.id for i in items] == [mine.id, withdrawn.id]
    assert items[0].next_actions == (C.CONSENT_RECORDED, C.MATERIALS_PROVIDED, C.WITHDRAWN)
    assert items[1].status == C.WITHDRAWN and items[1].next_actions == ()
    assert store.queue(Viewer("d", "department", None), TODAY, 20) == []
    assert len(store.queue(Viewer("a", "county_approver", None), TODAY, 20)) == 2  # the withdrawn case is done


def _bulk(engine, n, start=0):
    """n accepted settlement cases written straight to the tables (as many as a busy city has)."""
    cases, actions = [], []
    for i in range(start, start + n):
        day = date(2020, 1, 2) + timedelta(days=i % 60)
        cases.append({"id": f"case-{i:06d}", "kind": "settlement", "person_id": None, "township": TOWN,
                      "created_at": at(day)})
        actions += [{"case_id": f"case-{i:06d}", "seq": 1, "type": C.SUBMITTED, "at": at(day), "by_user": f"u{i}",
                     "role": "applicant", "data": {}},
                    {"case_id": f"case-{i:06d}", "seq": 2, "type": C.ACCEPTED, "at": at(day, 10), "by_user": "p1",
                     "role": "police_station", "data": {}}]
    with engine.begin() as conn:
        conn.execute(insert(S.CaseRow), cases)
        conn.execute(insert(S.CaseActionRow), actions)


def test_the_queue_takes_the_same_few_queries_for_ten_cases_or_three_thousand(store):
    statements = []
    event.listen(store.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    _bulk(store.engine, 10)
    statements.clear()
    assert len(store.queue(P1, TODAY, 20)) == 10
    few = len(statements)
    _bulk(store.engine, 2990, start=10)
    statements.clear()
    items = store.queue(P1, TODAY, 20, limit=5000)
    assert len(items) == 3000 and len(statements) == few <= 3
    dues = [(not i.overdue, i.due) for i in items]
    assert dues == sorted(dues) and items[0].overdue and not items[-1].overdue

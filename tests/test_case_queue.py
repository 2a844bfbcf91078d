"""The work queue: what a viewer may see, overdue first, in a fixed number of queries (filters, searches
and pages: tests/test_queue_search.py)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import event, insert

from casework_people import OTHER, TOWN, id_number, p1, p2, wang
from hukou.cases import case as C
from hukou.cases.deadlines import TimeLimits, permit_deadline, settlement_deadline
from hukou.cases.viewer import Viewer
from hukou.policies import load
from hukou.services.casework import Application, Casework
from hukou.store import case_queue
from hukou.store import schema as S
from hukou.store.database import connect, migrate
from hukou.store.unit_of_work import UnitOfWork

TODAY = date(2020, 3, 2)
FACTS = {"birth_date": "1990-03-07", "hukou": {"place": "622425", "urban": False}}


def at(day: date, hour=9) -> datetime:
    return datetime.combine(day, datetime.min.time()) + timedelta(hours=hour)


def person(name: str) -> Viewer:
    return Viewer(name, "applicant", id_number=id_number(f"622425199{sum(map(ord, name)) % 10}0101{len(name):02d}1"))


def _case(cw, kind, who, submitted, accepted=None, *, end=None, township=TOWN):
    case, _ = cw.submit(who, Application(kind, township, FACTS), f"{who.username}-{submitted}-{kind}", at(submitted))
    station = p1 if township == TOWN else p2
    if accepted:
        case = cw.act(station, case.id, C.ACCEPTED, {}, case.version, at(accepted)).case
    if end == C.WITHDRAWN:
        case = cw.act(who, case.id, C.WITHDRAWN, {}, case.version, at(TODAY)).case
    return case


@pytest.fixture()
def cw(tmp_path):
    engine = connect(f"sqlite:///{tmp_path / 'queue.sqlite'}")
    migrate(engine)
    return Casework(engine, load("changji-2018"))


def queue(cw, viewer, limit=100):
    with UnitOfWork(cw.engine) as uow:
        return case_queue.queue(uow.session, viewer, case_queue.QueueQuery(page_size=limit), TODAY).items


def test_overdue_first_then_by_due_date_then_by_submission(cw):
    alice, bob, carol, dan, erin, fay = (person(n) for n in ("alice", "bob", "carol", "dan", "erin", "fay"))
    late_settlement = _case(cw, "settlement", alice, date(2020, 1, 2), date(2020, 1, 2))
    late_permit = _case(cw, "residence_permit", bob, date(2020, 2, 9), date(2020, 2, 10))
    permit = _case(cw, "residence_permit", carol, date(2020, 2, 24), date(2020, 2, 25))
    waiting_new = _case(cw, "settlement", dan, date(2020, 2, 28))
    waiting_old = _case(cw, "student_move", erin, date(2020, 2, 1))
    _case(cw, "settlement", alice, date(2020, 2, 3), date(2020, 2, 3), end=C.WITHDRAWN)
    elsewhere = _case(cw, "settlement", fay, date(2020, 1, 2), date(2020, 1, 2), township=OTHER)

    items = queue(cw, p1)
    assert [i.id for i in items] == [late_settlement.id, late_permit.id, permit.id, waiting_old.id, waiting_new.id]
    assert [i.overdue for i in items] == [True, True, False, False, False]
    assert items[0].due == settlement_deadline(date(2020, 1, 2), 20).due == date(2020, 2, 6)  # Spring Festival
    assert items[1].due == permit_deadline(date(2020, 2, 10)).due and items[3].due is None
    assert items[0].next_actions == (C.CONSENT_RECORDED, C.MATERIALS_PROVIDED, C.REVIEWED)  # for a police station
    assert items[1].next_actions == (C.DEADLINE_EXTENDED, C.MATERIALS_PROVIDED, C.REVIEWED)  # a permit may be extended
    assert items[3].kind == "student_move" and items[3].status == C.SUBMITTED and items[3].township == TOWN
    assert [i.id for i in queue(cw, p2)] == [elsewhere.id]
    assert queue(cw, p1, limit=2) == items[:2]


def test_the_due_date_is_counted_with_the_time_limits_in_force_when_the_case_was_accepted(cw):
    cw.limits = lambda today: TimeLimits(60)  # a longer decision period: the settlement is not overdue
    late_settlement = _case(cw, "settlement", person("alice"), date(2020, 1, 2), date(2020, 1, 2))
    item, = queue(cw, p1)
    assert item.id == late_settlement.id and item.due == settlement_deadline(date(2020, 1, 2), 60).due
    assert not item.overdue and item.days_left > 0 and item.working_days


def test_applicants_see_all_their_own_cases_and_departments_none(cw):
    alice = person("alice")
    mine = _case(cw, "settlement", alice, date(2020, 1, 2), date(2020, 1, 2))
    withdrawn = _case(cw, "settlement", alice, date(2020, 2, 3), end=C.WITHDRAWN)
    _case(cw, "settlement", wang, date(2020, 1, 2))
    items = queue(cw, alice)
    assert [i.id for i in items] == [withdrawn.id, mine.id]  # the latest application first
    assert items[1].next_actions == (C.CONSENT_RECORDED, C.MATERIALS_PROVIDED, C.WITHDRAWN)
    assert items[0].status == C.WITHDRAWN and items[0].next_actions == ()
    assert queue(cw, Viewer("d", "department")) == []
    assert queue(cw, Viewer("nobody", "applicant")) == []  # an account bound to no one
    assert len(queue(cw, Viewer("a", "county_approver", city_wide=True))) == 2  # the withdrawn case is done


def _bulk(engine, n, start=0):
    """n accepted settlement cases written straight to the tables (as many as a busy city has), with
    the queue columns their logs give."""
    cases, actions = [], []
    for i in range(start, start + n):
        day = date(2020, 1, 2) + timedelta(days=i % 60)
        cases.append({"id": f"case-{i:06d}", "kind": "settlement", "person_id": None, "township": TOWN,
                      "created_at": at(day), "status": C.ACCEPTED, "due": settlement_deadline(day, 20).due,
                      "submitted_at": at(day), "finished": False, "waiting_on": "police_station",
                      "updated_at": at(day, 10)})
        actions += [{"case_id": f"case-{i:06d}", "seq": 1, "type": C.SUBMITTED, "at": at(day), "by_user": f"u{i}",
                     "role": "applicant", "data": {}},
                    {"case_id": f"case-{i:06d}", "seq": 2, "type": C.ACCEPTED, "at": at(day, 10), "by_user": "p1",
                     "role": "police_station", "data": {}}]
    with engine.begin() as conn:
        conn.execute(insert(S.CaseRow), cases)
        conn.execute(insert(S.CaseActionRow), actions)


def test_the_queue_takes_the_same_few_queries_for_ten_cases_or_three_thousand(cw):
    statements = []
    event.listen(cw.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    _bulk(cw.engine, 10)
    statements.clear()
    assert len(queue(cw, p1)) == 10
    few = len(statements)
    _bulk(cw.engine, 2990, start=10)
    statements.clear()
    with UnitOfWork(cw.engine) as uow:
        page = case_queue.queue(uow.session, p1, case_queue.QueueQuery(page_size=100, page=30), TODAY)
    assert page.total == 3000 and len(page.items) == 100 and len(statements) == few <= 4  # BEGIN, count, page, its logs
    items = queue(cw, p1)
    dues = [(not i.overdue, i.due) for i in items]
    assert dues == sorted(dues) and items[0].overdue and not page.items[-1].overdue

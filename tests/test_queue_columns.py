"""The queue columns each case keeps (status, due date, whose turn, …) always equal what its log
derives: after any sequence of actions by anyone, after a registration that cancels a permit of
another case, and after the migration that adds them to a database full of cases (SQLite and
PostgreSQL)."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from casework_people import GRANDPA, TOWN, ZHAO, p1, wang
from hukou.cases import case as C
from hukou.cases.deadlines import TimeLimits
from hukou.cases.errors import CaseError
from hukou.cases.queue_columns import QueueColumns, queue_columns, waiting_on
from hukou.policies import load
from hukou.policy.errors import InputError
from hukou.services.casework import Application, Casework
from hukou.store import schema as S
from hukou.store.database import connect, load_tables, migrate
from hukou.store.unit_of_work import UnitOfWork
from test_casework_properties import FACTS, _possible, random_step

_clock = itertools.count()
# mostly steps a real user could take now (so cases go the whole way), sometimes anything at all
onward = st.tuples(st.just(None), st.integers(0, 5))
step = st.one_of(random_step, onward, onward, onward)


def now() -> datetime:
    return datetime(2020, 3, 2, 9) + timedelta(hours=next(_clock))  # across days: deadlines move


def stored(engine, case_id: str) -> tuple[QueueColumns, C.Case]:
    with UnitOfWork(engine) as uow:
        case, row = uow.cases.get(case_id)
        return QueueColumns(row.status, row.due, row.submitted_at, row.finished, row.waiting_on, row.updated_at), case


def assert_columns_follow_the_log(engine, case_id: str, limits: TimeLimits = TimeLimits()) -> None:
    columns, case = stored(engine, case_id)
    assert columns == queue_columns(case, limits)


@pytest.fixture(scope="module")
def casework(tmp_path_factory):
    from hukou.registry.synth import generate

    engine = connect(f"sqlite:///{tmp_path_factory.mktemp('columns') / 'cases.sqlite'}")
    migrate(engine)
    load_tables(engine, generate(100, seed=5))
    return Casework(engine, load("changji-2018"))


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(kind=st.sampled_from(["settlement", "residence_permit"]), followers=st.integers(0, 2),
       ahead=st.integers(0, 8), steps=st.lists(step, min_size=1, max_size=12))
def test_the_stored_columns_equal_what_the_log_derives_after_any_actions(casework, kind, followers, ahead, steps):
    """`ahead` steps along the usual path first (consents, acceptance, review, decision, …), then anything."""
    follow = [{"relation": "spouse", "id_number": ZHAO, "name": "赵六"},
              {"relation": "parent", "id_number": GRANDPA, "name": "王老"}][:followers if kind == "settlement" else 0]
    consent = {} if kind == "settlement" else None
    case, _ = casework.submit(wang, Application(kind, TOWN, FACTS, tuple(follow), consent=consent),
                              f"columns-{next(_clock)}", now())
    assert_columns_follow_the_log(casework.engine, case.id)
    for chosen in [(None, 0)] * ahead + steps:
        _, before = stored(casework.engine, case.id)
        if chosen[0] is None:
            possible = _possible(before)
            if not possible:
                continue
            viewer, type_, payload = possible[chosen[1] % len(possible)]
            version = before.version
        else:
            viewer, type_, payload, version = chosen
            version = before.version if version < 0 else version
        try:
            casework.act(viewer, case.id, type_, payload, version, now())
        except (CaseError, InputError):
            pass
        assert_columns_follow_the_log(casework.engine, case.id)  # refused or not
    columns, _ = stored(casework.engine, case.id)
    event(f"{kind} reached {columns.status}, waiting on {columns.waiting_on}")


def test_waiting_on_follows_the_case_from_the_station_to_the_county_and_back():
    from casework_people import a1, act, run, then

    case = run("settlement", act(C.SUBMITTED, wang, 0, applicant={"key": "applicant", "relation": "applicant",
                                                                   "id_number": wang.id_number, "name": "王五"},
                                 followers=[], counter=False))
    assert waiting_on(case) == "police_station"
    case = then(case, act(C.MATERIALS_REQUESTED, p1, 1, items=["housing"]))
    assert waiting_on(case) == "applicant"
    case = then(case, act(C.MATERIALS_PROVIDED, wang, 2, items=["housing"]))
    assert waiting_on(case) == "police_station"
    case = then(case, act(C.ACCEPTED, p1, 3))
    case = then(case, act(C.REVIEWED, p1, 4))
    assert waiting_on(case) == "county_approver"
    from casework_people import decision
    case = then(case, act(C.APPROVED, a1, 5, **decision("eligible")))
    assert waiting_on(case) == "applicant"  # approved, but the applicant has not consented: no registration yet
    case = then(case, act(C.CONSENT_RECORDED, wang, 6, party="applicant", id_number=wang.id_number))
    assert waiting_on(case) == "police_station"
    assert queue_columns(case).due is None and not queue_columns(case).finished  # decided: no clock
    withdrawn = then(case, act(C.WITHDRAWN, wang, 7))
    assert waiting_on(withdrawn) == "none" and queue_columns(withdrawn).finished


def test_a_registration_that_cancels_a_permit_updates_the_permits_columns_too(tmp_path):
    from casework_people import a2
    from hukou.cases.viewer import Viewer
    from test_casework import World, bound

    world = World(f"sqlite:///{tmp_path / 'cancel.sqlite'}")
    _, number = world.register_person()
    holder = bound(world, Viewer("holder", "applicant", id_number=number))
    permit = world.to_approved(world.submit(holder, kind="residence_permit", facts=None, consent=False, key="permit"))
    permit = world.act(p1, permit, C.ISSUED)
    issued = stored(world.engine, permit.id)[0]
    assert (issued.status, issued.waiting_on, issued.finished) == (C.ISSUED, "none", False)
    settle = world.to_approved(world.submit(holder, facts=None, key="settle"), approver=a2)
    world.act(p1, settle, C.REGISTERED, place=world.places()[0])
    columns, permit_now = stored(world.engine, permit.id)
    assert permit_now.actions[-1].type == C.CANCELLED
    assert (columns.status, columns.finished, columns.waiting_on) == (C.CANCELLED, True, "none")
    assert_columns_follow_the_log(world.engine, permit.id)
    assert_columns_follow_the_log(world.engine, settle.id)


def _upgrade_a_database_full_of_cases(url: str) -> None:
    """Cases at every step written by the service, the columns taken away (down to 0006), and back."""
    from alembic import command
    from alembic.config import Config
    from importlib import resources

    from test_queue_search import Cases

    made = Cases(url)
    engine = made.cw.engine
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("hukou.store").joinpath("migrations")))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0006")
    migrate(engine)
    with UnitOfWork(engine) as uow:
        ids = uow.session.scalars(select(S.CaseRow.id)).all()
    assert len(ids) == 6
    for case_id in ids:
        assert_columns_follow_the_log(engine, case_id)
    columns = {stored(engine, made.ids[name])[0].status for name in made.ids}
    assert columns == {C.ACCEPTED, C.REVIEWED, C.SUBMITTED, C.WITHDRAWN, C.MATERIALS_REQUESTED}
    assert stored(engine, made.ids["王五"])[0].due == date(2020, 2, 6)
    engine.dispose()


def test_the_migration_fills_the_columns_of_existing_cases_from_their_logs_on_sqlite(tmp_path):
    _upgrade_a_database_full_of_cases(f"sqlite:///{tmp_path / 'old.sqlite'}")


def test_the_migration_fills_the_columns_of_existing_cases_from_their_logs_on_postgres(postgres_url):
    _upgrade_a_database_full_of_cases(postgres_url)

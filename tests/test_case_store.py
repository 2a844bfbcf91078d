"""Cases in the database: idempotent submission, versioned appends, the hash-chained audit log."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from hukou.cases import case as C
from hukou.store.case_store import CaseStore, verify_audit
from hukou.store.database import connect, migrate

T0 = datetime(2020, 3, 2, 9, 0)


def act(type_, role, by, minutes=0, **data):
    return C.Action(type_, T0 + timedelta(minutes=minutes), by, role, data)


def _store(url):
    engine = connect(url)
    migrate(engine)
    return CaseStore(engine), engine


def _flow(url):
    store, engine = _store(url)
    case, new = store.submit("settlement", act(C.SUBMITTED, "applicant", "alice", adult_followers=["spouse"]), "key-1",
                             township="652301001")
    assert new and case.version == 1
    again, new_again = store.submit("settlement", act(C.SUBMITTED, "applicant", "alice", 5), "key-1")
    assert not new_again and again.id == case.id and store.count() == 1
    case = store.act(case.id, act(C.ACCEPTED, "police_station", "p1", 10), expected_version=1)
    with pytest.raises(C.CaseError) as err:  # a second officer acting on the version they saw
        store.act(case.id, act(C.MATERIALS_REQUESTED, "police_station", "p2", 11, items=["housing"]), expected_version=1)
    assert err.value.status == 409
    case = store.act(case.id, act(C.REVIEWED, "police_station", "p1", 20), expected_version=2)
    read = store.read(case.id, "a1", "decide the application", T0 + timedelta(minutes=30))
    assert [a.type for a in read.actions] == [C.SUBMITTED, C.ACCEPTED, C.REVIEWED]
    assert read.actions[0].data == {"adult_followers": ["spouse"]}
    assert verify_audit(engine) is None
    with engine.connect() as conn:
        log = conn.execute(text("SELECT what, who FROM audit_log ORDER BY seq")).fetchall()
    assert [tuple(r) for r in log] == [("case.submit", "alice"), ("case.accepted", "p1"), ("case.reviewed", "p1"),
                                       ("case.read", "a1")]
    return engine


def test_cases_on_sqlite(tmp_path):
    _flow(f"sqlite:///{tmp_path / 'cases.sqlite'}")


def test_cases_on_postgres(postgres_url):
    _flow(postgres_url).dispose()


def test_a_tampered_audit_entry_breaks_the_chain(tmp_path):
    engine = _flow(f"sqlite:///{tmp_path / 'cases.sqlite'}")
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET why = 'nothing to see' WHERE seq = 2"))
    assert verify_audit(engine) == 2


def test_a_refused_action_writes_nothing(tmp_path):
    store, engine = _store(f"sqlite:///{tmp_path / 'cases.sqlite'}")
    case, _ = store.submit("settlement", act(C.SUBMITTED, "applicant", "alice"), "k")
    with pytest.raises(C.CaseError):
        store.act(case.id, act(C.APPROVED, "county_approver", "a1"), expected_version=1)
    assert store.read(case.id, "a1", "check", T0).version == 1
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_log WHERE what = 'case.approved'")).scalar() == 0


def _concurrent_reads(url):
    from concurrent.futures import ThreadPoolExecutor

    store, engine = _store(url)
    case, _ = store.submit("settlement", act(C.SUBMITTED, "applicant", "alice"), "k")

    def read(i):
        return store.read(case.id, f"officer{i % 4}", "review", T0 + timedelta(seconds=i)).version

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(read, range(80))) == [1] * 80
    assert verify_audit(engine) is None
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_log")).scalar() == 81
    return engine


def test_concurrent_writers_keep_the_audit_chain_whole_on_sqlite(tmp_path):
    _concurrent_reads(f"sqlite:///{tmp_path / 'cases.sqlite'}")


def test_concurrent_writers_keep_the_audit_chain_whole_on_postgres(postgres_url):
    _concurrent_reads(postgres_url).dispose()


def test_a_registered_settlement_moves_the_hukou_in_the_same_transaction(tmp_path):
    from hukou.registry.synth import generate
    from hukou.store.database import load_tables, person_facts

    store, engine = _store(f"sqlite:///{tmp_path / 'reg.sqlite'}")
    load_tables(engine, generate(300, seed=2))
    case, _ = store.submit("settlement", act(C.SUBMITTED, "applicant", "alice", adult_followers=["spouse"]), "k",
                           person_id=7, township="652301001")
    for i, (type_, role, by, data) in enumerate([
            (C.ACCEPTED, "police_station", "p1", {}), (C.REVIEWED, "police_station", "p1", {}),
            (C.APPROVED, "county_approver", "a1", {}), (C.CONSENT_RECORDED, "applicant", "alice", {"who": "applicant"}),
            (C.CONSENT_RECORDED, "applicant", "alice", {"who": "spouse"})], start=1):
        case = store.act(case.id, act(type_, role, by, i, **data), expected_version=case.version)
    with engine.connect() as conn:
        before = conn.execute(text("SELECT count(*) FROM hukou")).scalar()
    with pytest.raises(C.CaseError) as err:  # outside the city: refused, and nothing is written
        store.act(case.id, act(C.REGISTERED, "police_station", "p1", 10, place="622425000000", urban=True,
                               followers=[8]), expected_version=case.version)
    assert err.value.field == "data.place"
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM hukou")).scalar() == before
    case = store.act(case.id, act(C.REGISTERED, "police_station", "p1", 10, place="652301001003", urban=True,
                                  followers=[8]), expected_version=case.version)
    assert C.state(case).status == C.REGISTERED
    when = (T0 + timedelta(days=1)).date()
    for pid in (7, 8):
        assert person_facts(engine, pid, when)["hukou"] == {"place": "652301001003", "urban": True}
    with engine.connect() as conn:
        members = conn.execute(text("SELECT m.person_id, m.relation, h.kind, h.head_person_id FROM household_members m "
                                    "JOIN households h ON h.id = m.household_id WHERE h.place = '652301001003' "
                                    "AND m.since = :d ORDER BY m.person_id"), {"d": str(T0.date())}).fetchall()
    assert [tuple(m) for m in members] == [(7, "head", "family", 7), (8, "member", "family", 7)]


def _concurrent_submissions(url):
    """Submissions from many threads at once (the API's load), each key twice: one case per key, the chain whole."""
    from concurrent.futures import ThreadPoolExecutor

    store, engine = _store(url)

    def submit(i):  # each key twice, at about the same moment (a client's retry while the first is in flight)
        case, new = store.submit("settlement", act(C.SUBMITTED, "applicant", f"user{i // 2 % 3}"), f"key-{i // 2}",
                                 township="652301001")
        return case.id, new

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(submit, range(120)))
    assert all(results[i][0] == results[i + 1][0] for i in range(0, 120, 2))
    assert store.count() == 60 == sum(new for _, new in results)
    assert verify_audit(engine) is None
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_log")).scalar() == 60
    return engine


def test_concurrent_submissions_keep_the_audit_chain_whole_on_sqlite(tmp_path):
    _concurrent_submissions(f"sqlite:///{tmp_path / 'cases.sqlite'}")


def test_concurrent_submissions_keep_the_audit_chain_whole_on_postgres(postgres_url):
    _concurrent_submissions(postgres_url).dispose()

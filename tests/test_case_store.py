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


FACTS = {"birth_date": "1992-04-18", "hukou": {"place": "622425", "urban": False}, "tax_paid": 1,
         "residence": [{"from": "2015-03-01", "place": "652301003", "urban": True}],
         "housing": {"kind": "rented", "registered": True}, "education": [], "qualifications": []}


def _register(tmp_path, n=300, seed=2):
    from hukou.registry.synth import generate
    from hukou.store.database import load_tables

    store, engine = _store(f"sqlite:///{tmp_path / 'reg.sqlite'}")
    load_tables(engine, generate(n, seed=seed))
    return store, engine


def test_facts_on_a_case_come_from_the_case_else_from_the_register(tmp_path, changji):
    from hukou.policy.errors import InputError
    from hukou.policy.verdict import check
    from hukou.store.database import person_facts

    store, engine = _register(tmp_path)
    on = T0.date()
    given, _ = store.submit("settlement", act(C.SUBMITTED, "applicant", "alice", facts=FACTS), "k1", person_id=7)
    kept = store.case_facts(given.id, on)
    assert "tax_paid" not in kept and kept["housing"] == FACTS["housing"]
    assert store.verdict(given.id, on, changji) == check(FACTS, on, changji)
    assert store.verdict(given.id, on, changji)["settlement"]["route"] == "general"
    from_register, _ = store.submit("settlement", act(C.SUBMITTED, "applicant", "bob"), "k2", person_id=7)
    assert store.case_facts(from_register.id, on) == person_facts(engine, 7, on)
    assert store.verdict(from_register.id, on) == check(person_facts(engine, 7, on), on, changji)
    nothing, _ = store.submit("settlement", act(C.SUBMITTED, "applicant", "carol"), "k3")
    assert store.case_facts(nothing.id, on) is None and store.verdict(nothing.id, on) is None
    # later materials with facts take over; bad facts name the field and write nothing
    case = store.act(nothing.id, act(C.MATERIALS_REQUESTED, "police_station", "p1", 1, items=["housing"]), 1)
    with pytest.raises(InputError) as err:
        store.act(case.id, act(C.MATERIALS_PROVIDED, "applicant", "carol", 2,
                               facts={**FACTS, "housing": {"kind": "castle"}}), 2)
    assert err.value.path == "data.facts.housing.kind" and store.case_facts(case.id, on) is None
    store.act(case.id, act(C.MATERIALS_PROVIDED, "applicant", "carol", 2, items=["housing"],
                           facts={**FACTS, "housing": {"kind": "none"}}), 2)
    assert store.case_facts(case.id, on)["housing"] == {"kind": "none"}
    with pytest.raises(C.CaseError) as err:
        store.act(case.id, act(C.ACCEPTED, "police_station", "p1", 3, facts=FACTS), 3)
    assert err.value.field == "data.facts"


def _to_review(store, facts=None, person_id=None, key="r", kind="settlement"):
    data = {} if facts is None else {"facts": facts}
    case, _ = store.submit(kind, act(C.SUBMITTED, "applicant", "alice", **data), key, person_id=person_id)
    case = store.act(case.id, act(C.ACCEPTED, "police_station", "p1", 1), case.version)
    return store.act(case.id, act(C.REVIEWED, "police_station", "p1", 2), case.version)


def test_a_rejection_is_checked_against_the_servers_verdict(tmp_path):
    store, _ = _store(f"sqlite:///{tmp_path / 'cases.sqlite'}")
    no_home = {**FACTS, "housing": {"kind": "none"}}  # ineligible: no legal stable residence
    case = _to_review(store, no_home)
    for rule in ("general.urban_place", "key_groups.long_term_urban", "no.such.rule"):  # true, a flag, unknown id
        with pytest.raises(C.CaseError) as err:
            store.act(case.id, act(C.REJECTED, "county_approver", "a1", 3, failed_rule=rule), case.version)
        assert err.value.field == "data.failed_rule", rule
    done = store.act(case.id, act(C.REJECTED, "county_approver", "a1", 3, failed_rule="general.legal_stable_residence",
                                  verdict="eligible"), case.version)  # the client's verdict is not taken
    assert done.actions[-1].data["verdict"] == "ineligible"
    assert done.actions[-1].data["verdict_date"] == T0.date().isoformat()
    other = _to_review(store, no_home, key="r2")
    assert C.state(store.act(other.id, act(C.REJECTED, "county_approver", "a1", 3, failed_rule="no_route"),
                             other.version)).status == C.REJECTED  # the verdict's own reason code
    bare = _to_review(store, key="r3")  # no facts, no person: nothing to ground a rejection on
    with pytest.raises(C.CaseError) as err:
        store.act(bare.id, act(C.REJECTED, "county_approver", "a1", 3, failed_rule="no_route"), bare.version)
    assert err.value.field == "facts"
    assert store.overridden_rejections() == []


def test_rejecting_an_eligible_person_is_an_override_and_is_reported(tmp_path):
    store, engine = _store(f"sqlite:///{tmp_path / 'cases.sqlite'}")
    case = _to_review(store, FACTS)  # eligible by the general route
    reject = dict(failed_rule="general.legal_stable_residence", verdict="ineligible")
    with pytest.raises(C.CaseError) as err:  # the client says ineligible; the server knows better
        store.act(case.id, act(C.REJECTED, "county_approver", "a1", 3, **reject), case.version)
    assert err.value.field == "data.reason"
    with pytest.raises(C.CaseError) as err:
        store.act(case.id, act(C.REJECTED, "county_approver", "a1", 3, reason="the lease is forged", **reject),
                  case.version)
    assert "second approver" in err.value.message
    case = store.act(case.id, act(C.SECOND_APPROVAL, "county_approver", "a2", 4), case.version)
    with pytest.raises(C.CaseError) as err:  # an override still names a rule the verdict holds
        store.act(case.id, act(C.REJECTED, "county_approver", "a1", 5, reason="forged", failed_rule="made.up"),
                  case.version)
    assert err.value.field == "data.failed_rule"
    case = store.act(case.id, act(C.REJECTED, "county_approver", "a1", 5, reason="the lease is forged", **reject),
                     case.version)
    assert case.actions[-1].data["verdict"] == "eligible"
    [report] = store.overridden_rejections()
    assert (report.case_id, report.rejected_by, report.failed_rule, report.reason, report.second_approvers) == \
        (case.id, "a1", "general.legal_stable_residence", "the lease is forged", ("a2",))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT why FROM audit_log WHERE what = 'case.rejected'")).scalar() == \
            "the lease is forged"


def _permit(store, person_id, key, until=C.ISSUED):
    case, _ = store.submit("residence_permit", act(C.SUBMITTED, "applicant", f"holder{person_id}"), key,
                           person_id=person_id)
    steps = [(C.ACCEPTED, "police_station", "p1"), (C.REVIEWED, "police_station", "p1"),
             (C.APPROVED, "county_approver", "a1"), (C.ISSUED, "police_station", "p1")]
    for type_, role, by in steps[:[s[0] for s in steps].index(until) + 1]:
        case = store.act(case.id, act(type_, role, by, 1), case.version)
    return case


def test_settling_cancels_the_settled_peoples_issued_permits_in_the_same_transaction(tmp_path):
    store, engine = _register(tmp_path)
    own, followers, pending, stranger = (_permit(store, 7, "p7"), _permit(store, 8, "p8"),
                                         _permit(store, 7, "p7b", until=C.ACCEPTED), _permit(store, 9, "p9"))
    case, _ = store.submit("settlement", act(C.SUBMITTED, "applicant", "alice"), "s", person_id=7)
    for type_, role, by, data in [(C.ACCEPTED, "police_station", "p1", {}), (C.REVIEWED, "police_station", "p1", {}),
                                  (C.APPROVED, "county_approver", "a1", {}),
                                  (C.CONSENT_RECORDED, "applicant", "alice", {"who": "applicant"})]:
        case = store.act(case.id, act(type_, role, by, 2, **data), case.version)

    def statuses():
        return [C.state(store.jurisdiction(c.id)[0]).status for c in (own, followers, pending, stranger)]

    with pytest.raises(C.CaseError):  # refused (no urban flag): nothing is written, no permit is touched
        store.act(case.id, act(C.REGISTERED, "police_station", "p2", 3, place="652301001003", followers=[8]),
                  case.version)
    assert statuses() == [C.ISSUED, C.ISSUED, C.ACCEPTED, C.ISSUED]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_log WHERE what = 'case.cancelled'")).scalar() == 0
    store.act(case.id, act(C.REGISTERED, "police_station", "p2", 3, place="652301001003", urban=True, followers=[8]),
              case.version)
    assert statuses() == [C.CANCELLED, C.CANCELLED, C.ACCEPTED, C.ISSUED]
    cancel = store.jurisdiction(own.id)[0].actions[-1]
    assert (cancel.by, cancel.data["settled_by"]) == ("p2", case.id) and case.id in cancel.data["reason"]
    with engine.connect() as conn:
        log = conn.execute(text("SELECT subject FROM audit_log WHERE what = 'case.cancelled' ORDER BY seq")).fetchall()
    assert sorted(r[0] for r in log) == sorted([own.id, followers.id])
    assert verify_audit(engine) is None


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

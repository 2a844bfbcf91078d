"""Applications over the API: sign-in, idempotent submission, who the applicant is, jurisdiction,
typed actions, versions, purposes, and logged reads."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from casework_people import WANG, ZHAO, id_number
from hukou.api.app import create_app
from hukou.store.database import connect, migrate
from hukou.store.users import create_user, issue_token, viewer_of

ALICE, BOB = id_number("62242519920418002"), id_number("62242519850101001")
USERS = [("alice", "applicant", None, False, ALICE), ("bob", "applicant", None, False, BOB),
         ("wang", "applicant", None, False, WANG), ("zhao", "applicant", None, False, ZHAO),
         ("p1", "police_station", "652301001", False, None), ("p2", "police_station", "652301002", False, None),
         ("a1", "county_approver", None, True, None), ("a2", "county_approver", None, True, None),
         ("au", "auditor", None, False, None), ("boss", "leader", None, False, None)]
FACTS = {"birth_date": "1992-04-18", "hukou": {"place": "622425", "urban": False},
         "residence": [{"from": "2015-03-01", "place": "652301003", "urban": True}],
         "housing": {"kind": "rented", "registered": True}, "education": [], "qualifications": []}
PURPOSE = {"p1": "casework", "p2": "casework", "a1": "approval", "a2": "approval", "au": "audit", "boss": "oversight"}


def _serve(url):
    engine = connect(url)
    migrate(engine)
    from hukou.registry.synth import generate
    from hukou.store.database import load_tables

    load_tables(engine, generate(50, seed=1))
    for name, role, township, city_wide, number in USERS:
        create_user(engine, name, f"{name}-password", role, township, city_wide=city_wide, id_number=number)
    client = TestClient(create_app(database=url), raise_server_exceptions=False)
    tokens = {}
    for name, *_ in USERS:  # signing in is tested once below; the others get their tokens directly
        viewer = viewer_of(engine, name)
        tokens[name] = {"Authorization": f"Bearer {issue_token(engine, viewer, datetime.now())}",
                        **({"X-Purpose": PURPOSE[name]} if name in PURPOSE else {})}
    return client, tokens, engine


@pytest.fixture()
def api(tmp_path):
    return _serve(f"sqlite:///{tmp_path / 'api.sqlite'}")


def _problem(r, status, field=None):
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    if field is not None:
        assert r.json()["field"] == field, r.json()


def _submit(client, tokens, key="k1", who="alice", **body):
    body = {"kind": "settlement", "township": "652301001", "facts": FACTS, **body}
    return client.post("/api/v1/applications", json=body, headers={**tokens[who], "Idempotency-Key": key})


def _act(client, tokens, case, user, type_, version, **data):
    return client.post(f"/api/v1/applications/{case}/actions", headers=tokens[user],
                       json={"type": type_, "expected_version": version, "data": data})


def test_sign_in_is_needed_and_checked(api):
    client, _, _ = api
    r = client.post("/api/v1/token", data={"username": "alice", "password": "alice-password"})
    assert r.status_code == 200 and r.json()["token_type"] == "bearer"
    mine = client.get("/api/v1/applications", headers={"Authorization": f"Bearer {r.json()['access_token']}"})
    assert mine.status_code == 200
    _problem(client.post("/api/v1/token", data={"username": "alice", "password": "wrong-password"}), 401)
    _problem(client.post("/api/v1/applications", json={"kind": "settlement"}, headers={"Idempotency-Key": "x"}), 401)
    _problem(client.get("/api/v1/applications/nope", headers={"Authorization": "Bearer forged"}), 401)


def test_submission_is_idempotent(api):
    client, tokens, _ = api
    _problem(client.post("/api/v1/applications", json={"kind": "settlement", "facts": FACTS},
                         headers=tokens["alice"]), 422, "Idempotency-Key")
    first = _submit(client, tokens)
    assert first.status_code == 201 and first.json()["status"] == "submitted" and first.json()["version"] == 1
    replay = _submit(client, tokens)
    assert replay.status_code == 200 and replay.json()["id"] == first.json()["id"]
    other = _submit(client, tokens, key="k2")
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]


def test_finding_1_an_applicant_cannot_name_another_person(api):
    client, tokens, engine = api
    _problem(_submit(client, tokens, person_id=3), 422, "person_id")  # there is no such field any more
    _problem(_submit(client, tokens, applicant={"name": "张三", "id_number": BOB}), 403, "applicant")
    case = _submit(client, tokens).json()
    assert [p["id_number"] for p in case["parties"]] == [ALICE]
    _problem(client.get(f"/api/v1/applications/{case['id']}", headers=tokens["bob"]), 404)
    seen = client.get(f"/api/v1/applications/{case['id']}", headers=tokens["alice"]).json()
    assert seen["verdict"]["settlement"]["status"] == "eligible"  # on her own facts


def test_finding_2_followers_are_fixed_and_each_adult_consents_under_their_own_account(api):
    client, tokens, _ = api
    case = _submit(client, tokens, who="wang", followers=[{"relation": "spouse", "name": "赵六", "id_number": ZHAO}],
                   consent={}).json()
    assert [(p["key"], p["consented"]) for p in case["parties"]] == [("applicant", True), ("f1", False)]
    _problem(_act(client, tokens, case["id"], "wang", "consent_recorded", 2, party="f1"), 403, "data.party")
    hers = client.get(f"/api/v1/applications/{case['id']}", headers=tokens["zhao"]).json()
    assert hers["disclosure"] == "follower" and hers["actions"] == [] and hers["verdict"] is None
    assert hers["next_actions"] == ["consent_recorded"] and hers["parties"][0]["id_number"].count("*") == 11
    done = _act(client, tokens, case["id"], "zhao", "consent_recorded", 2).json()
    assert [p["consented"] for p in done["parties"]] == [True, True]


def test_finding_3_action_data_is_typed(api):
    client, tokens, _ = api
    case = _submit(client, tokens).json()["id"]
    _problem(_act(client, tokens, case, "alice", "consent_recorded", 1, who=["x"]), 422, "data.who")
    _problem(_act(client, tokens, case, "p1", "materials_requested", 1, items=5), 422, "data.items")
    _problem(client.post(f"/api/v1/applications/{case}/actions", headers=tokens["p1"],
                         json={"type": "teleported", "expected_version": 1}), 422, "type")
    _problem(client.post(f"/api/v1/applications/{case}/actions", headers=tokens["p1"],
                         json={"type": "accepted", "expected_version": 1, "data": {}, "extra": 1}), 422, "extra")
    assert client.get(f"/api/v1/applications/{case}", headers=tokens["p1"]).status_code == 200
    assert client.get("/api/v1/applications", headers=tokens["p1"]).status_code == 200


def test_finding_5_and_9_townships_keys_and_lists_are_bounded(api):
    client, tokens, _ = api
    for township, status in (("6523010011", 422), ("999999001", 422), ("652301", 422)):
        _problem(_submit(client, tokens, key=f"t{township}", township=township), status, "township")
    _problem(_submit(client, tokens, key="x" * 101), 422, "Idempotency-Key")
    _problem(_submit(client, tokens, key="f5", followers=5), 422, "followers")
    _problem(_submit(client, tokens, key="f11", followers=[{"relation": "child", "name": "x", "id_number": ZHAO}] * 11),
             422, "followers")
    _problem(_submit(client, tokens, key="p2", who="p2", applicant={"name": "王五", "id_number": WANG},
                     township="652301001"), 403, "township")


def test_a_case_from_submission_to_registration(api):
    client, tokens, engine = api
    case = _submit(client, tokens, consent={}).json()["id"]

    def act(user, type_, version, **data):
        return _act(client, tokens, case, user, type_, version, **data)

    assert act("p1", "accepted", 2).status_code == 200
    _problem(act("p1", "reviewed", 2), 409, "expected_version")
    assert act("p1", "reviewed", 3).json()["status"] == "reviewed"
    _problem(act("a1", "rejected", 4, verdict="ineligible"), 422, "data.verdict")  # a server's field
    _problem(act("a1", "approved", 4, verdict={"status": "eligible"}), 422, "data.verdict")
    approved = act("a1", "approved", 4).json()
    assert approved["status"] == "approved" and approved["decision"]["verdict"]["status"] == "eligible"
    _problem(act("p1", "registered", 5, place="6523"), 422, "data.place")
    _problem(act("p1", "registered", 5, place="652301001002", urban=False), 422, "data.urban")
    done = act("p1", "registered", 5, place="652301001002").json()
    assert done["status"] == "registered" and done["next_actions"] == []
    assert done["registered"]["urban"] is True and [m["party"] for m in done["registered"]["moved"]] == ["applicant"]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT place FROM hukou h JOIN people p ON p.person_id = h.person_id "
                                 "WHERE p.id_number = :n"), {"n": ALICE}).scalar() == "652301001002"


def test_the_deadline_runs_from_acceptance(api):
    from hukou.cases.deadlines import settlement_deadline

    client, tokens, _ = api
    case = _submit(client, tokens).json()
    assert case["deadline"] is None
    accepted = _act(client, tokens, case["id"], "p1", "accepted", 1).json()
    due = settlement_deadline(date.today(), 20)
    assert accepted["deadline"] == {"due": due.due.isoformat(), "overdue": False,
                                    "calendar_complete": due.calendar_complete}


def test_facts_are_checked_like_the_eligibility_input(api):
    client, tokens, engine = api
    _problem(_submit(client, tokens, facts={**FACTS, "housing": {"kind": "castle"}}), 422, "facts.housing.kind")
    _problem(_submit(client, tokens, facts={"hukou": FACTS["hukou"]}), 422, "facts.birth_date")
    _problem(_submit(client, tokens, facts=[1, 2]), 422, "facts")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM cases")).scalar() == 0  # nothing was written


def test_officers_see_the_verdict_and_the_materials_it_asks_for(api):
    from hukou.policies import load
    from hukou.policy.verdict import check

    client, tokens, _ = api
    case = _submit(client, tokens).json()["id"]
    seen = client.get(f"/api/v1/applications/{case}", headers=tokens["a1"]).json()
    assert seen["verdict"] == check(FACTS, date.today(), load("changji-2018"))
    assert seen["suggested_materials"] == [] and seen["parties"][0]["in_register"] is False
    sparse = {"birth_date": "1992-04-18", "hukou": {"place": "622425", "urban": False}}
    case = _submit(client, tokens, key="f2", facts=sparse).json()["id"]
    seen = client.get(f"/api/v1/applications/{case}", headers=tokens["p1"]).json()
    assert seen["verdict"]["settlement"]["status"] == "undetermined"
    assert sorted(seen["suggested_materials"]) == ["education", "housing", "qualifications", "residence"]
    asked = _act(client, tokens, case, "p1", "materials_requested", 1).json()  # no items: the verdict's
    assert sorted(asked["materials_outstanding"]) == ["education", "housing", "qualifications", "residence"]


def test_finding_6_overrides_are_reported_to_oversight_only(api):
    client, tokens, engine = api
    case = _submit(client, tokens).json()["id"]  # eligible by the general route
    for i, (user, type_) in enumerate([("p1", "accepted"), ("p1", "reviewed")], start=1):
        assert _act(client, tokens, case, user, type_, i).status_code == 200
    _problem(_act(client, tokens, case, "a1", "rejected", 3, failed_rule="general.legal_stable_residence"), 422,
             "data.reason")
    pending = _act(client, tokens, case, "a1", "rejected", 3, failed_rule="general.legal_stable_residence",
                   reason="the lease is forged").json()
    assert pending["status"] == "awaiting_second_approval" and pending["decision"]["override"] is True
    _problem(_act(client, tokens, case, "a2", "second_approval", 4, decision=1), 422, "data.decision")
    done = _act(client, tokens, case, "a2", "second_approval", 4, decision=pending["decision"]["seq"]).json()
    assert done["status"] == "rejected"
    for user in ("p1", "alice"):
        _problem(client.get("/api/v1/reports/overrides", headers=tokens[user]), 403, "role")
    for user in ("au", "a2"):
        r = client.get("/api/v1/reports/overrides", headers=tokens[user])
        assert r.status_code == 200, r.text
        [item] = r.json()["items"]
        assert (item["case"], item["decided_by"], item["reason"], item["second_approvers"], item["decision"]) == \
            (case, "a1", "the lease is forged", ["a2"], "rejected")
    with engine.connect() as conn:
        reads = conn.execute(text("SELECT who, why FROM audit_log WHERE what = 'report.overrides'")).fetchall()
    assert [tuple(r) for r in reads] == [("au", "audit"), ("a2", "approval")]


def test_finding_7_a_counter_case_is_seen_and_followed_by_the_citizen(api):
    client, tokens, _ = api
    r = _submit(client, tokens, key="c1", who="p1", applicant={"name": "王五", "id_number": WANG},
                consent={"party": "applicant", "id_number": WANG, "in_person": True, "signed": True,
                         "id_card_checked": True})
    assert r.status_code == 201, r.text
    case = r.json()["id"]
    mine = client.get("/api/v1/applications", headers=tokens["wang"]).json()["items"]
    assert [i["id"] for i in mine] == [case] and mine[0]["following"] is False
    seen = client.get(f"/api/v1/applications/{case}", headers=tokens["wang"]).json()
    assert seen["disclosure"] == "full" and seen["parties"][0]["consented"] is True


def test_finding_10_officers_give_a_purpose_and_reads_log_what_was_shown(api):
    client, tokens, engine = api
    first = _submit(client, tokens, key="l1").json()["id"]
    second = _submit(client, tokens, key="l2").json()["id"]
    bobs = _submit(client, tokens, key="l3", who="bob").json()["id"]
    _act(client, tokens, second, "p1", "accepted", 1)  # accepted: it has a due date, so it comes first
    assert _act(client, tokens, first, "alice", "withdrawn", 1).status_code == 200
    bare = {"Authorization": tokens["p1"]["Authorization"]}
    _problem(client.get("/api/v1/applications", headers=bare), 422, "X-Purpose")
    _problem(client.get(f"/api/v1/applications/{bobs}", headers={**bare, "X-Purpose": "curiosity"}), 422, "X-Purpose")
    items = client.get("/api/v1/applications", headers=tokens["p1"]).json()["items"]
    assert [i["id"] for i in items] == [second, bobs]  # the withdrawn case is done
    assert items[0]["due"] and items[0]["overdue"] is False and items[1]["due"] is None
    assert items[0]["next_actions"] == ["consent_recorded", "materials_provided", "reviewed"]  # at the counter too
    assert items[0]["township"] == "652301001"
    assert client.get("/api/v1/applications", headers=tokens["p2"]).json()["items"] == []
    mine = client.get("/api/v1/applications", headers=tokens["alice"]).json()
    assert sorted(i["id"] for i in mine["items"]) == sorted([first, second])  # finished ones too
    _problem(client.get("/api/v1/applications?limit=0", headers=tokens["p1"]), 422, "limit")
    assert client.get("/api/v1/purposes", headers=tokens["p1"]).json()["required"] is True
    with engine.connect() as conn:
        reads = conn.execute(text("SELECT who, subject, why FROM audit_log WHERE what = 'case.list' ORDER BY seq")).all()
    assert [(who, sorted(s.split(",")) if s else [], why) for who, s, why in reads] == [
        ("p1", sorted([second, bobs]), "casework"), ("p2", [], "casework"), ("alice", sorted([first, second]), "own_case")]


def test_a_missing_body_is_a_problem_about_the_whole_input(api):
    client, tokens, _ = api
    r = client.post("/api/v1/applications", headers={**tokens["alice"], "Idempotency-Key": "empty"})
    _problem(r, 422)
    assert r.json()["field"] == "", r.json()


def test_finding_9_bounds_hold_on_postgres(postgres_url):
    client, tokens, engine = _serve(postgres_url)
    try:
        _problem(_submit(client, tokens, key="t", township="6523010011"), 422, "township")
        _problem(_submit(client, tokens, key="x" * 101), 422, "Idempotency-Key")
        _problem(_submit(client, tokens, key="f", followers=5), 422, "followers")
        long_name = [{"relation": "spouse", "name": "赵" * 41, "id_number": ZHAO}]
        _problem(_submit(client, tokens, key="n", followers=long_name), 422, "followers[0].name")
        assert _submit(client, tokens, key="y" * 100).status_code == 201
    finally:
        engine.dispose()


def test_a_case_logged_before_action_data_was_typed_still_answers(api):
    """An earlier version's log (free-form data) is shown as written, never a 500."""
    from datetime import datetime as dt

    from hukou.store import schema as S

    client, tokens, engine = api
    t = dt(2020, 3, 2, 9)
    old = [("submitted", "alice", "applicant", {"adult_followers": ["spouse"], "person_id": 3}),
           ("consent_recorded", "alice", "applicant", {"who": "applicant"}),
           ("accepted", "p1", "police_station", {}), ("reviewed", "p1", "police_station", {}),
           ("rejected", "a1", "county_approver", {"failed_rule": "x", "verdict": "eligible", "verdict_date": "2020-03-02"})]
    with engine.begin() as conn:
        conn.execute(S.CaseRow.__table__.insert(), {"id": "old-case", "kind": "settlement", "person_id": 3,
                                                    "township": "652301001", "created_at": t})
        conn.execute(S.CaseActionRow.__table__.insert(), [
            {"case_id": "old-case", "seq": i, "type": ty, "at": t, "by_user": by, "role": role, "data": data}
            for i, (ty, by, role, data) in enumerate(old, start=1)])
    r = client.get("/api/v1/applications/old-case", headers=tokens["au"])
    assert r.status_code == 200, r.text
    entries = r.json()["actions"]
    assert [e["type"] for e in entries] == ["unreadable", "unreadable", "accepted", "reviewed", "unreadable"]
    assert entries[0]["original_type"] == "submitted" and entries[0]["data"]["adult_followers"] == ["spouse"]
    assert r.json()["decision"] is None
    report = client.get("/api/v1/reports/overrides", headers=tokens["au"]).json()["items"]
    assert [(o["case"], o["verdict_status"]) for o in report] == [("old-case", "eligible")]
    client.cookies.set("hukou_session", tokens["au"]["Authorization"].split()[1])  # the same tokens sign in the web
    client.cookies.set("hukou_purpose", "audit")
    for path in ("/cases/old-case", "/reports/overrides"):
        page = client.get(path, follow_redirects=False)
        assert page.status_code == 200 and "old-case"[:8] in page.text, (path, page.status_code, page.text[:300])
    assert client.get("/cases", follow_redirects=False).status_code == 200  # (a rejected case is done: not listed)

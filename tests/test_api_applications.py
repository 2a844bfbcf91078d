"""Applications over the API: sign-in, idempotent submission, jurisdiction, versions, logged reads."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from hukou.api.app import create_app
from hukou.store.database import connect, migrate
from hukou.store.users import create_user

USERS = [("alice", "applicant", None), ("bob", "applicant", None), ("p1", "police_station", "652301001"),
         ("p2", "police_station", "652301002"), ("a1", "county_approver", None), ("a2", "county_approver", None),
         ("au", "auditor", None)]


@pytest.fixture()
def api(tmp_path):
    url = f"sqlite:///{tmp_path / 'api.sqlite'}"
    engine = connect(url)
    migrate(engine)
    from hukou.registry.synth import generate
    from hukou.store.database import load_tables

    load_tables(engine, generate(50, seed=1))
    for name, role, township in USERS:
        create_user(engine, name, f"{name}-password", role, township)
    client = TestClient(create_app(database=url), raise_server_exceptions=False)
    tokens = {}
    for name, _, _ in USERS:
        r = client.post("/api/v1/token", data={"username": name, "password": f"{name}-password"})
        assert r.status_code == 200, r.text
        tokens[name] = {"Authorization": f"Bearer {r.json()['access_token']}"}
    return client, tokens, engine


def _problem(r, status, field=None):
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    if field:
        assert r.json()["field"] == field, r.json()


def test_sign_in_is_needed_and_checked(api):
    client, _, _ = api
    _problem(client.post("/api/v1/token", data={"username": "alice", "password": "wrong-password"}), 401)
    _problem(client.post("/api/v1/applications", json={"kind": "settlement"}, headers={"Idempotency-Key": "x"}), 401)
    _problem(client.get("/api/v1/applications/nope", headers={"Authorization": "Bearer forged"}), 401)


def _submit(client, tokens, key="k1", who="alice"):
    return client.post("/api/v1/applications", json={"kind": "settlement", "township": "652301001", "person_id": 3,
                                                     "adult_followers": ["spouse"]},
                       headers={**tokens[who], "Idempotency-Key": key})


def test_submission_is_idempotent(api):
    client, tokens, _ = api
    _problem(client.post("/api/v1/applications", json={"kind": "settlement"}, headers=tokens["alice"]), 422,
             "Idempotency-Key")
    first = _submit(client, tokens)
    assert first.status_code == 201 and first.json()["status"] == "submitted" and first.json()["version"] == 1
    replay = _submit(client, tokens)
    assert replay.status_code == 200 and replay.json()["id"] == first.json()["id"]
    other = _submit(client, tokens, key="k2")
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]


def test_officers_see_only_their_jurisdiction_and_reads_are_logged(api):
    client, tokens, engine = api
    case = _submit(client, tokens).json()["id"]
    _problem(client.get(f"/api/v1/applications/{case}", headers=tokens["p2"]), 404)
    _problem(client.get(f"/api/v1/applications/{case}", headers=tokens["bob"]), 404)
    r = client.get(f"/api/v1/applications/{case}", headers={**tokens["p1"], "X-Purpose": "accept the application"})
    assert r.status_code == 200 and "accepted" in r.json()["next_actions"]
    assert client.get(f"/api/v1/applications/{case}", headers=tokens["alice"]).status_code == 200
    with engine.connect() as conn:
        reads = conn.execute(text("SELECT who, why FROM audit_log WHERE what = 'case.read' ORDER BY seq")).fetchall()
    assert [tuple(r) for r in reads] == [("p1", "accept the application"), ("alice", "case view")]


def test_a_case_from_submission_to_registration(api):
    client, tokens, _ = api
    case = _submit(client, tokens).json()["id"]

    def act(user, type_, version, **data):
        return client.post(f"/api/v1/applications/{case}/actions", headers=tokens[user],
                           json={"type": type_, "expected_version": version, "data": data})

    assert act("p1", "accepted", 1).status_code == 200
    _problem(act("p1", "reviewed", 1), 409, "expected_version")
    assert act("p1", "reviewed", 2).json()["status"] == "reviewed"
    _problem(act("a1", "rejected", 3, verdict="ineligible"), 422, "data.failed_rule")
    assert act("a1", "approved", 3).json()["status"] == "approved"
    assert act("alice", "consent_recorded", 4, who="applicant").status_code == 200
    home = {"place": "652301001002", "urban": True, "household": "family"}
    _problem(act("p1", "registered", 5, **home), 422, "consent")
    assert act("alice", "consent_recorded", 5, who="spouse").status_code == 200
    _problem(act("p1", "registered", 6, place="6523", urban=True), 422, "data.place")
    done = act("p1", "registered", 6, **home).json()
    assert done["status"] == "registered" and done["next_actions"] == []
    _problem(client.post(f"/api/v1/applications/{case}/actions", headers=tokens["p1"],
                         json={"type": "accepted", "expected_version": 7, "data": {}, "extra": 1}), 422, "extra")


def _act(client, tokens, case, user, type_, version, **data):
    return client.post(f"/api/v1/applications/{case}/actions", headers=tokens[user],
                       json={"type": type_, "expected_version": version, "data": data})


def test_the_deadline_runs_from_acceptance(api):
    from datetime import date

    from hukou.cases.deadlines import settlement_deadline

    client, tokens, _ = api
    case = _submit(client, tokens).json()
    assert case["deadline"] is None
    accepted = _act(client, tokens, case["id"], "p1", "accepted", 1).json()
    due = settlement_deadline(date.today(), 20)
    assert accepted["deadline"] == {"due": due.due.isoformat(), "overdue": False,
                                    "calendar_complete": due.calendar_complete}


FACTS = {"birth_date": "1992-04-18", "hukou": {"place": "622425", "urban": False},
         "residence": [{"from": "2015-03-01", "place": "652301003", "urban": True}],
         "housing": {"kind": "rented", "registered": True}, "education": [], "qualifications": []}


def _submit_facts(client, tokens, facts, key="f1", kind="settlement"):
    return client.post("/api/v1/applications", json={"kind": kind, "township": "652301001", "facts": facts},
                       headers={**tokens["alice"], "Idempotency-Key": key})


def test_facts_are_checked_like_the_eligibility_input(api):
    client, tokens, engine = api
    _problem(_submit_facts(client, tokens, {**FACTS, "housing": {"kind": "castle"}}), 422, "facts.housing.kind")
    _problem(_submit_facts(client, tokens, {"hukou": FACTS["hukou"]}), 422, "facts.birth_date")
    _problem(_submit_facts(client, tokens, [1, 2]), 422, "facts")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM cases")).scalar() == 0  # nothing was written


def test_officers_see_the_verdict_and_the_materials_it_asks_for(api):
    from datetime import date

    from hukou.policies import load
    from hukou.policy.verdict import check

    client, tokens, _ = api
    case = _submit_facts(client, tokens, FACTS).json()["id"]
    seen = client.get(f"/api/v1/applications/{case}", headers=tokens["a1"]).json()
    assert seen["verdict"] == check(FACTS, date.today(), load("changji-2018"))
    assert seen["verdict"]["settlement"]["status"] == "eligible" and seen["suggested_materials"] == []
    assert "verdict" not in client.get(f"/api/v1/applications/{case}", headers=tokens["alice"]).json()

    sparse = {"birth_date": "1992-04-18", "hukou": {"place": "622425", "urban": False}}
    case = _submit_facts(client, tokens, sparse, key="f2").json()["id"]
    seen = client.get(f"/api/v1/applications/{case}", headers=tokens["p1"]).json()
    assert seen["verdict"]["settlement"]["status"] == "undetermined"
    assert sorted(seen["suggested_materials"]) == ["education", "housing", "qualifications", "residence"]
    asked = _act(client, tokens, case, "p1", "materials_requested", 1).json()  # no items: the verdict's
    assert sorted(asked["materials_outstanding"]) == ["education", "housing", "qualifications", "residence"]
    permit = _submit_facts(client, tokens, sparse, key="f3", kind="residence_permit").json()["id"]
    seen = client.get(f"/api/v1/applications/{permit}", headers=tokens["p1"]).json()
    assert sorted(seen["suggested_materials"]) == ["education", "employment", "housing", "residence"]


def test_overridden_rejections_are_reported_to_oversight_only(api):
    client, tokens, engine = api
    case = _submit_facts(client, tokens, FACTS).json()["id"]  # eligible by the general route
    for i, (user, type_) in enumerate([("p1", "accepted"), ("p1", "reviewed"), ("a2", "second_approval")], start=1):
        assert _act(client, tokens, case, user, type_, i).status_code == 200
    _problem(_act(client, tokens, case, "a1", "rejected", 4, failed_rule="general.legal_stable_residence",
                  verdict="ineligible"), 422, "data.reason")  # the server's verdict says eligible
    done = _act(client, tokens, case, "a1", "rejected", 4, failed_rule="general.legal_stable_residence",
                reason="the lease is forged").json()
    assert done["status"] == "rejected" and done["actions"][-1]["data"]["verdict"] == "eligible"
    for user in ("p1", "alice"):
        _problem(client.get("/api/v1/reports/overridden-rejections", headers=tokens[user]), 403, "role")
    for user in ("au", "a2"):
        r = client.get("/api/v1/reports/overridden-rejections", headers={**tokens[user], "X-Purpose": "quarterly review"})
        assert r.status_code == 200
        [item] = r.json()["items"]
        assert (item["case"], item["rejected_by"], item["reason"], item["second_approvers"]) == \
            (case, "a1", "the lease is forged", ["a2"])
    with engine.connect() as conn:
        reads = conn.execute(text("SELECT who, why FROM audit_log WHERE what = 'report.overridden_rejections'")).fetchall()
    assert [tuple(r) for r in reads] == [("au", "quarterly review"), ("a2", "quarterly review")]


def test_the_list_shows_what_each_viewer_may_see_and_is_logged(api):
    client, tokens, engine = api
    first = _submit(client, tokens, key="l1").json()["id"]
    second = _submit(client, tokens, key="l2").json()["id"]
    bobs = _submit(client, tokens, key="l3", who="bob").json()["id"]
    _act(client, tokens, second, "p1", "accepted", 1)  # accepted: it has a due date, so it comes first
    assert _act(client, tokens, first, "alice", "withdrawn", 1).status_code == 200
    r = client.get("/api/v1/applications", headers=tokens["p1"])
    assert r.status_code == 200
    items = r.json()["items"]
    assert [i["id"] for i in items] == [second, bobs]  # the withdrawn case is done
    assert items[0]["due"] and items[0]["overdue"] is False and items[1]["due"] is None
    assert items[0]["next_actions"] == ["materials_provided", "reviewed"] and items[0]["township"] == "652301001"
    assert client.get("/api/v1/applications", headers=tokens["p2"]).json()["items"] == []
    mine = client.get("/api/v1/applications", headers={**tokens["alice"], "X-Purpose": "my applications"}).json()
    assert sorted(i["id"] for i in mine["items"]) == sorted([first, second])  # finished ones too
    _problem(client.get("/api/v1/applications?limit=0", headers=tokens["p1"]), 422, "limit")
    _problem(client.get("/api/v1/applications"), 401)
    with engine.connect() as conn:
        reads = conn.execute(text("SELECT who, why FROM audit_log WHERE what = 'case.list' ORDER BY seq")).fetchall()
    assert [tuple(r) for r in reads] == [("p1", "work queue"), ("p2", "work queue"), ("alice", "my applications")]


def test_a_submission_for_a_person_not_in_the_register_names_the_field(api):
    client, tokens, _ = api
    r = client.post("/api/v1/applications", json={"kind": "settlement", "person_id": 10**9},
                    headers={**tokens["alice"], "Idempotency-Key": "nobody"})
    _problem(r, 422, "person_id")


def test_a_missing_body_is_a_problem_about_the_whole_input(api):
    client, tokens, _ = api
    r = client.post("/api/v1/applications", headers={**tokens["alice"], "Idempotency-Key": "empty"})
    _problem(r, 422)
    assert r.json()["field"] == "", r.json()

"""Applications over the API: sign-in, idempotent submission, jurisdiction, versions, logged reads."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from hukou.api.app import create_app
from hukou.store.database import connect, migrate
from hukou.store.users import create_user

USERS = [("alice", "applicant", None), ("bob", "applicant", None), ("p1", "police_station", "652301001"),
         ("p2", "police_station", "652301002"), ("a1", "county_approver", None), ("a2", "county_approver", None)]


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

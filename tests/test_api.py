"""The API: the eligibility check as outside clients call it; every 4xx is problem+json naming the field."""

from __future__ import annotations

import json
from datetime import date

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hukou.api.app import create_app
from hukou.policies import load
from hukou.policy.verdict import check
from people import people

client = TestClient(create_app(), raise_server_exceptions=False)
FACTS = {"birth_date": "1992-04-18", "hukou": {"place": "622425", "urban": False},
         "residence": [{"from": "2015-03-01", "place": "652301003", "urban": True}],
         "housing": {"kind": "rented", "registered": True}, "education": [], "qualifications": []}


def test_eligibility_returns_the_verdict_of_the_rules():
    r = client.post("/api/v1/eligibility?date=2019-03-01", json=FACTS)
    assert r.status_code == 200
    assert r.json() == check(FACTS, date(2019, 3, 1), load("changji-2018"))
    assert r.json()["settlement"]["route"] == "general"


def _problem(r, status, field):
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["status"] == status and body.get("field") == field, body
    return body


def test_bad_facts_name_the_field():
    bad = {**FACTS, "housing": {"kind": "castle"}}
    body = _problem(client.post("/api/v1/eligibility?date=2019-03-01", json=bad), 422, "housing.kind")
    assert "castle" in body["detail"]
    _problem(client.post("/api/v1/eligibility?date=2019-03-01", json={"hukou": FACTS["hukou"]}), 422, "birth_date")


def test_bad_dates_and_policies_name_the_parameter():
    _problem(client.post("/api/v1/eligibility?date=03/01/2019", json=FACTS), 422, "date")
    _problem(client.post("/api/v1/eligibility?date=2018-01-01", json=FACTS), 422, "date")
    _problem(client.post("/api/v1/eligibility?date=2019-03-01&policy=../../etc/passwd", json=FACTS), 422, "policy")


def test_malformed_or_missing_bodies_are_4xx():
    r = client.post("/api/v1/eligibility?date=2019-03-01", content=b"{not json", headers={"content-type": "application/json"})
    assert 400 <= r.status_code < 500 and r.headers["content-type"].startswith("application/problem+json")
    r = client.post("/api/v1/eligibility?date=2019-03-01")
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    r = client.post("/api/v1/eligibility?date=2019-03-01", json=[1, 2])
    assert r.status_code == 422


def test_openapi_documents_the_stable_path():
    spec = client.get("/openapi.json").json()
    assert "/api/v1/eligibility" in spec["paths"]


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
                    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children,
                                                                                        max_size=4), max_leaves=20)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(JSON, people(), people().map(lambda p: {**p, "hukou": "somewhere"})))
def test_no_input_gets_a_5xx(body):
    r = client.post("/api/v1/eligibility?date=2020-06-01", content=json.dumps(body),
                    headers={"content-type": "application/json"})
    assert r.status_code < 500, r.text
    if r.status_code >= 400:
        assert r.headers["content-type"].startswith("application/problem+json")


def test_the_schema_documents_problem_responses():
    """What the handlers answer is what the OpenAPI schema says (application/problem+json, not FastAPI's 422 shape)."""
    spec = client.get("/openapi.json").json()
    eligibility = spec["paths"]["/api/v1/eligibility"]["post"]["responses"]
    assert set(eligibility["422"]["content"]) == {"application/problem+json"}
    assert "400" in eligibility and "HTTPValidationError" not in spec["components"]["schemas"]
    submit = spec["paths"]["/api/v1/applications"]["post"]["responses"]
    assert {"200", "201", "401", "422"} <= set(submit)
    assert "409" in spec["paths"]["/api/v1/applications/{case_id}/actions"]["post"]["responses"]

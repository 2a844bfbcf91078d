"""The API against its own OpenAPI schema, with generated input, as every role, over real cases (in
process, no server): no input gives a 5xx; every 4xx is `application/problem+json` with a `detail`,
naming the `field` at fault (all but 401: no one is signed in); every response conforms to the schema.

A small synthetic register, an account for every role (applicants bound to their ID numbers) and
cases at several stages (awaiting consent, accepted, materials asked for, reviewed, approved, an
override awaiting its second approver, an issued permit, withdrawn, another township's, a counter
case, registered) are built once. Each request schemathesis generates is sent as every role (and
as no one), with that role's bearer token and a valid `X-Purpose`, unless the header is what was
generated invalid; the coverage phase's thousand boundary cases an operation go to the roles in
turn, and the operations that need no sign-in are sent once. A path's `case_id` is a real case's
(unless the path is what was generated invalid); an action carries the case's real version half of
the time and a submission the city's township, so generated actions and submissions do reach the
case rules and some are appended. About 30 s (40 examples an operation).
"""

from __future__ import annotations

import itertools
import tempfile
import zlib
from datetime import datetime
from pathlib import Path

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import (content_type_conformance, negative_data_rejection,
                                               response_schema_conformance, status_code_conformance)
from sqlalchemy import text

from casework_people import GRANDPA, WANG, ZHAO, id_number
from hukou.api.app import create_app
from hukou.cases.errors import CaseError
from hukou.cases.purposes import PURPOSES
from hukou.registry.synth import generate
from hukou.store.database import connect, load_tables, migrate
from hukou.store.unit_of_work import UnitOfWork
from hukou.store.users import create_user, issue_token, viewer_of

TOWN, OTHER = "652301001", "652301002"
COUNTER = id_number("65230119900101007")  # a citizen served at the counter, with no account
FACTS = {"birth_date": "1990-03-07", "hukou": {"place": "622425", "urban": False},
         "residence": [{"from": "2015-03-01", "place": "652301001003", "urban": True}],
         "housing": {"kind": "rented", "registered": True}, "employment": [{"from": "2015-03-01"}],
         "education": [], "qualifications": []}
SPARSE = {"birth_date": "1990-03-07", "hukou": {"place": "622425", "urban": False}}
# (username, role, township, city_wide, bound to); "local" is bound to a person of the register below
USERS = [("wang", "applicant", None, False, WANG), ("zhao", "applicant", None, False, ZHAO),
         ("grandpa", "applicant", None, False, GRANDPA), ("local", "applicant", None, False, None),
         ("nobody", "applicant", None, False, None),  # bound to no one: cannot apply
         ("p1", "police_station", TOWN, False, None), ("p2", "police_station", OTHER, False, None),
         ("a1", "county_approver", None, True, None), ("a2", "county_approver", None, True, None),
         ("a3", "county_approver", TOWN, False, None), ("au", "auditor", None, False, None),
         ("boss", "leader", None, False, None), ("admin", "administrator", None, False, None),
         ("dept", "department", None, False, None)]


def _build() -> tuple[str, dict[str, dict[str, str]], list[str]]:
    url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='hukou-schema-')) / 'api.sqlite'}"
    engine = connect(url)
    migrate(engine)
    load_tables(engine, generate(30, seed=3))
    with engine.connect() as conn:
        local = conn.execute(text("SELECT id_number FROM people ORDER BY person_id LIMIT 1")).scalar()
    headers: dict[str, dict[str, str]] = {"anonymous": {}}
    for name, role, township, city_wide, number in USERS:
        create_user(engine, name, f"{name}-password", role, township, city_wide=city_wide,
                    id_number=local if name == "local" else number)
        token = issue_token(engine, viewer_of(engine, name), datetime.now())
        headers[name] = {"Authorization": f"Bearer {token}", "X-Purpose": next(iter(PURPOSES[role]))}
    engine.dispose()
    return url, headers, _cases(TestClient(create_app(database=url)), headers)


def _cases(client: TestClient, headers: dict[str, dict[str, str]]) -> list[str]:
    """Cases at several stages, built through the API: each id, in the order made."""
    made: list[str] = []

    def submit(who: str, **body) -> str:
        body = {"kind": "settlement", "township": TOWN, **body}
        r = client.post("/api/v1/applications", json=body, headers={**headers[who], "Idempotency-Key": f"k{len(made)}"})
        assert r.status_code == 201, r.text
        made.append(r.json()["id"])
        return made[-1]

    def act(case: str, *steps: tuple[str, str, dict]) -> None:
        for who, type_, data in steps:
            version = client.get(f"/api/v1/applications/{case}", headers=headers["au"]).json()["version"]
            r = client.post(f"/api/v1/applications/{case}/actions", headers=headers[who],
                            json={"type": type_, "expected_version": version, "data": data})
            assert r.status_code == 200, r.text

    up_to_review = (("p1", "accepted", {}), ("p1", "reviewed", {}))
    follower = [{"relation": "spouse", "name": "赵六", "id_number": ZHAO},
                {"relation": "parent", "name": "王老", "id_number": GRANDPA}]
    submit("wang", facts=FACTS, followers=follower, consent={})  # waits for the followers' consent
    act(submit("wang", facts=FACTS, followers=follower[:1], consent={}), ("zhao", "consent_recorded", {}),
        ("p1", "accepted", {}))
    act(submit("wang", facts=SPARSE, consent={}), ("p1", "materials_requested", {}))
    act(submit("wang", facts=FACTS, consent={}), *up_to_review)
    act(submit("wang", facts=FACTS, consent={}), *up_to_review, ("a1", "approved", {}))
    act(submit("wang", facts=FACTS, consent={}), *up_to_review,  # an override waiting for a second approver
        ("a1", "rejected", {"failed_rule": "general.legal_stable_residence", "reason": "the lease is forged"}))
    act(submit("wang", kind="residence_permit", facts=FACTS), *up_to_review, ("a1", "approved", {}),
        ("p1", "issued", {}))
    act(submit("wang", facts=FACTS, consent={}), ("wang", "withdrawn", {}))
    submit("wang", township=OTHER, facts=FACTS, consent={})  # another station's township
    submit("local", consent={})  # the register's facts
    consent = {"party": "applicant", "id_number": COUNTER, "in_person": True, "signed": True, "id_card_checked": True}
    submit("p1", applicant={"name": "李四", "id_number": COUNTER}, facts=FACTS, consent=consent)
    act(submit("wang", facts=FACTS, consent={}), *up_to_review, ("a1", "approved", {}),
        ("p1", "registered", {"place": "652301001002"}))  # last: it moves wang into the register
    return made


DATABASE, HEADERS, CASES = _build()
APP = create_app(database=DATABASE)
ROLES = list(HEADERS)  # every account, and no one signed in
TURNS = itertools.cycle(ROLES)
SIGNED_OUT = {"/api/v1/eligibility", "/api/v1/token", "/api/v1/health"}  # the same for everyone
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


def _version(case_id: str) -> int | None:
    with UnitOfWork(APP.state.casework().engine) as uow:
        try:
            return uow.cases.get(case_id)[0].version
        except CaseError:  # not a case: a generated id
            return None


@schemathesis.check
def problem_details(ctx, response, case):
    """A 4xx is RFC 9457 problem JSON with a detail and its status, naming the field at fault ("" for
    the whole input); only "not signed in" (401) names none."""
    if 400 <= response.status_code < 500:
        assert response.headers.get("content-type", [""])[0].startswith("application/problem+json"), response.headers
        body = response.json()
        assert isinstance(body.get("detail"), str) and body["detail"], body
        assert body.get("status") == response.status_code, body
        if response.status_code != 401:
            assert isinstance(body.get("field"), str), body


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          negative_data_rejection, problem_details]


def _hash(case) -> int:
    """The same number each time this generated request is replayed."""
    return zlib.crc32(repr((case.body, case.query, case.headers)).encode())


def _pick(case) -> str:
    return CASES[_hash(case) % len(CASES)]


def _even(case) -> bool:
    return _hash(case) // len(CASES) % 2 == 0


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_its_schema(case):
    meta = case.meta
    if "case_id" in (case.path_parameters or {}) and not meta.is_negative_at(ParameterLocation.PATH):
        case.path_parameters["case_id"] = _pick(case)  # a real case (a generated invalid id stays: a 422)
    body = case.body if isinstance(case.body, dict) and not meta.is_negative_at(ParameterLocation.BODY) else {}
    if case.path == "/api/v1/applications" and body.get("township") and _even(case):
        body["township"] = TOWN  # a township of the city, so that some generated submissions are cases
    if case.path.endswith("/actions") and type(body.get("expected_version")) is int and _even(case):
        version = _version(case.path_parameters["case_id"])
        if version is not None:
            body["expected_version"] = version
    # negative headers: the generated X-Purpose or Idempotency-Key stays, and a request generated without
    # the token stays without it
    own_headers = not meta.is_negative_at(ParameterLocation.HEADER)
    signed = own_headers or "Authorization" in (case.headers or {})
    if case.path in SIGNED_OUT:
        roles = ["anonymous"]
    elif meta.phase.name == "coverage":  # a thousand boundary cases an operation: each as one role, in turn
        roles = [next(TURNS)]
    else:
        roles = ROLES
    for role in roles:
        headers = {k: v for k, v in HEADERS[role].items() if own_headers or (k == "Authorization" and signed)}
        case.call_and_validate(headers=headers, checks=CHECKS)

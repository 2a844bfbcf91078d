"""The API against its own OpenAPI schema, with generated input (in process, no server): no input
gives a 5xx; every 4xx is `application/problem+json` with a `detail`, naming the `field` where one
is at fault; every response conforms to the schema. Kept short for CI (a few dozen examples per
operation)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from hukou.api.app import create_app
from hukou.registry.synth import generate
from hukou.store.database import connect, load_tables, migrate
from hukou.store.users import create_user

_DB = f"sqlite:///{Path(tempfile.mkdtemp(prefix='hukou-schema-')) / 'api.sqlite'}"
_engine = connect(_DB)
migrate(_engine)
load_tables(_engine, generate(30, seed=3))
create_user(_engine, "schema-applicant", "schema-applicant-password", "applicant")
_engine.dispose()
APP = create_app(database=_DB)
_token = TestClient(APP).post("/api/v1/token", data={"username": "schema-applicant",
                                                     "password": "schema-applicant-password"}).json()["access_token"]
AUTH = {"Authorization": f"Bearer {_token}"}

schema = schemathesis.openapi.from_asgi("/openapi.json", APP).include(
    path_regex=r"^/api/v1/(eligibility|token|applications)")


@schemathesis.check
def problem_details(ctx, response, case):
    """A 4xx is RFC 9457 problem JSON with a detail; a 422 names the field at fault (or "" for the
    whole input)."""
    if 400 <= response.status_code < 500:
        assert response.headers.get("content-type", [""])[0].startswith("application/problem+json"), response.headers
        body = response.json()
        assert isinstance(body.get("detail"), str) and body["detail"], body
        assert body.get("status") == response.status_code, body
        if response.status_code == 422:
            assert "field" in body, body


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_its_schema(case):
    headers = AUTH if "/applications" in case.path else None
    case.call_and_validate(headers=headers, checks=[not_a_server_error, status_code_conformance,
                                                    content_type_conformance, response_schema_conformance,
                                                    problem_details])

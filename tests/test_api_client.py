"""A client generated from /openapi.json by openapi-python-client: it builds without warnings, its
models are named as the specification names them, and it drives a whole case against the server on
a loopback port: a migrant applies with his wife, she consents under her own account, the police
station accepts and reviews, a county approver approves, the station registers them."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from casework_people import WANG, ZHAO
from loopback import served
from hukou.api.app import create_app
from hukou.registry.synth import generate
from hukou.store.database import connect, load_tables, migrate
from hukou.store.users import create_user

GENERATOR = Path(sys.executable).with_name("openapi-python-client")
CONFIG = "project_name_override: hukou-client\npackage_name_override: hukou_client\npost_hooks: []\n"
TOWN, PLACE = "652301001", "652301001002"
FACTS = {"birth_date": "1990-03-07", "hukou": {"place": "622425", "urban": False},
         "residence": [{"from": "2015-03-01", "to": None, "place": "652301001003", "urban": True}],
         "housing": {"kind": "rented", "registered": True}, "employment": [{"from": "2015-03-01", "to": None}],
         "social_insurance": [{"from": "2016-01", "to": "2018-12"}], "education": [], "qualifications": [],
         "family": {"spouse": {"moving": True}, "children": [], "parents": []}}
USERS = [("wang", "applicant", None, False, WANG), ("zhao", "applicant", None, False, ZHAO),
         ("p1", "police_station", TOWN, False, None), ("a1", "county_approver", None, True, None)]


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The generated package, imported, and what the generator printed."""
    folder = tmp_path_factory.mktemp("client")
    (folder / "openapi.json").write_text(json.dumps(create_app().openapi()), encoding="utf-8")
    (folder / "config.yaml").write_text(CONFIG, encoding="utf-8")
    run = subprocess.run([str(GENERATOR), "generate", "--path", str(folder / "openapi.json"),
                          "--output-path", str(folder / "out"), "--config", str(folder / "config.yaml")],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    sys.path.insert(0, str(folder / "out"))
    try:
        yield importlib.import_module("hukou_client"), run.stdout + run.stderr
    finally:
        sys.path.remove(str(folder / "out"))
        for name in [m for m in sys.modules if m == "hukou_client" or m.startswith("hukou_client.")]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('client-db') / 'api.sqlite'}"
    engine = connect(url)
    migrate(engine)
    load_tables(engine, generate(30, seed=5))
    for name, role, township, city_wide, number in USERS:
        create_user(engine, name, f"{name}-password", role, township, city_wide=city_wide, id_number=number)
    engine.dispose()
    with served(create_app(database=url)) as base:
        yield base


def test_the_client_builds_without_warnings(generated):
    _, printed = generated
    assert "warning" not in printed.lower(), printed


def test_the_models_read_as_the_specification_names_them(generated):
    models = importlib.import_module("hukou_client.models")
    names = set(models.__all__)
    assert {"ApplicationIn", "CaseOut", "Facts", "Hukou", "Residence", "ConsentRecordedAction", "RejectedAction",
            "RegisteredActionOut", "RegisteredRecord", "VerdictAt", "SignInForm", "TokenOut", "Problem"} <= names
    odd = sorted(n for n in names if n.startswith("Body") or "ApiV1" in n or "Post" in n or "Get" in n)
    assert odd == []
    api = Path(generated[0].__file__).parent / "api"
    operations = {p.stem for p in api.glob("*/*.py") if p.stem != "__init__"}
    assert operations == {"check_eligibility", "check_health", "sign_in", "list_purposes", "submit_application",
                          "list_applications", "read_application", "act_on_application", "report_overrides",
                          "list_tasks", "read_task", "complete_task", "refuse_task"}


def test_the_facts_model_keeps_the_facts(generated):
    from hukou_client.models import Facts

    assert Facts.from_dict(FACTS).to_dict() == FACTS


def test_a_whole_case_through_the_generated_client(generated, server):
    from hukou_client import AuthenticatedClient, Client
    from hukou_client.api.applications import (act_on_application, list_applications, read_application,
                                               submit_application)
    from hukou_client.api.sign_in import sign_in
    from hukou_client.models import (AcceptedAction, ApplicationIn, ApplicationInKind, ApprovedAction, ApprovedData,
                                     CaseOut, ConsentData, ConsentRecordedAction, Facts, FollowerIn,
                                     FollowerInRelation, Problem, RegisteredAction, RegisteredActionOut,
                                     RegisteredData, RegisteredRecord, ReviewedAction, SignInForm, SubmittedActionOut,
                                     VerdictAt)

    def signed_in(name: str) -> AuthenticatedClient:
        form = SignInForm(username=name, password=f"{name}-password")
        token = sign_in.sync(client=Client(base_url=server), body=form)
        assert token is not None and not isinstance(token, Problem), token
        return AuthenticatedClient(base_url=server, token=token.access_token)

    wang, zhao, p1, a1 = (signed_in(name) for name in ("wang", "zhao", "p1", "a1"))
    application = ApplicationIn(kind=ApplicationInKind.SETTLEMENT, township=TOWN, facts=Facts.from_dict(FACTS),
                                followers=[FollowerIn(relation=FollowerInRelation.SPOUSE, name="赵六", id_number=ZHAO)],
                                consent=ConsentData())
    submitted = submit_application.sync_detailed(client=wang, body=application, idempotency_key="wang-1")
    assert submitted.status_code == 201, submitted.content
    case = submitted.parsed  # the submission's answer, parsed
    assert isinstance(case, CaseOut), case
    assert case.status == "submitted" and case.version == 2
    assert [(p.key, p.consented) for p in case.parties] == [("applicant", True), ("f1", False)]
    replay = submit_application.sync_detailed(client=wang, body=application, idempotency_key="wang-1")
    assert replay.status_code == 200 and isinstance(replay.parsed, CaseOut) and replay.parsed.id == case.id

    def act(client: AuthenticatedClient, action) -> CaseOut:
        done = act_on_application.sync(case.id, client=client, body=action)
        assert isinstance(done, CaseOut), done
        return done

    seen = read_application.sync(case.id, client=zhao)
    assert isinstance(seen, CaseOut) and seen.disclosure == "follower" and seen.next_actions == ["consent_recorded"]
    case = act(zhao, ConsentRecordedAction(type_="consent_recorded", expected_version=case.version, data=ConsentData()))
    stale = act_on_application.sync(case.id, client=p1, body=AcceptedAction(type_="accepted", expected_version=1))
    assert isinstance(stale, Problem) and stale.status == 409 and stale.field == "expected_version"
    case = act(p1, AcceptedAction(type_="accepted", expected_version=case.version))
    case = act(p1, ReviewedAction(type_="reviewed", expected_version=case.version))
    queue = list_applications.sync(client=a1, x_purpose="approval")
    assert [item.id for item in queue.items] == [case.id] and queue.items[0].next_actions == ["approved", "rejected"]
    case = act(a1, ApprovedAction(type_="approved", expected_version=case.version, data=ApprovedData()))
    assert isinstance(case.decision.verdict, VerdictAt) and case.decision.verdict.status == "eligible"
    case = act(p1, RegisteredAction(type_="registered", expected_version=case.version,
                                    data=RegisteredData(place=PLACE)))

    assert case.status == "registered" and case.next_actions == []
    assert isinstance(case.registered, RegisteredRecord) and case.registered.place == PLACE
    assert sorted(m.party for m in case.registered.moved) == ["applicant", "f1"]
    assert isinstance(case.actions[0], SubmittedActionOut) and isinstance(case.actions[-1], RegisteredActionOut)
    assert [a.type_ for a in case.actions] == ["submitted", "consent_recorded", "consent_recorded", "accepted",
                                                "reviewed", "approved", "registered"]
    assert case.actions[0].data.facts.to_dict() == _without_nulls(FACTS)  # as recorded (an open end left out)
    mine = read_application.sync(case.id, client=wang)
    assert isinstance(mine, CaseOut) and mine.verdict.settlement.status == "eligible"


def _without_nulls(value):
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value

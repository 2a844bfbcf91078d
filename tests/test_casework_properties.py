"""Random action sequences with random data, by every role, on real cases in a real database: every
refusal is a CaseError or an InputError (a 4xx), nothing refused is written, and afterwards the
case's state, every role's next actions, the API's case and queue, and the web's case page and
queue always answer."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from casework_people import GRANDPA, TOWN, WANG, ZHAO, a1, a2, grandpa, p1, p2, stranger, wang, zhao
from hukou.api.app import create_app
from hukou.cases import case as C
from hukou.cases.errors import CaseError
from hukou.cases.viewer import Viewer
from hukou.policy.errors import InputError
from hukou.services.casework import Application
from hukou.store.database import connect, migrate
from hukou.store.users import create_user, issue_token

FACTS = {"birth_date": "1990-03-07", "hukou": {"place": "622425", "urban": False},
         "residence": [{"from": "2015-03-01", "to": None, "place": "652301001", "urban": True}],
         "housing": {"kind": "rented", "registered": True}, "employment": [{"from": "2015-03-01", "to": None}],
         "education": [], "qualifications": []}
AUDITOR, LEADER, DEPARTMENT = Viewer("au", "auditor"), Viewer("boss", "leader"), Viewer("dept", "department")
VIEWERS = (wang, zhao, grandpa, stranger, p1, p2, a1, a2, AUDITOR, LEADER, DEPARTMENT)
PURPOSE = {"police_station": "casework", "county_approver": "approval", "auditor": "audit", "leader": "oversight",
           "department": "task"}
_clock = itertools.count()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from hukou.registry.synth import generate
    from hukou.store.database import load_tables

    url = f"sqlite:///{tmp_path_factory.mktemp('props') / 'cases.sqlite'}"
    engine = connect(url)
    migrate(engine)
    load_tables(engine, generate(100, seed=5))
    for v in VIEWERS:
        create_user(engine, v.username, f"{v.username}-password", v.role, v.township, city_wide=v.city_wide,
                    id_number=v.id_number)
    app = create_app(database=url)
    client = TestClient(app, raise_server_exceptions=False)
    tokens = {v.username: issue_token(engine, v, datetime.now()) for v in VIEWERS}
    return app.state.casework(), client, tokens


def now() -> datetime:
    return datetime(2020, 3, 2, 9) + timedelta(minutes=next(_clock))


json_leaf = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**6), st.text(max_size=12),
                      st.sampled_from([WANG, ZHAO, "applicant", "f1", "f2", "652301001001", "general.urban_place"]))
json_value = st.recursive(json_leaf, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8),
                                                                                                  inner, max_size=3),
                          max_leaves=6)
field_names = st.sampled_from(["items", "facts", "reason", "note", "party", "id_number", "in_person", "signed",
                               "id_card_checked", "failed_rule", "decision", "agree", "place", "urban", "moved",
                               "household_id", "who", "verdict", "override"])
plausible = st.fixed_dictionaries({}, optional={
    "items": st.lists(st.sampled_from(["housing", "residence", "x"]), max_size=3), "reason": st.text(max_size=20),
    "party": st.sampled_from(["applicant", "f1", "f2", "f9"]), "id_number": st.sampled_from([WANG, ZHAO, GRANDPA]),
    "in_person": st.booleans(), "signed": st.booleans(), "id_card_checked": st.booleans(),
    "failed_rule": st.sampled_from(["general.legal_stable_residence", "no_route", "made.up"]),
    "decision": st.integers(0, 12), "agree": st.booleans(), "place": st.sampled_from(["652301001001", "652301002001"]),
    "facts": st.sampled_from([FACTS, {"birth_date": "1980-13-45"}, {}])})
data = st.one_of(plausible, st.dictionaries(field_names, json_value, max_size=3), json_value)
random_step = st.tuples(st.sampled_from(VIEWERS), st.sampled_from(C.ACTION_TYPES + ("teleported",)), data,
                        st.integers(-1, 12))
step = st.one_of(random_step, st.tuples(st.just(None), st.integers(0, 1)), st.tuples(st.just(None), st.integers(0, 5)))  # (None, n): the n-th possible next step


def _possible(case):
    """Some steps a real user could take now, with data that should pass."""
    s = C.state(case)
    out = []
    for v in VIEWERS:
        for type_ in C.next_actions(case, v):
            if type_ == C.WITHDRAWN:  # random steps withdraw often enough
                continue
            data = {C.APPROVED: {"reason": "checked at the counter"}, C.REJECTED: {"failed_rule": "no_route", "reason": "x"},
                    C.REGISTERED: {"place": "652301001001"}, C.MATERIALS_REQUESTED: {"items": ["housing"]},
                    C.MATERIALS_PROVIDED: {"items": list(s.materials_outstanding)},
                    C.DEADLINE_EXTENDED: {"reason": "x"}, C.REPLACED: {"reason": "x"}, C.CANCELLED: {"reason": "x"},
                    C.SECOND_APPROVAL: {"decision": s.decision.seq if s.decision else 1}}.get(type_, {})
            if type_ == C.CONSENT_RECORDED and v.role == "police_station":
                party = next((p for p in s.parties if p.key not in s.consents), None)
                if party is None:
                    continue
                data = {"party": party.key, "id_number": party.id_number, "in_person": True, "signed": True,
                        "id_card_checked": True}
            out.append((v, type_, data))
    return sorted(out, key=lambda o: _PROGRESS.index(o[1]) if o[1] in _PROGRESS else len(_PROGRESS))


_PROGRESS = [C.CONSENT_RECORDED, C.ACCEPTED, C.REVIEWED, C.APPROVED, C.SECOND_APPROVAL, C.REGISTERED, C.ISSUED]


def _everything_answers(casework, client, tokens, case_id):
    for v in VIEWERS:
        try:
            view = casework.read(v, case_id, PURPOSE.get(v.role), now())
        except CaseError as exc:
            assert exc.status == 404, exc  # may not see it
        else:
            C.next_actions(view.case, v)
        headers = {"Authorization": f"Bearer {tokens[v.username]}", "X-Purpose": PURPOSE.get(v.role, "own_case")}
        for path in (f"/api/v1/applications/{case_id}", "/api/v1/applications"):
            r = client.get(path, headers=headers)
            assert r.status_code < 500, (path, v, r.text)
        for path in (f"/cases/{case_id}", "/cases"):
            client.cookies.set("hukou_session", tokens[v.username])
            if v.role in PURPOSE:
                client.cookies.set("hukou_purpose", PURPOSE[v.role])
            r = client.get(path, follow_redirects=False)
            assert r.status_code < 500, (path, v, r.text[:500])
            client.cookies.clear()


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(followers=st.integers(0, 2), steps=st.lists(step, min_size=1, max_size=14))
def test_random_actions_never_break_a_case(site, followers, steps):
    casework, client, tokens = site
    follow = [{"relation": "spouse", "id_number": ZHAO, "name": "赵六"},
              {"relation": "parent", "id_number": GRANDPA, "name": "王老"}][:followers]
    case, _ = casework.submit(wang, Application("settlement", TOWN, FACTS, tuple(follow), consent={}),
                              f"prop-{next(_clock)}", now())
    for chosen in steps:
        before = _load(casework, case.id)
        if chosen[0] is None:
            possible = _possible(before)
            if not possible:
                continue
            viewer, type_, payload = possible[chosen[1] % len(possible)]
            version = -1
        else:
            viewer, type_, payload, version = chosen
        expected = before.version if version < 0 else version
        try:
            casework.act(viewer, case.id, type_, payload, expected, now())
        except (CaseError, InputError):
            assert _load(casework, case.id).actions == before.actions  # nothing refused is written
        C.state(_load(casework, case.id))
    event(f"reached {C.state(_load(casework, case.id)).status}")
    _everything_answers(casework, client, tokens, case.id)


def _load(casework, case_id):
    from hukou.store.unit_of_work import UnitOfWork

    with UnitOfWork(casework.engine) as uow:
        return uow.cases.get(case_id)[0]

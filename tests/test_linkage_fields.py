"""The purpose limit, generated from the policy's declared fields: for every task type, the service's
list and detail, the API's list and detail, and the web inbox and task page show exactly the declared
fields and nothing else. Another department's task is "no task" (404); a second completion is 409
and changes nothing; every read is logged with its purpose."""

from __future__ import annotations

import html
import re
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from casework_people import p1
from hukou.api.app import create_app
from hukou.cases.errors import CaseError
from hukou.policies import load
from hukou.policy.policy_file import TASK_FIELDS
from hukou.services.linkage import Linkage, TaskQuery
from hukou.store.users import create_user
from linkage_people import department, issue_permit, settle
from test_casework import World

POLICY = load("changji-2018")
NOW = datetime(2020, 3, 10, 9, 0)
# what no department is ever shown: the facts a decision rested on, the register's ids, other cases
NEVER = ("employment", "social_insurance", "housing", "residence", "education", "person_id", "verdict", "facts")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = World(f"sqlite:///{tmp_path_factory.mktemp('fields') / 'linkage.sqlite'}")
    settle(w)
    issue_permit(w)
    for code in POLICY.departments:
        create_user(w.engine, code, f"{code}-password", "department", display_name=code, department=code)
    return w


@pytest.fixture(scope="module")
def client(world):
    return TestClient(create_app(database=str(world.engine.url)), raise_server_exceptions=False)


def _token(client, username):
    r = client.post("/api/v1/token", data={"username": username, "password": f"{username}-password"})
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _one_task_of(world, task_type):
    with world.engine.connect() as conn:
        return conn.execute(text("SELECT id FROM department_tasks WHERE task_type = :t ORDER BY id"),
                            {"t": task_type}).scalar()


@pytest.mark.parametrize("task_type", list(POLICY.tasks))
def test_each_task_type_shows_exactly_its_declared_fields_in_service_api_and_pages(world, client, task_type):
    kind = POLICY.tasks[task_type]
    declared = list(kind.fields)
    task_id = _one_task_of(world, task_type)
    assert task_id is not None, f"the demo family and permit make a {task_type} task"
    linkage, me = Linkage(world.engine, POLICY), department(kind.department)
    listed = [v for v in linkage.inbox(me, "task", TaskQuery(task_type=task_type), NOW.date(), NOW).items]
    assert listed and all(list(v.fields) == declared for v in listed)
    assert list(linkage.task(me, task_id, "task", NOW).fields) == declared
    headers = _token(client, kind.department)
    body = client.get("/api/v1/tasks", params={"task_type": task_type}, headers=headers).json()
    assert body["items"] and all(list(item["fields"]) == declared for item in body["items"])
    one = client.get(f"/api/v1/tasks/{task_id}", headers=headers)
    assert one.status_code == 200 and list(one.json()["fields"]) == declared
    raw = one.text
    for word in NEVER:  # nothing of the decision's facts leaks in any other key
        assert f'"{word}"' not in raw
    for name in set(TASK_FIELDS) - set(declared):
        assert f'"{name}"' not in raw
    # the web pages: exactly the declared fields, in the list and on the task's page
    page = _web_page(client, kind.department, f"/tasks/{task_id}")
    assert re.findall(r'data-field="([^"]+)"', page) == declared
    listing = _web_page(client, kind.department, f"/tasks?status=all&task_type={task_type}")
    assert set(re.findall(r'data-field="([^"]+)"', listing)) == set(declared)


def _web_page(client, username, path):
    client.cookies.clear()
    page = client.get("/login").text
    csrf = html.unescape(re.search(r'name="csrf" value="([^"]*)"', page).group(1))
    r = client.post("/login", data={"csrf": csrf, "username": username, "password": f"{username}-password"},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/tasks"
    got = client.get(path)
    assert got.status_code == 200, got.text
    return got.text


def test_the_education_bureau_sees_the_child_and_the_address_only(world):
    linkage = Linkage(world.engine, POLICY)
    (task,) = linkage.inbox(department("jiaoyu"), None, TaskQuery(), NOW.date(), NOW).items
    assert set(task.fields) == {"case.number", "child.name", "child.birth_date", "household.address"}
    assert task.fields["child.name"] == "王小明" and task.fields["child.birth_date"] == "2010-06-01"


def test_another_departments_task_is_no_task_and_nothing_changes(world, client):
    task_id = _one_task_of(world, "school_enrolment")
    linkage = Linkage(world.engine, POLICY)
    for act in (lambda: linkage.task(department("renshe"), task_id, "task", NOW),
                lambda: linkage.complete(department("renshe"), task_id, "RS-1", None, NOW)):
        with pytest.raises(CaseError) as err:
            act()
        assert err.value.status == 404
    r = client.post(f"/api/v1/tasks/{task_id}/complete", json={"reference": "RS-1"}, headers=_token(client, "renshe"))
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")
    assert linkage.task(department("jiaoyu"), task_id, "task", NOW).status == "open"
    with pytest.raises(CaseError) as err:  # an officer is not a department
        linkage.inbox(p1, "casework", TaskQuery(), NOW.date(), NOW)
    assert err.value.status == 403


def test_a_second_completion_is_409_and_changes_nothing(world, client):
    task_id = _one_task_of(world, "housing_provident_fund")
    headers = _token(client, "zhujian")
    digest = "ab" * 32
    first = client.post(f"/api/v1/tasks/{task_id}/complete", json={"reference": "GJJ-2020-17", "document_sha256": digest},
                        headers=headers)
    assert first.status_code == 200 and first.json()["status"] == "done"
    assert first.json()["reference"] == "GJJ-2020-17" and first.json()["closed_by"] == "zhujian"
    again = client.post(f"/api/v1/tasks/{task_id}/complete", json={"reference": "OTHER"}, headers=headers)
    refused = client.post(f"/api/v1/tasks/{task_id}/refuse", json={"reason": "x"}, headers=headers)
    assert again.status_code == 409 and refused.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")
    now = client.get(f"/api/v1/tasks/{task_id}", headers=headers).json()
    assert (now["status"], now["reference"], now["document_sha256"]) == ("done", "GJJ-2020-17", digest)


def test_bad_evidence_is_refused_naming_the_field(world, client):
    task_id = _one_task_of(world, "housing_security")
    r = client.post(f"/api/v1/tasks/{task_id}/complete", json={"reference": "Z-1", "document_sha256": "not-a-hash"},
                    headers=_token(client, "zhujian"))
    assert r.status_code == 422 and r.json()["field"] == "document_sha256"


def test_every_read_is_logged_with_its_purpose(world, client):
    def log(what):
        with world.engine.connect() as conn:
            return conn.execute(text("SELECT who, subject, why FROM audit_log WHERE what = :w ORDER BY seq"),
                                {"w": what}).all()

    task_id = _one_task_of(world, "three_rights_kept")
    headers = _token(client, "nongye")
    reads, lists = len(log("task.read")), len(log("task.list"))
    client.get(f"/api/v1/tasks/{task_id}", headers=headers)
    client.get("/api/v1/tasks", headers=headers)
    assert log("task.read")[reads:] == [("nongye", str(task_id), "task")]
    assert log("task.list")[lists:] == [("nongye", str(task_id), "task")]
    assert client.get("/api/v1/tasks", headers={**headers, "X-Purpose": "casework"}).status_code == 422

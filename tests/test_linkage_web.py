"""The departments' inbox on the web: a department completes and refuses its tasks with the page's
form token; the police station reads the refusal, with its reason, on the case page."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient

from casework_people import TOWN
from hukou.api.app import create_app
from hukou.store.users import create_user
from linkage_people import settle
from test_casework import World


@pytest.fixture()
def site(tmp_path):
    world = World(f"sqlite:///{tmp_path / 'web.sqlite'}")
    case = settle(world)
    create_user(world.engine, "jiaoyu", "jiaoyu-password", "department", display_name="教育局", department="jiaoyu")
    create_user(world.engine, "p1", "p1-password", "police_station", TOWN, "派出所")
    return TestClient(create_app(database=str(world.engine.url)), raise_server_exceptions=False), case


def _csrf(page: str) -> str:
    return html.unescape(re.search(r'name="csrf" value="([^"]*)"', page).group(1))


def _sign_in(client, username):
    client.cookies.clear()
    page = client.get("/login").text
    return client.post("/login", data={"csrf": _csrf(page), "username": username, "password": f"{username}-password"},
                       follow_redirects=False)


def _task_path(client) -> str:
    listing = client.get("/tasks").text
    return re.search(r'href="(/tasks/\d+)"', listing).group(1)


def test_a_department_refuses_a_task_and_the_station_reads_why_on_the_case(site):
    client, case = site
    assert _sign_in(client, "jiaoyu").headers["location"] == "/tasks"
    path = _task_path(client)
    page = client.get(path).text
    assert "王小明" in page and 'id="task-complete"' in page
    forged = client.post(f"{path}/close", data={"csrf": "forged", "outcome": "refused", "reason": "x"})
    assert forged.status_code == 403
    empty = client.post(f"{path}/close", data={"csrf": _csrf(page), "outcome": "refused", "reason": ""})
    assert empty.status_code == 422 and 'id="error-reason"' in empty.text
    reason = "该生已在原籍学校毕业，无需转学"
    done = client.post(f"{path}/close", data={"csrf": _csrf(page), "outcome": "refused", "reason": reason},
                       follow_redirects=False)
    assert done.status_code == 303
    assert "task-evidence" in client.get(path).text
    _sign_in(client, "p1")
    page = client.get("/purpose?next=/cases").text
    client.post("/purpose", data={"csrf": _csrf(page), "purpose": "casework", "next": "/cases"})
    case_page = client.get(f"/cases/{case.id}?lang=zh").text
    assert 'id="department-tasks"' in case_page and reason in case_page


def test_a_department_reports_a_task_done_with_its_reference(site):
    client, _ = site
    _sign_in(client, "jiaoyu")
    path = _task_path(client)
    page = client.get(path).text
    r = client.post(f"{path}/close", data={"csrf": _csrf(page), "outcome": "done", "reference": "JY-2020-031",
                                          "document_sha256": ""}, follow_redirects=False)
    assert r.status_code == 303
    page = client.get(path + "?lang=en").text
    assert "JY-2020-031" in page and 'id="task-complete"' not in page
    again = client.post(f"{path}/close", data={"csrf": _csrf(page), "outcome": "done", "reference": "X"})
    assert again.status_code == 409
    assert "JY-2020-031" in client.get(path).text

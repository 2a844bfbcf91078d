"""After a submission on the web: the confirmation page (its own address, read like the case, with
the case number, what happens next and by when, the guide and the links), the progress steps on the
case page, and the same steps in the API's case."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from casework_people import WANG, ZHAO, id_number
from hukou.api.app import create_app
from hukou.store.users import create_user
from hukou.web.session import csrf_token

FACTS = {"birth_date": "1990-03-07", "hukou": {"place": "622425", "urban": False},
         "residence": [{"from": "2015-03-01", "to": None, "place": "652301001", "urban": True}],
         "housing": {"kind": "rented", "registered": True}, "employment": [{"from": "2015-03-01", "to": None}],
         "education": [], "qualifications": []}
EVE = id_number("11010119850101001")


@pytest.fixture()
def site(tmp_path):
    app = create_app(database=f"sqlite:///{tmp_path / 'c.sqlite'}")
    engine = app.state.casework().engine
    for username, number in (("wang", WANG), ("zhao", ZHAO), ("eve", EVE)):
        create_user(engine, username, f"{username}-password", "applicant", display_name=username, id_number=number)
    create_user(engine, "p1", "p1-password", "police_station", "652301001")
    return TestClient(app)


def _sign_in(client: TestClient, username: str) -> None:
    client.cookies.clear()
    page = client.get("/login").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    r = client.post("/login", data={"username": username, "password": f"{username}-password", "csrf": csrf},
                    follow_redirects=False)
    assert r.status_code == 303


def _apply(client: TestClient) -> str:
    _sign_in(client, "wang")
    r = client.post("/applications", data={
        "csrf": csrf_token(client.cookies.get("hukou_session")), "idempotency_key": "once", "facts": json.dumps(FACTS),
        "kind": "settlement", "township": "652301001", "consent": "on", "followers.0.relation": "spouse",
        "followers.0.name": "赵六", "followers.0.id_number": ZHAO}, follow_redirects=False)
    assert r.status_code == 303, r.text
    assert re.fullmatch(r"/cases/[0-9a-f-]{36}/submitted", r.headers["location"])
    return r.headers["location"]


def test_a_submission_leads_to_its_confirmation_page(site):
    path = _apply(site)
    case_id = path.split("/")[2]
    page = site.get(path).text
    panel = page.split('id="confirmation"')[1].split("</div>")[0]
    assert "申请已提交" in panel
    number = re.search(r'id="case-number" lang="zh">([^<]+)<', page).group(1)
    assert re.fullmatch(r"昌落\d{4}-\d{6}", number)
    nxt = page.split('id="what-next"')[1].split("</section>")[0]
    assert "5个工作日内" in nxt and "20个工作日内" in nxt and "办理户口登记" in nxt
    assert nxt.index("受理") < nxt.index("审核") < nxt.index("审批") < nxt.index("办结")
    assert "等待赵六（配偶）确认自愿" in nxt and 'id="own-consent"' not in page  # his own consent came with the form
    assert "消息" in page.split('id="notify-note"')[1].split("</section>")[0]
    assert 'id="guide"' in page  # where to go and what to bring
    assert f'href="/cases/{case_id}" id="confirmation-case-link"' in page and 'href="/cases" id="confirmation-my-cases"' in page
    site.cookies.set("hukou_lang", "en")
    english = site.get(path).text
    assert "Application submitted" in english and number in english and "within 5 working days" in english


def test_the_confirmation_is_read_like_the_case(site):
    path = _apply(site)
    case_id = path.split("/")[2]
    _sign_in(site, "eve")  # a stranger
    assert site.get(path).status_code == 404
    _sign_in(site, "zhao")  # the follower: to the case page, which asks for her consent
    r = site.get(path, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/cases/{case_id}"
    site.cookies.clear()
    assert site.get(path, follow_redirects=False).headers["location"].startswith("/login")
    _sign_in(site, "p1")  # an officer says why they read first
    assert site.get(path, follow_redirects=False).headers["location"].startswith("/purpose")


def test_the_case_page_shows_the_progress_steps_and_the_api_the_same(site):
    path = _apply(site)
    case_id = path.split("/")[2]
    page = site.get(f"/cases/{case_id}").text
    steps = page.split('id="progress"')[1].split("</nav>")[0]
    assert steps.count("<li") == 5 and '<ol class="steps">' in steps
    current = re.findall(r'data-step="(\w+)" data-state="current" aria-current="step"', steps)
    assert current == ["accept"] and "等待派出所受理" in steps
    assert [s for s in re.findall(r'data-step="(\w+)"', steps)] == ["apply", "accept", "review", "decide", "conclude"]
    _sign_in(site, "zhao")  # a follower sees no steps of the applicant's case
    assert 'id="progress"' not in site.get(f"/cases/{case_id}").text
    token = site.post("/api/v1/token", data={"username": "wang", "password": "wang-password"}).json()["access_token"]
    out = site.get(f"/api/v1/applications/{case_id}", headers={"Authorization": f"Bearer {token}"}).json()
    assert [(s["step"], s["state"]) for s in out["progress"]] == [
        ("apply", "done"), ("accept", "current"), ("review", "upcoming"), ("decide", "upcoming"), ("conclude", "upcoming")]
    assert out["progress"][1]["waiting"] == "station_accept" and out["progress"][1]["due"]

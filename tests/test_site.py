"""The site behaves like a site: a browser gets an HTML page for 404, 405 and 500 (in the page's
language, with where to go next, and for a 500 a reference to quote but never a traceback), while API
clients and every path under /api/ keep their problem+json; /docs works without internet (Swagger UI
is served by the app, nothing from a CDN)."""

from __future__ import annotations

import logging
import re

import pytest
from fastapi.testclient import TestClient

from hukou.api.app import create_app
from hukou.store.database import connect, migrate
from hukou.store.users import create_user
from hukou.web import error_pages

BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
JSON = {"Accept": "application/json"}
REFERENCE = re.compile(r"\d{4}-\d{4}")


def _boom():
    raise RuntimeError("secret internals of the server")


@pytest.fixture()
def app(tmp_path):
    app = create_app(database=f"sqlite:///{tmp_path}/x.sqlite")
    app.add_api_route("/boom", _boom)  # test-only routes that fail
    app.add_api_route("/api/v1/boom", _boom)
    return app


@pytest.fixture()
def client(app):
    return TestClient(app, raise_server_exceptions=False)


def _heading(page: str) -> str:
    return re.search(r"<h1>(.*?)</h1>", page, re.DOTALL).group(1).strip()


def _is_page(response, status: int) -> None:
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert "about:blank" not in response.text and "Traceback" not in response.text


def test_an_unknown_page_is_a_page_in_chinese_with_where_to_go_next(client):
    r = client.get("/no-such-page", headers=BROWSER)
    _is_page(r, 404)
    assert _heading(r.text) == "找不到这个页面"
    assert '<html lang="zh-CN">' in r.text and 'href="/static/site.css"' in r.text  # the site's layout
    for link in ('href="/"', 'href="/check"', 'href="/cases"'):  # home, the self-check, my applications
        assert link in r.text
    assert "登录后查看我的申请" in r.text  # not signed in: /cases asks for the sign-in first
    assert client.get("/cases", follow_redirects=False).headers["location"] == "/login?next=/cases"


def test_the_error_page_speaks_the_pages_language(client):
    r = client.get("/no-such-page?lang=en", headers=BROWSER)
    _is_page(r, 404)
    assert _heading(r.text) == "Page not found" and '<html lang="en">' in r.text
    switched = client.get("/lang/en?next=/no-such-page", headers=BROWSER)  # the header's switch: a cookie
    assert switched.status_code == 404 and _heading(switched.text) == "Page not found"


def test_a_signed_in_applicant_is_offered_their_applications(tmp_path):
    url = f"sqlite:///{tmp_path}/users.sqlite"
    engine = connect(url)
    migrate(engine)
    create_user(engine, "carol", "carol-password", "applicant", None)
    client = TestClient(create_app(database=url))
    page = client.get("/login").text
    csrf = re.search(r'name="csrf" value="([^"]*)"', page).group(1)
    client.post("/login", data={"csrf": csrf, "username": "carol", "password": "carol-password"})
    r = client.get("/no-such-page", headers=BROWSER)
    _is_page(r, 404)
    assert ">查看我的申请</a>" in r.text and "退出" in r.text  # the nav of the signed-in


def test_a_404_page_does_not_need_the_database(tmp_path, caplog):
    client = TestClient(create_app(database=f"sqlite:///{tmp_path}/missing/dir/x.sqlite"))
    client.cookies.set("hukou_session", "a-session-the-database-cannot-look-up")
    with caplog.at_level(logging.WARNING, logger=error_pages.__name__):
        r = client.get("/no-such-page", headers=BROWSER)
    assert [rec for rec in caplog.records if rec.exc_info]  # the session could not be read: shown as signed out
    _is_page(r, 404)
    assert _heading(r.text) == "找不到这个页面"


@pytest.mark.parametrize("path,headers", [("/no-such-page", JSON), ("/no-such-page", {}),
                                          ("/api/v1/no-such-thing", BROWSER), ("/api/v1/no-such-thing", JSON)])
def test_api_clients_and_api_paths_keep_problem_json(client, path, headers):
    r = client.get(path, headers=headers)
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    assert r.json() == {"type": "about:blank", "title": "Request not served", "status": 404, "detail": "Not Found",
                        "field": "path"}


@pytest.mark.parametrize("path", ["/applications", "/logout"])
def test_opening_a_form_only_address_is_a_405_page(client, path):
    r = client.get(path, headers=BROWSER)
    _is_page(r, 405)
    assert _heading(r.text) == "这个地址不能直接打开" and 'href="/"' in r.text
    assert r.headers["allow"] == "POST"
    api = client.get(path, headers=JSON)
    assert api.status_code == 405 and api.headers["content-type"] == "application/problem+json"
    assert api.json()["field"] == "method"


def test_an_unexpected_error_is_a_page_with_a_reference_and_no_traceback(client, caplog):
    with caplog.at_level(logging.ERROR, logger=error_pages.__name__):
        r = client.get("/boom", headers=BROWSER)
    _is_page(r, 500)
    assert _heading(r.text) == "系统出了点问题"
    assert "请稍后再试；如果问题仍在，请到派出所窗口办理。" in r.text and 'href="/"' in r.text
    assert "secret internals" not in r.text and "RuntimeError" not in r.text and "File " not in r.text
    reference = REFERENCE.search(re.search(r'id="reference".*?</p>', r.text, re.DOTALL).group(0)).group(0)
    logged = [rec for rec in caplog.records if reference in rec.getMessage()]
    assert len(logged) == 1 and logged[0].exc_info[0] is RuntimeError  # the traceback is in the log
    english = client.get("/boom?lang=en", headers=BROWSER)
    assert english.status_code == 500 and _heading(english.text) == "Something went wrong on our side"


@pytest.mark.parametrize("path,headers", [("/boom", JSON), ("/api/v1/boom", BROWSER)])
def test_an_unexpected_error_is_problem_json_for_api_clients(client, caplog, path, headers):
    with caplog.at_level(logging.ERROR, logger=error_pages.__name__):
        r = client.get(path, headers=headers)
    assert r.status_code == 500 and r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["title"] == "Internal error" and body["status"] == 500 and body["type"] == "about:blank"
    assert REFERENCE.fullmatch(body["reference"]) and body["detail"].endswith(f"reference {body['reference']}")
    assert "secret internals" not in r.text
    assert any(body["reference"] in rec.getMessage() for rec in caplog.records)


def test_the_500_page_stands_even_when_the_layout_fails(client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the template is broken too")

    monkeypatch.setattr(error_pages, "render", broken)
    r = client.get("/boom", headers=BROWSER)
    _is_page(r, 500)
    assert "系统出了点问题" in r.text and REFERENCE.search(r.text) and "broken" not in r.text


def test_docs_are_served_without_a_cdn(client):
    r = client.get("/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assets = re.findall(r'(?:src|href)="([^"]+)"', r.text)
    assert assets and not [a for a in assets if a.startswith(("http://", "https://", "//"))]
    local = [a for a in assets if a.startswith("/static/")]
    assert {a.rsplit("/", 1)[1] for a in local} >= {"swagger-ui-bundle.js", "swagger-ui.css"}
    for asset in local:
        assert client.get(asset).status_code == 200, asset
    assert "url: '/openapi.json'" in r.text and client.get("/openapi.json").status_code == 200
    assert client.get("/redoc").status_code == 404  # FastAPI's ReDoc page loads from a CDN: it is off

"""The printable PDFs through the site: the self-check's guide (posted, never in the address) and a
case's acknowledgement receipt, each a real PDF whose text holds what it must (the materials, the
station, the case number, the time limit); the receipt goes only to those who may read the case, and
the guide is on the self-check, the application form and the applicant's case page.

WeasyPrint needs Debian's pango (libpango-1.0-0, libpangoft2-1.0-0) and fonts-noto-cjk: without
them these tests skip saying so, except under CI=true, where they fail."""

from __future__ import annotations

import html
import io
import json
import os
import re
import shutil

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text
from stdnum.cn import ric

from hukou.api.app import create_app
from hukou.store.database import connect, migrate
from hukou.store.users import create_user


def _weasyprint_missing() -> str:
    try:
        from weasyprint import HTML

        HTML(string="<p>测试</p>").write_pdf()
    except Exception as exc:  # noqa: BLE001 - an import error, or pango missing (OSError)
        return f"{type(exc).__name__}: {exc}"
    return ""


_MISSING = _weasyprint_missing()
if _MISSING and os.environ.get("CI") == "true":
    raise RuntimeError(f"CI=true but WeasyPrint cannot make a PDF (apt-get install libpango-1.0-0 libpangoft2-1.0-0): {_MISSING}")
pytestmark = pytest.mark.skipif(bool(_MISSING), reason=f"WeasyPrint cannot make a PDF here: {_MISSING}")
pypdf = pytest.importorskip("pypdf")


def _id(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")


ALICE, BOB = _id("62242519920418013"), _id("62242519850101011")
USERS = [("alice", "applicant", None, ALICE), ("bob", "applicant", None, BOB), ("p1", "police_station", "652301001", None)]
# the self-check's form at its simplest (the same answers the page tests give it): a graduate
GRADUATE_FORM = {"birth_date": "1992-04-18", "hukou.place": "622425", "hukou.urban": "rural", "date": "2026-12-02",
                 "education.state": "some", "education.0.level": "bachelor", "education.0.admitted": "2010-09-01",
                 "education.0.graduated": "2014-06-30"}
# RULEBOOK §2 facts, as the self-check posts them on: a graduate renting in 宁边路街道, a child moving too
FACTS = json.dumps({"birth_date": "1992-04-18", "hukou": {"place": "622425", "urban": False},
                    "education": [{"level": "bachelor", "admitted": "2010-09-01", "graduated": "2014-06-30"}],
                    "residence": [{"from": "2019-01-01", "to": None, "place": "652301001", "urban": True}],
                    "housing": {"kind": "rented", "registered": True},
                    "family": {"spouse": None, "children": [{"birth_date": "2016-06-01", "moving": True}], "parents": []}},
                   ensure_ascii=False)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from hukou.registry.synth import generate
    from hukou.store.database import load_tables

    path = tmp_path_factory.mktemp("pdf") / "built.sqlite"
    engine = connect(f"sqlite:///{path}")
    migrate(engine)
    load_tables(engine, generate(30, seed=3))
    for name, role, township, number in USERS:
        create_user(engine, name, f"{name}-password", role, township, id_number=number)
    engine.dispose()
    return path


@pytest.fixture()
def client(built, tmp_path):
    copy = tmp_path / "pdf.sqlite"
    shutil.copyfile(built, copy)
    client = TestClient(create_app(database=f"sqlite:///{copy}"), raise_server_exceptions=False)
    client.database = f"sqlite:///{copy}"
    return client


def _case_number(client, case_id: str) -> str:
    """The number people read out: the case's short number where the store keeps one, else its id."""
    engine = connect(client.database)
    try:
        if "number" not in {c["name"] for c in inspect(engine).get_columns("cases")}:
            return case_id
        with engine.connect() as conn:
            number = conn.execute(text("SELECT number FROM cases WHERE id = :id"), {"id": case_id}).scalar()
    finally:
        engine.dispose()
    return number or case_id


def _hidden(page: str, name: str) -> str:
    return html.unescape(re.search(rf'name="{re.escape(name)}" value="([^"]*)"', page).group(1))


def _sign_in(client, username: str) -> None:
    client.cookies.clear()
    page = client.get("/login").text
    r = client.post("/login", data={"csrf": _hidden(page, "csrf"), "username": username,
                                    "password": f"{username}-password"}, follow_redirects=False)
    assert r.status_code == 303
    if username == "p1":
        page = client.get("/purpose?next=/cases").text
        client.post("/purpose", data={"csrf": _hidden(page, "csrf"), "purpose": "casework", "next": "/cases"})


def _text(pdf: bytes) -> tuple[int, str]:
    assert pdf.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return len(reader.pages), re.sub(r"\s+", "", "".join(p.extract_text() for p in reader.pages))


def _guide_form(page: str) -> dict[str, str]:
    form = re.search(r'<form method="post" action="/check/guide.pdf".*?</form>', page, re.DOTALL).group(0)
    return {"facts": _hidden(form, "facts"), "date": _hidden(form, "date")}


def test_the_self_check_shows_the_guide_under_the_verdict_with_its_pdf_button(client):
    page = client.post("/check", data=GRADUATE_FORM).text
    guide = page[page.index('id="guide"'):]
    assert page.index('id="verdict-settlement"') < page.index('id="guide"')
    assert "毕业证书、学位证书" in guide and "不收取任何费用" in guide and "20个工作日" in guide
    assert "出生医学证明" not in guide and "房屋租赁合同和租赁备案证明" not in guide  # not relied on
    assert "全市派出所" in guide  # where they live is not said: every station
    form = _guide_form(page)
    assert json.loads(form["facts"])["education"][0]["level"] == "bachelor"  # the facts go in the body


def test_the_guide_pdf_holds_the_materials_station_hours_fee_and_basis(client):
    r = client.post("/check/guide.pdf", data={"facts": FACTS, "date": "2026-12-02"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    pages, said = _text(r.content)
    assert pages >= 1
    for words in ("办事指南：落户", "毕业证书、学位证书", "房屋租赁合同和租赁备案证明", "出生医学证明",
                  "昌吉市公安局宁边路派出所", "10:00–14:00", "14:00–15:30午休", "自受理之日起20个工作日内",
                  "不收取任何费用", "第五十八条", "行政许可法", "昌市政办发〔2018〕67号"):
        assert words in said, words
    assert "结婚证" not in said and "社会保险缴费证明" not in said
    client.cookies.set("hukou_lang", "en")
    _, english = _text(client.post("/check/guide.pdf", data={"facts": FACTS, "date": "2026-12-02"}).content)
    assert "Graduationanddegreecertificates" in english and "NingbianRoadPoliceStation" in english
    assert "Freeofcharge" in english


def test_the_guide_pdf_is_refused_without_facts_or_with_nothing_to_apply_for(client):
    assert client.post("/check/guide.pdf", data={"facts": "not json"}).status_code == 422
    undetermined = '{"birth_date": "1992-04-18", "hukou": {"place": "622425", "urban": false}}'
    r = client.post("/check/guide.pdf", data={"facts": undetermined, "date": "2026-12-02"})
    assert r.status_code == 422 and "没有办事指南可以打印" in r.text
    assert client.get("/check/guide.pdf").status_code == 405  # no facts in an address


def _apply(client) -> str:
    _sign_in(client, "alice")
    page = client.post("/apply", data={"facts": FACTS}).text
    assert 'id="guide"' in page and "出生医学证明" in page  # on the form, before submitting
    r = client.post("/applications", data={"csrf": _hidden(page, "csrf"), "idempotency_key": _hidden(page, "idempotency_key"),
                                           "facts": FACTS, "kind": "settlement", "township": "652301001", "consent": "on"},
                    follow_redirects=False)
    assert r.status_code == 303, r.text  # to the confirmation page, /cases/{id}/submitted
    return r.headers["location"].split("?")[0].removesuffix("/submitted")


def test_the_receipt_holds_the_case_number_station_and_time_limit_and_the_case_page_links_it(client):
    path = _apply(client)
    case_id = path.rsplit("/", 1)[1]
    number = _case_number(client, case_id)
    page = client.get(path).text
    assert f'href="{path}/receipt.pdf"' in page and 'id="guide"' in page and "昌吉市公安局宁边路派出所" in page
    r = client.get(f"{path}/receipt.pdf")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    pages, said = _text(r.content)
    assert pages >= 1
    for words in ("申请回执", number, "落户", "昌吉市公安局宁边路派出所", "20个工作日", "不收取任何费用", "尚未受理"):
        assert words in said, words
    _sign_in(client, "p1")  # the station accepts: the receipt becomes the acknowledgement, with its due date
    page = client.get(path).text
    assert 'id="guide"' not in page  # the guide is the applicant's
    act = re.search(r'<form method="post" action="[^"]*/act" id="act-accepted">.*?</form>', page, re.DOTALL).group(0)
    client.post(f"{path}/act", data={"csrf": _hidden(act, "csrf"), "type": "accepted",
                                     "expected_version": _hidden(act, "expected_version")})
    _, said = _text(client.get(f"{path}/receipt.pdf").content)
    assert "受理回执" in said and "办结期限：" in said and number in said


def test_the_receipt_is_refused_to_a_stranger_and_asks_an_anonymous_reader_to_sign_in(client):
    path = _apply(client)
    _sign_in(client, "bob")
    r = client.get(f"{path}/receipt.pdf")
    assert r.status_code == 404 and not r.content.startswith(b"%PDF")
    client.cookies.clear()
    r = client.get(f"{path}/receipt.pdf", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_printing_guides_is_limited_per_client_and_window():
    from hukou.web.rate_limit import Window

    now = [0.0]
    window = Window(limit=3, seconds=60, clock=lambda: now[0])
    assert [window.allow("a") for _ in range(4)] == [True, True, True, False]
    assert window.allow("b")  # another client has its own window
    now[0] = 61.0
    assert window.allow("a")  # the minute has passed


def test_too_many_guide_pdfs_get_a_plain_429(client, monkeypatch):
    from hukou.web import guide_pages
    from hukou.web.rate_limit import Window

    monkeypatch.setattr(guide_pages, "PDF_WINDOW", Window(limit=1, seconds=60))
    assert client.post("/check/guide.pdf", data={"facts": FACTS, "date": "2026-12-02"}).status_code == 200
    r = client.post("/check/guide.pdf", data={"facts": FACTS, "date": "2026-12-02"})
    assert r.status_code == 429 and "请稍等一分钟再试" in r.text

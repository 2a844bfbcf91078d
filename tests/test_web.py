"""The web pages without a browser: the form-to-facts translation, sign-in with cookie sessions and
CSRF, the language switch, the self-check's questions and errors; applying (by the applicant's own
account, or at a police station's counter), each adult's own consent, purposes of a read, officers'
actions with refusals shown beside their form, separation of duties, and the report of decisions
against the rules' verdict. Everything goes through the casework services; the tests read the
database only to see what was written."""

from __future__ import annotations

import html
import re
import shutil

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from stdnum.cn import ric

from hukou.api.app import create_app
from hukou.store.database import connect, migrate
from hukou.store.users import create_user
from hukou.web.facts_form import facts_from_form, form_field
from hukou.web.refusals import said
from hukou.web.session import csrf_token


def id_number(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")


ALICE, BOB, ZHAO = id_number("62242519920418013"), id_number("62242519850101011"), id_number("62242519930520024")
CITIZEN = id_number("65230119880808035")  # comes to the station's counter
PERSON = {"birth_date": "1992-04-18", "hukou.place": "622425", "hukou.urban": "rural", "date": "2019-03-01"}
GRADUATE = {**PERSON, "education.state": "some", "education.0.level": "bachelor", "education.0.admitted": "2010-09-01",
            "education.0.graduated": "2014-06-30"}
USERS = [("alice", "applicant", None, False, ALICE), ("bob", "applicant", None, False, BOB),
         ("zhao", "applicant", None, False, ZHAO), ("citizen", "applicant", None, False, CITIZEN),
         ("carol", "applicant", None, False, None), ("p1", "police_station", "652301001", False, None),
         ("p2", "police_station", "652301002", False, None), ("a1", "county_approver", None, True, None),
         ("a2", "county_approver", None, True, None), ("boss", "leader", None, False, None)]
PURPOSE = {"p1": "casework", "p2": "casework", "a1": "approval", "a2": "second_approval", "boss": "oversight"}


def test_the_form_keeps_unknown_apart_from_none():
    facts, answered = facts_from_form({**PERSON, "employment.state": "none", "education.state": "",
                                       "residence.state": "some", "residence.0.from": "2015-03-01",
                                       "residence.0.place": "652301003", "residence.0.urban": "yes",
                                       "residence.1.from": ""})
    assert facts["employment"] == [] and "education" not in facts and "housing" not in facts
    assert facts["residence"] == [{"from": "2015-03-01", "to": None, "place": "652301003", "urban": True}]
    assert answered == {"employment", "residence"}
    assert facts["hukou"] == {"place": "622425", "urban": False}


def test_the_form_leaves_out_an_unknown_inner_fact_and_keeps_family():
    facts, _ = facts_from_form({**PERSON, "housing.kind": "rented", "housing.registered": "",
                                "family.spouse": "moving", "family.children.0.birth_date": "2015-06-01",
                                "family.children.0.moving": "on", "family.parents.1": "staying"})
    assert facts["housing"] == {"kind": "rented"}  # registered: unknown
    assert facts["family"] == {"spouse": {"moving": True}, "children": [{"birth_date": "2015-06-01", "moving": True}],
                               "parents": [{"moving": False}]}


def test_an_engine_error_path_names_the_form_field():
    assert form_field("residence[0].from") == "residence.0.from"
    assert form_field("family.children[2].birth_date") == "family.children.2.birth_date"


def test_refusals_are_said_in_the_pages_language_never_as_a_field_path():
    assert said("followers[0].id_number", "the last character does not match (a digit was mistyped)", "zh") == \
        "公民身份号码最后一位校验码不符，可能有数字输错，请核对。"
    assert said("data.reason", "sending a decision back needs a written reason", "en") == \
        "Sending a decision back needs a written reason."
    assert said("data.x", "something nobody foresaw", "zh") == "无法办理此项，请核对所填内容后重试。"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A database with a small register and the users, built once (password hashing is slow on purpose)."""
    from hukou.registry.synth import generate
    from hukou.store.database import load_tables

    path = tmp_path_factory.mktemp("web") / "built.sqlite"
    engine = connect(f"sqlite:///{path}")
    migrate(engine)
    load_tables(engine, generate(30, seed=3))  # the divisions a registration picks from
    for name, role, township, city_wide, number in USERS:
        create_user(engine, name, f"{name}-password", role, township, city_wide=city_wide, id_number=number)
    engine.dispose()  # the last connection closed: everything is in the file
    return path


@pytest.fixture()
def web(built, tmp_path):
    copy = tmp_path / "web.sqlite"
    shutil.copyfile(built, copy)
    url = f"sqlite:///{copy}"
    return TestClient(create_app(database=url), raise_server_exceptions=False), connect(url)


def _hidden(page: str, name: str) -> str:
    return html.unescape(re.search(rf'name="{re.escape(name)}" value="([^"]*)"', page).group(1))


def _sign_in(client, username="alice", purpose=True):
    """Sign in; an officer then chooses the purpose of their reads (as the page asks)."""
    client.cookies.clear()
    page = client.get("/login").text
    r = client.post("/login", data={"csrf": _hidden(page, "csrf"), "username": username,
                                    "password": f"{username}-password"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    if purpose and username in PURPOSE:
        page = client.get("/purpose?next=/cases").text
        chosen = client.post("/purpose", data={"csrf": _hidden(page, "csrf"), "purpose": PURPOSE[username],
                                               "next": "/cases"}, follow_redirects=False)
        assert chosen.status_code == 303
    return r


def _count(engine, sql="SELECT count(*) FROM cases"):
    with engine.connect() as conn:
        return conn.execute(text(sql)).scalar()


def test_sign_in_needs_the_form_token_and_sets_a_safe_cookie(web):
    client, _ = web
    client.get("/login")
    for forged in ("forged", "\x80\u4e2d"):
        r = client.post("/login", data={"csrf": forged, "username": "alice", "password": "alice-password"})
        assert r.status_code == 403 and "hukou_session" not in r.cookies
    page = client.get("/login").text
    r = client.post("/login", data={"csrf": _hidden(page, "csrf"), "username": "alice", "password": "wrong-password"})
    assert r.status_code == 401 and "用户名或密码不正确" in r.text
    r = _sign_in(client)
    cookie = r.headers["set-cookie"]
    assert "hukou_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert r.headers["location"] == "/cases"  # their applications, and any case awaiting their consent


def test_signing_out_ends_the_session_everywhere(web):
    client, _ = web
    _sign_in(client)
    token = client.cookies.get("hukou_session")
    page = client.get("/").text
    assert "alice" in page
    client.post("/logout", data={"csrf": _hidden(page, "csrf")})
    client.cookies.set("hukou_session", token)  # a stolen copy of the cookie no longer works
    assert client.get("/cases", follow_redirects=False).headers["location"].startswith("/login")


def test_language_switch_is_remembered_and_redirects_only_on_this_site(web):
    client, _ = web
    r = client.get("/lang/en?next=/check", follow_redirects=False)
    assert r.headers["location"] == "/check" and "hukou_lang=en" in r.headers["set-cookie"]
    client.cookies.set("hukou_lang", "en")
    assert "Self-check" in client.get("/check").text
    assert client.get("/lang/en?next=//evil.example", follow_redirects=False).headers["location"] == "/"
    assert client.get("/lang/en?next=https://evil.example", follow_redirects=False).headers["location"] == "/"
    assert client.get("/lang/en?next=/%5Cevil.example", follow_redirects=False).headers["location"] == "/"


def test_self_check_asks_the_questions_the_verdict_needs(web):
    client, _ = web
    page = client.post("/check", data=PERSON).text
    assert 'data-status="undetermined"' in page
    questions = re.findall(r'href="#s-(\w+)"', page)
    assert questions == ["residence", "housing", "employment", "education", "qualifications"]
    assert 'class="ask"' in page
    page = client.post("/check", data=GRADUATE).text
    assert re.search(r'id="verdict-settlement".*?data-status="eligible"', page, re.S)


def test_self_check_marks_the_field_in_error(web):
    client, _ = web
    r = client.post("/check", data={**PERSON, "education.state": "some", "education.0.admitted": "2010-09-01"})
    assert r.status_code == 422
    assert re.search(r'class="field-error">\s*<label for="education.0.level"', r.text)
    r = client.post("/check", data={**PERSON, "date": "2019-02-30"})
    assert r.status_code == 422 and "日历上没有“2019-02-30”这一天" in r.text  # said plainly, in the page's language
    assert "real calendar date" not in r.text and "required" not in r.text


def _apply_page(client, data=GRADUATE):
    facts = _hidden(client.post("/check", data=data).text, "facts")
    return facts, client.post("/apply", data={"facts": facts}).text


def _form(page, facts, **fields):
    return {"csrf": _hidden(page, "csrf"), "idempotency_key": _hidden(page, "idempotency_key"), "facts": facts,
            "kind": "settlement", "township": "652301001", **fields}


def _case_path(r) -> str:
    assert r.status_code == 303, r.text  # to the confirmation page, /cases/{id}/submitted
    return r.headers["location"].split("?")[0].removesuffix("/submitted")


def test_applying_is_idempotent_needs_the_token_and_records_the_ticked_consent_with_it(web):
    client, engine = web
    _sign_in(client)
    facts, page = _apply_page(client)
    assert 'name="applicant.id_number"' not in page  # the applicant is the account itself
    form = _form(page, facts, consent="on")
    assert client.post("/applications", data={**form, "csrf": "forged"}).status_code == 403
    assert _count(engine) == 0
    first = client.post("/applications", data=form, follow_redirects=False)
    again = client.post("/applications", data=form, follow_redirects=False)  # a double click
    assert _case_path(first) == _case_path(again) and _count(engine) == 1
    with engine.connect() as conn:
        types = conn.execute(text("SELECT type FROM case_actions ORDER BY seq")).scalars().all()
        parties = conn.execute(text("SELECT party, id_number FROM case_parties")).all()
    assert types == ["submitted", "consent_recorded"] and parties == [("applicant", ALICE)]
    page = client.get(_case_path(first)).text
    assert 'data-status="submitted"' in page and "已确认自愿" in page and 'id="act-consent_recorded"' not in page


def test_without_the_tick_the_case_page_asks_the_applicant_to_consent(web):
    client, engine = web
    _sign_in(client)
    facts, page = _apply_page(client)
    path = _case_path(client.post("/applications", data=_form(page, facts), follow_redirects=False))
    page = client.get(path).text
    assert 'id="act-consent_recorded"' in page and "待本人确认" in page
    client.post(f"{path}/act", data={"csrf": _hidden(page, "csrf"), "type": "consent_recorded",
                                     "expected_version": _hidden(page, "expected_version")})
    assert 'id="act-consent_recorded"' not in client.get(path).text
    assert _count(engine, "SELECT count(*) FROM case_actions WHERE type = 'consent_recorded'") == 1


def test_signing_in_on_the_way_to_apply_keeps_the_facts(web):
    client, _ = web
    facts, page = _apply_page(client)
    assert 'name="username"' in page and _hidden(page, "facts") == facts
    r = client.post("/login", data={"csrf": _hidden(page, "csrf"), "username": "alice", "password": "alice-password",
                                    "facts": facts})
    assert r.status_code == 200 and 'id="submit-application"' in r.text
    assert _hidden(r.text, "facts") == facts and _hidden(r.text, "csrf")


def test_an_account_not_bound_to_a_person_is_told_what_to_do(web):
    client, engine = web
    _sign_in(client, "carol")
    facts, page = _apply_page(client)
    assert 'id="unbound"' in page and "实名绑定" in page and 'id="submit-application"' not in page
    r = client.post("/applications", data={"csrf": _hidden(page, "csrf"), "idempotency_key": "c", "facts": facts,
                                           "kind": "settlement", "township": "652301001"})
    assert r.status_code == 403 and "实名绑定" in r.text and _count(engine) == 0  # the service refuses it too


def test_a_follower_error_is_marked_beside_its_field_in_chinese(web):
    client, engine = web
    _sign_in(client)
    facts, page = _apply_page(client)
    wrong = ZHAO[:-1] + ("0" if ZHAO[-1] != "0" else "1")
    r = client.post("/applications", data=_form(page, facts, **{"followers.0.relation": "spouse",
                                                                 "followers.0.name": "赵六",
                                                                 "followers.0.id_number": wrong}))
    assert r.status_code == 422 and _count(engine) == 0
    assert re.search(r'class="field-error">\s*<label for="followers.0.id_number"', r.text)
    assert "校验码不符" in r.text and "followers[0]" not in r.text and "mistyped" not in r.text
    assert _hidden(r.text, "followers.0.name") == "赵六"  # what was typed stays


def _submit_with_spouse(client, data=GRADUATE) -> str:
    _sign_in(client)
    facts, page = _apply_page(client, data)
    form = _form(page, facts, consent="on", **{"followers.0.relation": "spouse", "followers.0.name": "赵六",
                                                "followers.0.id_number": ZHAO})
    return _case_path(client.post("/applications", data=form, follow_redirects=False))


def test_a_follower_sees_only_what_their_consent_needs_and_consents_under_their_own_account(web):
    client, engine = web
    path = _submit_with_spouse(client)
    _sign_in(client, "zhao")
    queue = client.get("/cases").text
    assert "等待您确认自愿" in queue and path in queue
    page = client.get(path).text
    assert 'id="follower"' in page and "配偶" in page and 'id="act-consent_recorded"' in page
    for private in ("verdict-settlement", "history", ALICE, ALICE[:6] + "*", "本科"):
        assert private not in page, private  # nothing of the applicant's case beyond their name
    client.post(f"{path}/act", data={"csrf": _hidden(page, "csrf"), "type": "consent_recorded",
                                     "expected_version": _hidden(page, "expected_version")})
    assert 'data-consented="yes"' in client.get(path).text
    with engine.connect() as conn:
        by = conn.execute(text("SELECT by_user, data FROM case_actions WHERE type = 'consent_recorded' ORDER BY seq")).all()
    assert [b for b, _ in by] == ["alice", "zhao"] and '"f1"' in by[1][1]
    _sign_in(client, "bob")  # someone else on no case: no such case
    assert client.get(path).status_code == 404


def test_a_counter_case_names_the_citizen_who_then_follows_it(web):
    client, engine = web
    _sign_in(client, "p1")
    page = client.get("/apply").text
    assert 'name="applicant.id_number"' in page and 'name="attest"' in page and 'name="township"' not in page
    form = {"csrf": _hidden(page, "csrf"), "idempotency_key": "counter-1", "kind": "settlement",
            "applicant.name": "钱七", "applicant.id_number": CITIZEN, "attest": "on"}
    refused = client.post("/applications", data={**form, "applicant.id_number": ""})
    assert refused.status_code == 422 and re.search(r'class="field-error">\s*<label for="applicant.id_number"', refused.text)
    without_facts = client.post("/applications", data=form)  # not in the register: it needs the self-check's facts
    assert without_facts.status_code == 422 and "自助查询" in without_facts.text and _count(engine) == 0
    facts, page = _apply_page(client)
    path = _case_path(client.post("/applications", data={**form, "csrf": _hidden(page, "csrf"), "facts": facts},
                                  follow_redirects=False))
    with engine.connect() as conn:
        consent = conn.execute(text("SELECT data FROM case_actions WHERE type = 'consent_recorded'")).scalar()
    assert '"in_person": true' in consent and '"id_card_checked": true' in consent
    _sign_in(client, "citizen")
    assert path in client.get("/cases").text
    page = client.get(path).text
    assert "派出所窗口受理" in page and "钱七" in page and 'id="verdict-settlement"' in page


def test_officers_choose_a_purpose_and_each_read_is_logged_with_it(web):
    client, engine = web
    path = _submit_with_spouse(client)
    _sign_in(client, "p1", purpose=False)
    r = client.get(path, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/purpose?next={path}"
    page = client.get(r.headers["location"]).text
    assert re.findall(r'name="purpose" value="(\w+)"', page) == ["casework", "counter", "registration"]
    bad = client.post("/purpose", data={"csrf": _hidden(page, "csrf"), "purpose": "curiosity", "next": path})
    assert bad.status_code == 422
    chosen = client.post("/purpose", data={"csrf": _hidden(page, "csrf"), "purpose": "counter", "next": path},
                         follow_redirects=False)
    assert chosen.headers["location"] == path
    assert "窗口为群众办理或答复咨询" in client.get(path).text
    _sign_in(client, "p2")
    assert client.get(path).status_code == 404  # another township's station
    with engine.connect() as conn:
        reads = conn.execute(text("SELECT who, why FROM audit_log WHERE what = 'case.read' ORDER BY seq")).all()
    assert reads == [("p1", "counter")]


def _act(client, path, type_, **data):
    """An action as its form sends it, the decisive ones confirmed (as their box is ticked)."""
    page = client.get(path).text
    confirm = {"confirm": "on"} if f'id="confirm-{type_}"' in page else {}
    return client.post(f"{path}/act", data={"csrf": _hidden(page, "csrf"), "type": type_,
                                            "expected_version": _hidden(page, "expected_version"), **confirm, **data},
                       follow_redirects=False)


def test_an_officer_acts_with_the_page_version_and_a_refusal_is_shown_beside_its_form(web):
    client, engine = web
    path = _submit_with_spouse(client, PERSON)
    _sign_in(client, "p1")
    page = client.get(path).text
    assert 'id="officer-verdict"' in page and "§四" in page and 'id="party-f1"' in page  # the officers' wording
    assert ZHAO not in page and ZHAO[:6] + "*" * 11 + ZHAO[-1] in page  # masked beside the name
    assert 'id="act-accepted"' in page and 'id="act-approved"' not in page  # approval is the county's
    # the materials request is prefilled with what the verdict still asks (一次性告知)
    request_form = page.split('id="act-materials_requested"')[1].split("</form>")[0]
    assert re.findall(r'name="items" value="(\w+)" checked', request_form) == \
        ["education", "qualifications", "housing", "residence"]
    # the spouse consents in person at the counter: the card's number must be hers, both boxes ticked
    consent = page.split('id="act-consent_recorded"')[1].split("</form>")[0]
    assert re.findall(r'<option value="(\w+)"', consent) == ["f1"]
    r = _act(client, path, "consent_recorded", party="f1", id_number=ZHAO, signed="on")
    assert r.status_code == 422 and 'id="error-consent_recorded"' in r.text and "签字并出示身份证" in r.text
    csrf, version = _hidden(page, "csrf"), _hidden(page, "expected_version")
    assert _act(client, path, "consent_recorded", party="f1", id_number=ZHAO, signed="on",
                id_card_checked="on").status_code == 303
    stale = client.post(f"{path}/act", data={"csrf": csrf, "type": "accepted", "expected_version": version})
    assert stale.status_code == 409 and 'id="error-accepted"' in stale.text and "有人已先办理了本案" in stale.text
    assert client.post(f"{path}/act", data={"type": "accepted", "expected_version": "3"}).status_code == 403
    assert _act(client, path, "accepted").status_code == 303
    assert 'data-status="accepted"' in client.get(path).text
    assert _count(engine, "SELECT count(*) FROM case_actions") == 4


def test_approving_against_the_verdict_needs_a_reason_and_a_second_approver_then_is_reported(web):
    client, engine = web
    path = _submit_with_spouse(client, PERSON)  # undetermined: approving it goes against the verdict
    _sign_in(client, "p1")
    for type_ in ("accepted", "reviewed"):
        assert _act(client, path, type_).status_code == 303
    _sign_in(client, "a1")
    page = client.get(path).text
    assert "批准须写明理由" in page
    r = _act(client, path, "approved")
    assert r.status_code == 422 and 'id="error-approved"' in r.text
    assert re.search(r'field-error"><label for="reason-approved"', r.text)
    assert _act(client, path, "approved", reason="实地核查属实").status_code == 303
    page = client.get(path).text
    assert 'data-status="awaiting_second_approval"' in page and 'id="duty-note"' in page
    assert 'id="act-second_approval"' not in page  # not their own decision
    _sign_in(client, "a2")
    page = client.get(path).text
    second = page.split('id="act-second_approval"')[1].split("</form>")[0]
    decision = _hidden(second, "decision")
    with engine.connect() as conn:
        assert int(decision) == conn.execute(text("SELECT seq FROM case_actions WHERE type = 'approved'")).scalar()
    assert _act(client, path, "second_approval", decision=decision, agree="no").status_code == 422  # no reason
    assert _act(client, path, "second_approval", decision=decision, agree="yes").status_code == 303
    assert 'data-status="approved"' in client.get(path).text
    _sign_in(client, "boss")
    report = client.get("/reports/overrides").text
    assert path.split("/")[2][:8] in report and "实地核查属实" in report and "a2" in report
    assert client.get("/reports/overridden-rejections", follow_redirects=False).headers["location"] == \
        "/reports/overrides"


def test_the_station_registers_at_a_place_of_the_township_and_the_page_says_who_moved(web):
    client, engine = web
    path = _submit_with_spouse(client)
    _sign_in(client, "p1")
    for type_ in ("accepted", "reviewed"):
        assert _act(client, path, type_).status_code == 303
    _sign_in(client, "a1")
    assert _act(client, path, "approved").status_code == 303
    _sign_in(client, "p1")
    page = client.get(path).text
    places = re.findall(r'<option value="(65230100\d{4})"', page)
    assert places and "赵六" in page.split('id="left-out"')[1].split("</p>")[0]  # she has not consented
    assert _act(client, path, "registered", place="652301002001").status_code == 422  # another township's
    assert _act(client, path, "registered", place=places[0]).status_code == 303
    page = client.get(path).text
    assert 'data-status="registered"' in page and 'id="registered"' in page
    moved = page.split('id="registered-moved">')[1].split("</strong>")[0]
    assert moved == "alice"  # the applicant alone: the spouse did not consent
    with engine.connect() as conn:
        people = conn.execute(text("SELECT p.id_number, h.place FROM people p JOIN hukou h ON h.person_id = p.person_id "
                                   "WHERE p.id_number IN (:a, :z)"), {"a": ALICE, "z": ZHAO}).all()
    assert people == [(ALICE, places[0])]


def test_the_oversight_report_is_for_oversight_roles(web):
    client, _ = web
    _sign_in(client, "alice")
    r = client.get("/reports/overrides")
    assert r.status_code == 403 and "您的角色不能查看此页" in r.text
    _sign_in(client, "boss", purpose=False)
    assert client.get("/reports/overrides", follow_redirects=False).headers["location"].startswith("/purpose")
    _sign_in(client, "boss")
    r = client.get("/reports/overrides")
    assert r.status_code == 200 and "没有此类案件" in r.text


FIELDS = ["birth_date", "hukou.place", "hukou.urban", "date", "residence.state", "residence.0.from", "residence.0.place",
          "residence.0.urban", "housing.kind", "housing.registered", "education.state", "education.0.level",
          "education.0.admitted", "military.state", "military.enlisted", "family.children.0.birth_date", "facts",
          "kind", "township", "consent", "attest", "applicant.id_number", "applicant.name", "followers.0.relation",
          "followers.0.name", "followers.0.id_number", "idempotency_key", "type", "expected_version", "items", "place",
          "party", "id_number", "signed", "decision", "agree", "reason", "purpose", "csrf", "username", "password",
          "next"]
ANY_FORM = st.dictionaries(st.sampled_from(FIELDS), st.one_of(
    st.text(max_size=30), st.sampled_from(["1992-04-18", "2019-02-30", "622425", "rural", "some", "none", "bachelor",
                                           "{}", "[]", "null", '{"birth_date": "1992-04-18"}', "settlement", "1",
                                           "spouse", ZHAO, "on", "f1", "registered", "652301001001"])))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(form=ANY_FORM, path=st.sampled_from(["/check", "/apply", "/applications", "/login", "/logout", "/purpose",
                                            "/cases/nope/act"]))
def test_no_form_gets_a_server_error(web, form, path):
    client, _ = web
    if not client.cookies.get("hukou_session"):
        _sign_in(client)
    if "csrf" not in form and path != "/login":  # most forms carry the session's token: the handler itself runs
        form["csrf"] = csrf_token(client.cookies.get("hukou_session"))
    r = client.post(path, data=form, follow_redirects=False)
    assert r.status_code < 500, (path, form, r.text[:300])


def test_my_applications_offers_a_new_application(web):
    client, _ = web
    path = _submit_with_spouse(client)  # as alice
    queue = client.get("/cases").text
    assert path in queue
    assert re.search(r'<a class="button" href="/check" id="new-application">新的申请', queue)


def test_a_decisive_action_needs_its_confirmation_and_without_it_nothing_is_written(web):
    client, engine = web
    path = _submit_with_spouse(client)
    _sign_in(client, "zhao")
    page = client.get(path).text
    client.post(f"{path}/act", data={"csrf": _hidden(page, "csrf"), "type": "consent_recorded",
                                     "expected_version": _hidden(page, "expected_version")})
    _sign_in(client, "alice")
    page = client.get(path).text
    assert 'id="confirm-withdrawn"' in page and "确认撤回此申请" in page
    version = _hidden(page, "expected_version")
    r = client.post(f"{path}/act", data={"csrf": _hidden(page, "csrf"), "type": "withdrawn", "expected_version": version})
    assert r.status_code == 422 and "请先勾选确认，再提交。" in r.text
    assert _hidden(client.get(path).text, "expected_version") == version  # nothing appended
    assert _act(client, path, "withdrawn").status_code == 303

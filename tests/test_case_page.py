"""The case page for officers and approvers, without a browser: who the applicant is at the top (the
ID number masked), the facts given on the case beside the register's with the differences marked,
the verdict in the third person, a rejection that offers only the conditions not met or not known
(by their plain names), the second approval offered only to another approver and said what it is,
a registration whose people and place are picked from lists, the applicant's page without empty
forms, the history by name and role, and a notice after each action. In Chinese and in English."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from sqlalchemy import text
from test_web import (
    ALICE,
    GRADUATE,
    PERSON,
    ZHAO,
    _act,
    _apply_page,
    _case_path,
    _form,
    _hidden,
    _sign_in,
    built,
    id_number,
    web,
)

from hukou.policy.calendar import age_on
from hukou.store.users import create_user

__all__ = ["built", "web"]  # the fixtures of test_web, used here

CHILD = id_number("65230120150601012")  # born 2015-06-01: a minor, who moves with the applicant without a consent
CASE_NUMBER = re.compile(r"昌落\d{4}-\d{6}")


def _lang(client, lang):
    client.get(f"/lang/{lang}?next=/")


def _section(page: str, element_id: str, end: str = "</section>") -> str:
    return page.split(f'id="{element_id}"', 1)[1].split(end, 1)[0]


def _visible(fragment: str) -> str:
    """The words a reader sees (tags and their attributes left out)."""
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment))


def _options(select_html: str) -> list[tuple[str, str]]:
    return [(v, html.unescape(t).strip()) for v, t in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>',
                                                              select_html)]


def _submit(client, data=GRADUATE, followers=(("spouse", "赵六", ZHAO),), user="alice") -> str:
    _sign_in(client, user)
    facts, page = _apply_page(client, data)
    extra = {}
    for i, (relation, name, number) in enumerate(followers):
        extra |= {f"followers.{i}.relation": relation, f"followers.{i}.name": name, f"followers.{i}.id_number": number}
    return _case_path(client.post("/applications", data=_form(page, facts, consent="on", **extra), follow_redirects=False))


def _to_decision(client, path):
    _sign_in(client, "p1")
    for type_ in ("accepted", "reviewed"):
        assert _act(client, path, type_).status_code == 303


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_top_says_who_applies_with_the_number_masked(web, lang):
    client, _ = web
    path = _submit(client)
    _sign_in(client, "p1")
    _lang(client, lang)
    page = client.get(path).text
    top = _section(page, "summary")
    assert "alice" in _section(top, "applicant-name", "</strong>")
    assert ALICE[:6] + "*" * 11 + ALICE[-1] in top and ALICE not in page and ZHAO not in page  # masked, everywhere
    years = age_on(date(1992, 4, 18), date.today())
    assert (f"{years}岁" if lang == "zh" else f"{years} years") in _section(top, "applicant-age", "</dd>")
    followers = _visible(_section(top, "who-followers", "</dd>"))
    assert "赵六" in followers and ("配偶" if lang == "zh" else "spouse") in followers
    assert CASE_NUMBER.search(_section(page, "case-number", "</span>"))
    assert CASE_NUMBER.search(re.search(r"<title>(.*?)</title>", page, re.DOTALL).group(1))
    assert ("申请日期" if lang == "zh" else "Submitted on") in top and 'id="receipt-link"' in top


def _register_person(engine):
    """A person the small register holds, with a hukou in the city, and an applicant account bound to them."""
    with engine.connect() as conn:
        number, born = conn.execute(text("SELECT p.id_number, p.birth_date FROM people p JOIN hukou h ON "
                                         "h.person_id = p.person_id ORDER BY p.person_id LIMIT 1")).one()
    create_user(engine, "resident", "resident-password", "applicant", id_number=number)
    return number, str(born)[:10]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_facts_given_stand_beside_the_registers_and_a_difference_is_marked(web, lang):
    client, engine = web
    number, born = _register_person(engine)
    # the applicant says their hukou is in a village of 甘肃 陇西: the register has it in 昌吉
    path = _submit(client, {**PERSON, "birth_date": born, "housing.kind": "rented", "housing.registered": "yes"},
                   followers=(), user="resident")
    _sign_in(client, "p1")
    _lang(client, lang)
    page = client.get(path).text
    facts = _section(page, "facts")
    hukou = _section(facts, "fact-hukou", "</tr>")
    assert hukou.startswith(' data-compared="differs" class="differs">')
    assert ("不一致" if lang == "zh" else "differs") in _visible(hukou)
    assert ("陇西县" in _visible(hukou)) and ("农村户口" if lang == "zh" else "Rural hukou") in _visible(hukou)
    birth = _section(facts, "fact-birth_date", "</tr>")
    assert 'data-compared="same"' in birth[:60] and ("一致" if lang == "zh" else "same") in _visible(birth)
    # what nobody gave is "unknown", never "none"
    education = _visible(_section(facts, "fact-education", "</tr>"))
    assert ("未填写（不清楚）" if lang == "zh" else "not given (unknown)") in education
    with engine.connect() as conn:
        person = conn.execute(text("SELECT person_id FROM people WHERE id_number = :n"), {"n": number}).scalar()
        reads = conn.execute(text("SELECT who, subject, why FROM audit_log WHERE what = 'register.facts'")).all()
    assert reads == [("p1", str(person), "casework")]  # the register's read, logged with the officer's purpose
    _sign_in(client, "resident")  # the applicant's own page has no such table
    assert 'id="facts"' not in client.get(path).text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_verdict_for_officers_is_in_the_third_person_not_met_first(web, lang):
    client, _ = web
    path = _submit(client, PERSON)
    _sign_in(client, "p1")
    _lang(client, lang)
    page = client.get(path).text
    verdict = _section(page, "officer-verdict")
    words = _visible(verdict)
    assert "您" not in words and not re.search(r"\b(you|your)\b", words, re.IGNORECASE)  # about the applicant, not to them
    results = re.findall(r'<li class="(true|false|unknown)">', verdict)
    groups = [re.findall(r'<li class="(true|false|unknown)">', g) for g in verdict.split("<ul")[1:]]
    for g in groups:  # in each route, what fails and what is unknown before what holds
        assert g == sorted(g, key=["false", "unknown", "true"].index)
    assert results and "general.legal_stable_residence" not in words
    assert "昌市政办发〔2018〕67号" in verdict and "<blockquote" in verdict  # the basis, quoted
    assert 'id="verdict-settlement"' not in page  # the citizen's wording is the applicant's


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_rejection_offers_only_conditions_not_met_or_unknown_by_their_names(web, lang):
    client, _ = web
    path = _submit(client, PERSON)  # undetermined: several conditions unknown or not met
    _to_decision(client, path)
    _sign_in(client, "a1")
    _lang(client, lang)
    page = client.get(path).text
    form = _section(page, "act-rejected", "</form>")
    options = [(v, t) for v, t in _options(form) if v]
    assert options
    not_met, unknown = ("不满足", "不清楚") if lang == "zh" else ("not met", "unknown")
    for value, shown in options:
        assert shown.endswith((f"（{not_met}）", f"（{unknown}）", f"({not_met})", f"({unknown})")) or \
            value in ("no_route", "undetermined"), shown
        assert value not in shown and not re.search(r"[a-z_]+\.[a-z_]+", shown)  # never an internal id
    assert 'id="reject-eligible-warning"' not in page
    rule = options[0][0]
    r = _act(client, path, "rejected", failed_rule=rule)
    assert r.status_code == 303 and r.headers["location"].endswith("?done=rejected")
    after = client.get(r.headers["location"]).text
    assert ("已作出不予批准决定" if lang == "zh" else "The rejection is recorded") in after
    assert 'data-status="rejected"' in after


def test_rejecting_an_eligible_person_says_a_second_approver_is_needed(web):
    client, _ = web
    path = _submit(client)  # a graduate: eligible by the talent route
    _to_decision(client, path)
    _sign_in(client, "a1")
    page = client.get(path).text
    form = _section(page, "act-rejected", "</form>")
    assert 'id="reject-eligible-warning"' in form and "另一名审批人复核" in form
    assert "您认为事实不实的条件" in form
    shown = [t for v, t in _options(form) if v]
    assert shown and all(t.endswith("（满足）") for t in shown)  # the conditions the answer rests on
    assert re.search(r'<button type="submit" class="warning" id="button-rejected">不予批准', form)
    assert re.search(r'<button type="submit" class="primary" id="button-approved">批准申请',
                     _section(page, "act-approved", "</form>"))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_second_approval_is_only_for_another_approver_and_says_what_it_is(web, lang):
    client, _ = web
    path = _submit(client, PERSON)  # undetermined: approving it goes against the verdict
    _to_decision(client, path)
    _sign_in(client, "a1")
    assert _act(client, path, "approved", reason="实地核查属实").status_code == 303
    _lang(client, lang)
    own = client.get(path).text
    assert 'id="act-second_approval"' not in own and 'id="second-hint"' not in own
    assert ("须由另一名审批人复核" if lang == "zh" else "another approver must second it") in \
        _section(own, "duty-note", "</div>")
    _sign_in(client, "p1")
    _lang(client, lang)
    assert 'id="act-second_approval"' not in client.get(path).text  # the station does not decide
    _sign_in(client, "a2")
    _lang(client, lang)
    page = client.get(path).text
    second = _section(page, "act-second_approval", "</form>")
    hint = _visible(_section(second, "second-hint", "</p>"))
    assert ("另一名审批人已作出" in hint and "须由您复核同意后才生效" in hint) if lang == "zh" else \
        ("Another approver made this decision" in hint and "only when you" in hint)
    assert ("复核同意，决定生效" if lang == "zh" else "Agree: the decision takes effect") in second
    decision = _hidden(second, "decision")
    r = _act(client, path, "second_approval", decision=decision, agree="yes")
    assert r.status_code == 303
    after = client.get(r.headers["location"]).text
    assert 'data-status="approved"' in after and ("复核意见已记录" if lang == "zh" else "Your review") in after


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_registration_picks_the_people_and_the_place_from_lists(web, lang):
    client, engine = web
    path = _submit(client, followers=(("spouse", "赵六", ZHAO), ("child", "小明", CHILD)))
    _to_decision(client, path)
    _sign_in(client, "a1")
    assert _act(client, path, "approved").status_code == 303
    _sign_in(client, "p1")
    _lang(client, lang)
    page = client.get(path).text
    form = _section(page, "act-registered", "</form>")
    ticks = re.findall(r'<input type="checkbox" name="followers" value="(\w+)" checked> ([^<]+)', form)
    assert [k for k, _ in ticks] == ["f2"] and "小明" in ticks[0][1]  # the spouse has not consented yet
    assert "赵六" in _section(form, "left-out", "</p>")
    places = [(v, t) for v, t in _options(form.split('<select id="place"')[1].split("</select>")[0]) if v]
    assert places and all(re.fullmatch(r"\d{12}", v) and not re.search(r"\d{6}", t) for v, t in places)  # by name
    # a follower who has not consented cannot be ticked in by hand
    refused = _act(client, path, "registered", place=places[0][0], choosing_followers="on", followers=["f1", "f2"])
    assert refused.status_code == 422 and 'id="error-registered"' in refused.text
    _sign_in(client, "zhao")
    consent = client.get(path).text
    client.post(f"{path}/act", data={"csrf": _hidden(consent, "csrf"), "type": "consent_recorded",
                                     "expected_version": _hidden(consent, "expected_version")})
    _sign_in(client, "p1")
    _lang(client, lang)
    form = _section(client.get(path).text, "act-registered", "</form>")
    assert re.findall(r'name="followers" value="(\w+)" checked', form) == ["f1", "f2"]
    # the child stays this time: untick them
    r = _act(client, path, "registered", place=places[0][0], choosing_followers="on", followers=["f1"])
    assert r.status_code == 303 and r.headers["location"].endswith("?done=registered")
    page = client.get(r.headers["location"]).text
    assert ("已办理落户登记" if lang == "zh" else "The hukou is registered") in page
    moved = _visible(_section(page, "registered-moved", "</strong>"))
    assert "alice" in moved and "赵六" in moved and "小明" not in moved
    with engine.connect() as conn:
        people = conn.execute(text("SELECT p.id_number FROM people p JOIN hukou h ON h.person_id = p.person_id "
                                   "WHERE h.place = :place ORDER BY p.id_number"), {"place": places[0][0]}).scalars().all()
    assert sorted(people) == sorted([ALICE, ZHAO])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_applicants_page_offers_no_empty_form(web, lang):
    client, _ = web
    path = _submit(client)
    _lang(client, lang)
    page = client.get(path).text
    assert 'id="act-materials_provided"' not in page  # nothing was asked for
    assert ("材料已补齐" if lang == "zh" else "materials are all here") not in page
    assert 'id="act-consent_recorded"' not in page  # the applicant consented with the application
    for select in re.findall(r"<select.*?</select>", page, re.DOTALL):
        assert [v for v, _ in _options(select) if v], select  # no drop-down without a choice
    assert 'id="act-withdrawn"' in page and 'class="warning" id="button-withdrawn"' in page
    _sign_in(client, "p1")
    assert _act(client, path, "materials_requested", items="housing").status_code == 303
    _sign_in(client, "alice")
    _lang(client, lang)
    asked = _section(client.get(path).text, "act-materials_provided", "</form>")
    assert 'name="items" value="housing" checked' in asked
    assert ("确认所要求的材料已补齐" if lang == "zh" else "The requested materials are all here") in asked


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_history_names_people_and_roles_in_local_time(web, lang):
    client, engine = web
    with engine.begin() as conn:
        conn.execute(text("UPDATE users SET display_name = '宁边路派出所' WHERE username = 'p1'"))
        conn.execute(text("UPDATE users SET display_name = '爱丽丝' WHERE username = 'alice'"))
    path = _submit(client)
    _sign_in(client, "p1")
    r = _act(client, path, "accepted")
    _lang(client, lang)
    page = client.get(r.headers["location"]).text
    assert ("已受理，办理时限自今日起计算" if lang == "zh" else "Accepted: the time limit runs from today") in page
    history = _visible(page.split('<ol class="history">')[1].split("</ol>")[0])
    assert "宁边路派出所" in history and "爱丽丝" in history and "p1" not in history
    assert ("派出所" if lang == "zh" else "police station") in history
    today = date.today()
    assert (f"{today.year}年{today.month}月{today.day}日" if lang == "zh" else
            f"{today.day} {today:%b} {today.year}") in history

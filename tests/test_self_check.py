"""The self-check asks only what the rules need (pages through FastAPI's TestClient, like test_web.py):
the required marks, "not answered" kept apart from "none" in every section, the hukou place chosen
province → city → county by name (with and without a script: the JSON of places), "check your
answers" with its change links, every implausible answer refused naming its field in Chinese, all
problems at once in an error summary linking to the fields (on the application form too); and, in
Chromium, the script's choices and search, and a phone-wide page whatever is typed."""

from __future__ import annotations

import html
import re

import pytest
from browsers import chromium, need_browser, served
from fastapi.testclient import TestClient
from stdnum.cn import ric

from hukou.api.app import create_app
from hukou.store.database import connect, migrate
from hukou.store.users import create_user
from hukou.web.facts_form import SECTIONS, facts_from_form

PERSON = {"birth_date": "1992-04-18", "hukou.province": "620000", "hukou.city": "621100", "hukou.place": "621122",
          "hukou.urban": "rural", "date": "2019-03-01"}
GRADUATE = {**PERSON, "education.state": "some", "education.0.level": "bachelor", "education.0.admitted": "2010-09-01",
            "education.0.graduated": "2014-06-30"}
ROWS_OF = {  # one filled row of each section, as the form sends it
    "residence": {"residence.0.from": "2015-03-01", "residence.0.place": "652301003", "residence.0.urban": "yes"},
    "employment": {"employment.0.from": "2015-03-01"},
    "social_insurance": {"social_insurance.0.from": "2016-01", "social_insurance.0.to": "2018-12"},
    "education": {"education.0.level": "bachelor", "education.0.admitted": "2010-09-01"},
    "qualifications": {"qualifications.0.kind": "skill_certificate", "qualifications.0.obtained": "2017-05-01"},
    "military": {"military.enlisted": "2010-12-01", "military.discharged": "2015-12-01"},
    "family": {"family.spouse": "moving", "family.children.0.birth_date": "2015-06-01", "family.children.0.moving": "on"},
}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('self-check') / 'sc.sqlite'}"
    return TestClient(create_app(database=url), raise_server_exceptions=False)


def _text(page: str) -> str:
    """What a reader sees of a page's main part (no tags, no hidden fields)."""
    main = page.split("<main>", 1)[1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", main)))


def _label(page: str, field: str) -> str:
    return re.search(rf'<label for="{re.escape(field)}">(.*?)</label>', page, re.S).group(1)


def _summary(page: str) -> list[tuple[str, str]]:
    box = re.search(r'<div class="error-summary".*?</div>', page, re.S)
    return [(href, html.unescape(said)) for href, said in re.findall(r'<a href="#([^"]+)">(.*?)</a>', box.group(0))] \
        if box else []


def _ids(page: str) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', page))


# --- required, and nothing else ------------------------------------------------------------------------

def test_only_what_the_rules_need_is_marked_required(client):
    page = client.get("/check").text
    assert "（必填）" in _label(page, "birth_date")
    assert re.search(r"<legend>户口所在地<span[^>]*>（必填）", page)
    assert re.search(r"户口性质<span[^>]*>（必填）", page)
    for optional in ("housing.kind", "housing.registered", "residence.0.to", "residence.0.urban", "education.0.graduated",
                     "education.0.certified", "military.enlisted", "date"):
        assert "必填" not in _label(page, optional), optional
    for row in ("residence.0.from", "residence.0.place", "education.0.level", "education.0.admitted",
                "qualifications.0.kind", "family.children.0.birth_date"):  # needed once the section says "yes"
        assert "（必填）" in _label(page, row), row
    assert "不清楚可以不填" in _text(page)
    client.get("/lang/en")
    try:
        assert "(required)" in _label(client.get("/check").text, "birth_date")
    finally:
        client.get("/lang/zh")


def test_without_the_three_facts_the_rules_need_each_is_asked_for_at_once(client):
    r = client.post("/check", data={"date": "2019-03-01", "action": "review"})
    assert r.status_code == 422
    assert [href for href, _ in _summary(r.text)] == ["birth_date", "hukou.place", "hukou.urban", ]
    assert dict(_summary(r.text))["hukou.place"] == "户口所在地：请选择户口所在的区、县（市）。"


# --- unknown is not none ------------------------------------------------------------------------------

@pytest.mark.parametrize("section", [s for s in SECTIONS if s != "housing"])
def test_each_section_keeps_not_answered_apart_from_none(client, section):
    unknown, none = {**PERSON, f"{section}.state": ""}, {**PERSON, f"{section}.state": "none"}
    facts_unknown, answered_unknown = facts_from_form(unknown)
    facts_none, answered_none = facts_from_form(none)
    assert section not in answered_unknown and section in answered_none
    assert section not in facts_unknown
    if section not in ("military", "family"):
        assert facts_none[section] == []
    assert facts_from_form({**PERSON, f"{section}.state": "some", **ROWS_OF[section]})[0][section]
    said = {}
    for name, form in (("unknown", unknown), ("none", none)):
        page = client.post("/check", data={**form, "action": "review"}).text
        said[name] = re.search(rf'id="answer-s-{section}">.*?<dd>(.*?)</dd>', page, re.S).group(1)
    assert "暂不回答" in said["unknown"] and "暂不回答" not in said["none"]


def test_military_service_and_family_start_unanswered(client):
    page = client.get("/check").text
    for section in ("military", "family"):
        checked = re.findall(rf'name="{section}\.state" value="(\w*)"[^>]*checked', page)
        assert checked == [""], section
    assert "无配偶或不填" not in page
    spouse = re.search(r'<select id="family.spouse".*?</select>', page, re.S).group(0)
    assert re.findall(r'value="(\w*)"', spouse) == ["", "none", "moving", "staying"]


def test_a_family_listed_must_say_whether_there_is_a_spouse(client):
    r = client.post("/check", data={**PERSON, "family.state": "some", "family.children.0.birth_date": "2015-06-01",
                                    "action": "review"})
    assert r.status_code == 422 and dict(_summary(r.text))["family.spouse"].startswith("配偶：请选择有没有配偶")
    facts, _ = facts_from_form({**PERSON, "family.state": "some", "family.spouse": "none",
                                "family.children.0.birth_date": "2015-06-01"})
    assert facts["family"] == {"children": [{"birth_date": "2015-06-01", "moving": False}]}


def test_the_verdict_says_nothing_of_a_question_never_asked(client):
    page = client.post("/check", data={**PERSON, "action": "result"}).text
    verdict = re.search(r'id="verdict-settlement".*?id="verdict-permit".*?</section>', page, re.S).group(0)
    for word in ("兵役", "配偶", "子女", "举家", "随迁人数"):
        assert word not in verdict, word


# --- the hukou place by name --------------------------------------------------------------------------

def _options(page: str, name: str) -> list[str]:
    select = re.search(rf'<select id="{re.escape(name)}".*?</select>', page, re.S).group(0)
    return re.findall(r'<option value="(\d*)"', select)


def _selected(page: str, name: str) -> str:
    select = re.search(rf'<select id="{re.escape(name)}".*?</select>', page, re.S).group(0)
    found = re.search(r'<option value="(\d*)" selected', select)
    return found.group(1) if found else ""


def test_the_place_is_chosen_province_city_county_without_a_script(client):
    page = client.get("/check").text
    assert 'name="hukou.place"' in page and '<input type="text" id="hukou.place"' not in page  # never typed
    assert "650000" in _options(page, "hukou.province") and _options(page, "hukou.city") == [""]
    page = client.post("/check", data={"hukou.province": "650000", "action": "choose"})
    assert page.status_code == 200 and not _summary(page.text)  # a step, not an error
    assert "652300" in _options(page.text, "hukou.city") and _options(page.text, "hukou.place") == [""]
    assert re.search(r'<select id="hukou.city"[^>]*autofocus', page.text)
    page = client.post("/check", data={"hukou.province": "650000", "hukou.city": "652300", "action": "choose"}).text
    assert {"652301", "652323"} <= set(_options(page, "hukou.place"))
    assert re.search(r'<option value="652301"[^>]*>昌吉市</option>', page)
    answers = client.post("/check", data={**PERSON, "hukou.province": "650000", "hukou.city": "652300",
                                          "hukou.place": "652301", "action": "review"}).text
    assert "新疆维吾尔自治区 昌吉回族自治州 昌吉市" in _text(answers)
    assert re.search(r'name="hukou.place" value="652301"', answers)  # the code the facts need is what is sent


def test_a_county_left_from_another_province_is_no_choice(client):
    data = {**PERSON, "hukou.province": "650000", "hukou.city": "621100", "hukou.place": "621122"}
    page = client.post("/check", data={**data, "action": "choose"}).text
    assert _selected(page, "hukou.province") == "650000" and _selected(page, "hukou.place") == ""
    r = client.post("/check", data={**data, "action": "review"})
    assert r.status_code == 422 and [h for h, _ in _summary(r.text)] == ["hukou.place"]


def test_a_city_with_no_counties_is_chosen_as_its_own_county(client):
    page = client.post("/check", data={"hukou.province": "440000", "hukou.city": "441900", "action": "choose"}).text
    assert _options(page, "hukou.place") == ["", "441900"]
    assert facts_from_form({**PERSON, "hukou.province": "440000", "hukou.city": "441900", "hukou.place": ""}
                           )[0]["hukou"]["place"] == "441900"


def test_a_place_given_whole_shows_as_its_three_choices(client):
    page = client.post("/check", data={"hukou.place": "622425", "action": "choose"}).text  # a code since replaced
    assert (_selected(page, "hukou.province"), _selected(page, "hukou.city"), _selected(page, "hukou.place")) == \
        ("620000", "622400", "622425")


def test_the_places_as_json_for_the_script(client):
    provinces = client.get("/places").json()["places"]
    assert {"code": "650000", "name": "新疆维吾尔自治区", "leaf": False} in provinces
    cities = client.get("/places", params={"parent": "65"}).json()["places"]
    assert {"code": "652300", "name": "昌吉回族自治州", "leaf": False} in cities
    counties = client.get("/places", params={"parent": "652300"}).json()["places"]
    assert {"code": "652301", "name": "昌吉市", "leaf": True} in counties
    found = client.get("/places", params={"q": "昌吉"}).json()["places"]
    assert found[0] == {"code": "652301", "name": "昌吉市", "full_name": "新疆维吾尔自治区 昌吉回族自治州 昌吉市",
                        "chain": ["650000", "652300", "652301"]}
    assert client.get("/places", params={"q": "没有这个地方"}).json() == {"places": []}
    assert client.get("/places", params={"parent": "99"}).json() == {"places": []}
    assert client.get("/places", params={"q": "x" * 21}).status_code == 422
    page = client.get("/check").text
    assert 'data-places="/places"' in page and '<script src="/static/places.js"' in page
    script = client.get("/static/places.js")
    assert script.status_code == 200 and "parent=" in script.text and "q=" in script.text


# --- check your answers -------------------------------------------------------------------------------

FULL = {**GRADUATE, "residence.state": "some", **ROWS_OF["residence"], "housing.kind": "rented",
        "housing.registered": "yes", "employment.state": "none", "military.state": "none", "family.state": "some",
        **ROWS_OF["family"]}


def test_check_your_answers_lists_every_answer_in_plain_words_with_a_change_link(client):
    r = client.post("/check", data={**FULL, "action": "review"})
    assert r.status_code == 200 and "核对您的回答" in r.text
    said = _text(r.text)
    for words in ("1992-04-18", "甘肃省 定西市 陇西县", "农村户口", "本科", "2014-06-30", "北京南路街道", "城镇",
                  "租", "未服兵役", "有配偶，一起迁入", "子女（2015-06-01出生）", "暂不回答"):
        assert words in said, words
    assert not re.search(r"\b(621122|652301003|rented|bachelor)\b", said)  # no codes or developer words
    targets = re.findall(r'name="change" value="([^"]+)" formaction="/check#([^"]+)"', r.text)
    assert [a for a, b in targets if a == b] == ["birth_date", "hukou.place", "hukou.urban",
                                                 *[f"s-{s}" for s in SECTIONS], "date"]
    form_ids = _ids(client.post("/check", data={**FULL, "change": "birth_date"}).text)
    assert {target for target, _ in targets} <= form_ids  # each change goes back to its field


def test_change_goes_back_to_the_form_with_every_answer_kept(client):
    answers = client.post("/check", data={**FULL, "action": "review"}).text
    carried = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', answers))
    assert carried["education.0.level"] == "bachelor" and carried["hukou.place"] == "621122"
    page = client.post("/check", data={**carried, "change": "s-employment"}).text
    assert re.search(r'name="employment.state" value="none"[^>]*checked', page)
    assert re.search(r'<fieldset id="s-employment"', page.split("more_questions")[0])
    assert re.search(r'<option value="bachelor" selected', page)
    result = client.post("/check", data={**carried, "action": "result"}).text
    assert re.search(r'id="verdict-settlement".*?data-status="eligible"', result, re.S)


def test_the_direct_path_gives_the_result_at_once(client):
    for data in ({**GRADUATE, "action": "result"}, GRADUATE):  # the button, or a form without one
        page = client.post("/check", data=data).text
        assert re.search(r'id="verdict-settlement".*?data-status="eligible"', page, re.S)
    form = client.get("/check").text
    assert re.search(r'<button type="submit" name="action" value="review" id="continue-button">继续', form)
    assert re.search(r'name="action" value="result" id="check-button"[^>]*>直接查看结果', form)


def test_once_settlement_is_decided_the_questions_left_say_they_are_for_the_permit(client):
    decided = client.post("/check", data={**GRADUATE, "action": "result"}).text
    assert "如需判断能否申领居住证，还需要回答" in _text(decided)
    open_ = client.post("/check", data={**PERSON, "action": "result"}).text
    assert "如需判断能否申领居住证" not in _text(open_) and "还需要回答" in _text(open_)


# --- implausible answers, each refused naming its field -----------------------------------------------

FUTURE = "2099-01-01"


@pytest.mark.parametrize("extra, field, said", [
    ({"birth_date": FUTURE}, "birth_date", "出生日期：不能晚于今天"),
    ({"birth_date": "1850-05-01"}, "birth_date", "出生日期：日期早于1900年"),
    ({"birth_date": "1992-02-30"}, "birth_date", "出生日期：日历上没有“1992-02-30”这一天"),
    ({"hukou.province": "", "hukou.city": "", "hukou.place": "999999"}, "hukou.place", "户口所在地：没有代码为999999的地方"),
    ({"residence.state": "some", "residence.0.from": "2019-05-01", "residence.0.to": "2018-01-01",
      "residence.0.place": "652301003"}, "residence.0.to", "在本市居住情况（第1条）结束日期：结束日期不能早于开始日期"),
    ({"residence.state": "some", "residence.0.from": FUTURE, "residence.0.place": "652301003"}, "residence.0.from",
     "在本市居住情况（第1条）开始日期：不能晚于今天"),
    ({"employment.state": "some", "employment.1.from": FUTURE}, "employment.1.from", "就业情况（第2条）开始日期：不能晚于今天"),
    ({"social_insurance.state": "some", "social_insurance.0.from": "2099-01"}, "social_insurance.0.from",
     "不能晚于本月"),
    ({"education.state": "some", "education.0.level": "bachelor", "education.0.admitted": "2020-09-01",
      "education.0.graduated": FUTURE}, "education.0.graduated", "学历（第1条）毕业日期：不能晚于今天"),
    ({"education.state": "some", "education.0.level": "bachelor", "education.0.admitted": "2014-09-01",
      "education.0.graduated": "2010-06-30"}, "education.0.graduated", "毕业日期不能早于入学日期"),
    ({"qualifications.state": "some", "qualifications.0.kind": "skill_certificate", "qualifications.0.obtained": FUTURE},
     "qualifications.0.obtained", "不能晚于今天"),
    ({"military.state": "some", "military.enlisted": "2010-01-01", "military.discharged": FUTURE},
     "military.discharged", "服兵役 退役日期：不能晚于今天"),
    ({"military.state": "some", "military.enlisted": "2010-01-01", "military.discharged": "2009-01-01"},
     "military.discharged", "退役日期不能早于入伍日期"),
    ({"family.state": "some", "family.spouse": "none", "family.children.0.birth_date": FUTURE},
     "family.children.0.birth_date", "家庭成员（第1条）子女出生日期：不能晚于今天"),
    ({"residence.state": "none", "residence.0.from": "2015-03-01"}, "s-residence", "您选了“没有”，但下面填了内容"),
    ({"date": "2019-02-30"}, "date", "查询日期：日历上没有“2019-02-30”这一天"),
    ({"birth_date": "1" * 5000}, "birth_date", "出生日期：最多10个字"),
])
def test_an_implausible_answer_is_refused_naming_its_field_in_chinese(client, extra, field, said):
    r = client.post("/check", data={**PERSON, **extra, "action": "review"})
    assert r.status_code == 422
    summary = dict(_summary(r.text))
    assert field in summary and said in summary[field], summary
    assert field in _ids(r.text)  # the link lands on the field
    assert not re.search(r"\b(expected|required|must not)\b", _text(r.text))


def test_every_problem_is_listed_at_once_each_linking_to_its_marked_field(client):
    data = {**PERSON, "birth_date": FUTURE, "hukou.province": "", "hukou.city": "", "hukou.place": "999999",
            "hukou.urban": "", "residence.state": "some", "residence.0.from": "1850-01-01",
            "residence.0.place": "652301003", "education.state": "some", "education.0.admitted": "2010-09-01",
            "military.state": "some", "military.enlisted": FUTURE, "date": "x" * 5000, "action": "review"}
    r = client.post("/check", data=data)
    assert r.status_code == 422
    hrefs = [h for h, _ in _summary(r.text)]
    assert hrefs == ["birth_date", "hukou.place", "hukou.urban", "residence.0.from", "education.0.level",
                     "military.enlisted", "date"]
    assert set(hrefs) <= _ids(r.text)
    for field in ("birth_date", "residence.0.from", "education.0.level", "military.enlisted", "date"):
        assert re.search(rf'<div class="field-error">\s*<label for="{re.escape(field)}"', r.text), field
    assert "x" * 30 not in _text(r.text)  # a long value is not repeated in a message
    assert r.text.index("error-summary") < r.text.index("<h1>")  # the summary comes first


def test_every_input_is_bounded(client):
    page = client.get("/check").text
    inputs = re.findall(r"<input [^>]*>", page)
    typed = [i for i in inputs if re.search(r'type="(text|date|month|search)"', i)]
    assert typed and all(re.search(r'maxlength="\d+"', i) for i in typed)


def test_long_text_wraps_instead_of_widening_the_page(client):
    css = client.get("/static/site.css").text
    block = css.split("/* the self-check and forms", 1)[1]
    assert re.search(r"\.error, \.hint, \.banner, legend, label, dd, \.error-summary a \{ overflow-wrap: anywhere; \}",
                     block)


# --- the same checks for the API and the application form ---------------------------------------------

def test_the_api_refuses_a_place_that_is_no_place_and_a_date_before_1900_naming_the_field(client):
    zh = {"Accept-Language": "zh-CN"}
    facts = {"birth_date": "1992-04-18", "hukou": {"place": "999999", "urban": False}}
    r = client.post("/api/v1/eligibility", json=facts, headers=zh)
    assert r.status_code == 422 and r.json()["field"] == "hukou.place" and "999999" in r.json()["detail"]
    r = client.post("/api/v1/eligibility", json={**facts, "hukou": {"place": "622425", "urban": False},
                                                 "birth_date": "1899-01-01"}, headers=zh)
    assert r.status_code == 422 and r.json()["field"] == "birth_date" and "1900" in r.json()["detail"]
    # dates after today are the self-check's and the submissions' concern: the API evaluates any date D, and a
    # record after D is only ignored (RULEBOOK §1)
    r = client.post("/api/v1/eligibility?date=2030-01-01", json={**facts, "hukou": {"place": "622425", "urban": False},
                                                                 "employment": [{"from": "2029-01-01"}]})
    assert r.status_code == 200


def _id_number(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")


def test_the_application_form_shows_its_problem_in_the_same_summary(tmp_path):
    url = f"sqlite:///{tmp_path / 'apply.sqlite'}"
    engine = connect(url)
    migrate(engine)
    create_user(engine, "amy", "amy-password", "applicant", None, id_number=_id_number("62242519920418013"))
    web = TestClient(create_app(database=url), raise_server_exceptions=False)
    login = web.get("/login").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', login).group(1)
    assert web.post("/login", data={"csrf": csrf, "username": "amy", "password": "amy-password"},
                    follow_redirects=False).status_code == 303
    page = web.get("/apply").text
    form = {"csrf": re.search(r'name="csrf" value="([^"]+)"', page).group(1),
            "idempotency_key": re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1),
            "kind": "settlement", "township": "652301001", "consent": "on",
            "followers.0.name": "赵六", "followers.0.id_number": _id_number("62242519930520024")}
    r = web.post("/applications", data=form)
    assert r.status_code == 422
    summary = _summary(r.text)
    assert summary and summary[0][0] == "followers.0.relation"
    assert summary[0][1].startswith("随迁人员（第1人）关系：请选择")
    assert "followers.0.relation" in _ids(r.text)
    assert 'class="banner error"' not in r.text  # said once, in the summary and beside the field


# --- in a browser ---------------------------------------------------------------------------------------



@pytest.fixture(scope="module")
def site(tmp_path_factory):
    need_browser()
    with served(f"sqlite:///{tmp_path_factory.mktemp('sc-browser') / 'sc.sqlite'}") as address:
        yield address


@pytest.fixture(scope="module")
def browser(site):
    with chromium() as b:
        yield b


def test_with_a_script_the_choices_fill_in_and_a_search_finds_the_place(browser, site):
    page = browser.new_page(locale="zh-CN")
    page.set_default_timeout(10_000)
    page.goto(f"{site}/check")
    assert not page.is_visible("button.step")  # the "选择" steps are for pages without a script
    page.select_option("select[name='hukou.province']", "620000")
    page.select_option("select[name='hukou.city']", "621100")  # waits for the cities to come
    page.select_option("select[name='hukou.place']", "621122")
    page.fill("#place-search", "昌吉")
    page.click("#place-results button >> text=新疆维吾尔自治区 昌吉回族自治州 昌吉市")
    page.wait_for_function("document.getElementById('hukou.place').value === '652301'")
    assert page.eval_on_selector("select[name='hukou.province']", "e => e.value") == "650000"
    assert page.eval_on_selector("select[name='hukou.city']", "e => e.value") == "652300"
    page.fill("#place-search", "没有这个地方")
    page.wait_for_selector("#place-results li >> text=没有找到这个名称的地方")
    page.fill("#birth_date", "1992-04-18")
    page.check("input[name='hukou.urban'][value='rural']")
    page.click("#continue-button")
    assert "核对您的回答" in page.inner_text("h1")
    assert "新疆维吾尔自治区 昌吉回族自治州 昌吉市" in page.inner_text("#answers")
    page.click("#see-result")
    assert page.get_attribute("#verdict-permit .status", "data-status") == "ineligible"  # a hukou in the city
    page.close()


def test_a_phone_wide_page_stays_phone_wide_whatever_is_typed(browser, site):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{site}/check")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.evaluate("""() => { const f = document.getElementById('check-form');
        for (const name of ['birth_date', 'date']) { f.elements[name].removeAttribute('maxlength');
                                                    f.elements[name].type = 'text'; f.elements[name].value = 'x'.repeat(5000); } }""")
    page.click("#continue-button")
    assert page.is_visible("#error-summary")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.goto(f"{site}/check")
    page.select_option("select[name='hukou.province']", "650000")
    page.select_option("select[name='hukou.city']", "652300")
    page.select_option("select[name='hukou.place']", "652328")
    page.fill("#birth_date", "1992-04-18")
    page.check("input[name='hukou.urban'][value='rural']")
    page.click("#continue-button")
    assert "木垒哈萨克自治县" in page.inner_text("#answers")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    context.close()

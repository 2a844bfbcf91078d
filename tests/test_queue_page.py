"""The queue as the site and the API serve it: officers' table, the search and filters in the address,
pages, the empty answer, an applicant's own list with case numbers, and the API's query parameters."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from casework_people import OTHER, ZHAO, a1, p1, zhao
from hukou.api.app import create_app
from hukou.store.users import create_user, issue_token
from hukou.web import case_pages
from test_queue_search import PURPOSES, Cases, wang

PEOPLE = (p1, a1, wang, zhao)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('queue-page') / 'q.sqlite'}"
    cases = Cases(url)
    for v in PEOPLE:
        create_user(cases.cw.engine, v.username, f"{v.username}-password", v.role, v.township, v.name or None,
                    city_wide=v.city_wide, id_number=v.id_number)
    client = TestClient(create_app(database=url), raise_server_exceptions=False)
    tokens = {v.username: issue_token(cases.cw.engine, v, datetime.now()) for v in PEOPLE}
    return cases, client, tokens


def page_of(site, viewer, address="/cases", lang="zh"):
    _, client, tokens = site
    client.cookies.clear()
    client.cookies.set("hukou_session", tokens[viewer.username])
    client.cookies.set("hukou_lang", lang)
    if viewer.role in PURPOSES:
        client.cookies.set("hukou_purpose", PURPOSES[viewer.role])
    return client.get(address)


def rows(html: str) -> list[str]:
    return re.findall(r'<tr class="[^"]*" data-case="([^"]+)"', html)


def test_a_station_reads_names_masked_numbers_case_numbers_and_the_time_left(site):
    cases, _, _ = site
    r = page_of(site, p1)
    assert r.status_code == 200
    html = r.text
    assert rows(html) == [cases.ids[n] for n in ("王五", "张三", "李四", "周九")]
    row = html[html.index(f'data-case="{cases.ids["王五"]}"'):].split("</tr>")[0]
    assert "王五" in row and wang.id_number[:6] + "*" * 11 + wang.id_number[-1] in row and wang.id_number not in row
    assert "昌落2020-000001" in row and "已受理" in row and "宁边路" in row and "2020-02-06" in row
    assert re.search(r'class="overdue-tag">已超期 \d+ 个工作日', row)  # in words, not only in colour
    assert '<form method="get" action="/cases"' in html and 'name="q"' in html and 'id="township"' not in html
    assert '<label for="q">搜索：姓名、身份证号或案件编号</label>' in html and "待本所办理" in html
    assert "剩余时间：落户和户口迁移按工作日计算" in html and 'nav class="pages"' not in html


def test_the_search_and_filters_are_in_the_address_and_kept_in_the_form(site):
    cases, _, _ = site
    html = page_of(site, p1, f"/cases?q={ZHAO[:6]}+{ZHAO[6:]}").text  # a follower's ID number, typed with a space
    assert rows(html) == [cases.ids["王五"]]
    html = page_of(site, p1, "/cases?kind=residence_permit&sort=newest&overdue=").text
    assert rows(html) == [cases.ids["李四"]]
    assert '<option value="residence_permit" selected>' in html and '<option value="newest" selected>' in html
    assert 'id="queue-clear"' in html
    html = page_of(site, p1, "/cases?q=没有这个人").text
    assert rows(html) == [] and "没有符合条件的案件" in html
    html = page_of(site, p1, "/cases?q=6523011990").text
    assert "公民身份号码为18位。" in html  # digits too few for an ID number: said so
    html = page_of(site, p1, "/cases?q=昌落2020－000005").text
    assert rows(html) == [cases.ids["周九"]]


def test_a_county_approver_opens_on_what_was_sent_up_and_may_ask_for_all(site):
    cases, _, _ = site
    html = page_of(site, a1).text
    assert rows(html) == [cases.ids["张三"]] and '<option value="mine" selected>已报送待审批</option>' in html
    html = page_of(site, a1, "/cases?scope=all").text
    assert len(rows(html)) == 5 and 'id="township"' in html  # city-wide: a township filter
    html = page_of(site, a1, f"/cases?scope=all&township={OTHER}").text
    assert rows(html) == [cases.ids["王小明"]]


def test_pages_link_to_each_other_with_the_same_filters(site, monkeypatch):
    cases, _, _ = site
    monkeypatch.setattr(case_pages, "QUEUE_PAGE_SIZE", 2)
    html = page_of(site, a1, "/cases?scope=all&sort=due").text
    assert "第 1 页，共 3 页（共 5 件）" in html and 'rel="next"' in html and 'rel="prev"' not in html
    assert 'href="/cases?scope=all&amp;sort=due&amp;page=2"' in html and 'aria-current="page">1<' in html
    html = page_of(site, a1, "/cases?scope=all&sort=due&page=3").text
    assert rows(html) == [cases.ids["周九"]] and 'rel="prev"' in html and 'rel="next"' not in html
    html = page_of(site, a1, "/cases?scope=all&page=9").text
    assert rows(html) == [] and "回到第一页" in html and 'href="/cases?scope=all"' in html


def test_an_applicant_sees_their_cases_by_number_and_a_follower_only_what_consent_needs(site):
    cases, _, _ = site
    html = page_of(site, wang).text
    assert rows(html) == [cases.ids["王五"]] and "昌落2020-000001" in html and 'id="queue-filters"' not in html
    assert not re.search(r">[^<]*" + cases.ids["王五"][:8], html)  # the id only in addresses, never as text
    html = page_of(site, zhao).text
    row = html[html.index('class="following'):].split("</tr>")[0]
    assert "王五" in row and "等待您确认自愿" in row and "昌落" not in row and "宁边路" not in row


def test_the_page_speaks_english_and_a_bad_address_is_refused_in_words(site):
    html = page_of(site, p1, lang="en").text
    assert "Search: name, ID number or case number" in html and "Time left" in html
    assert re.search(r"Overdue by \d+ working days", html)
    r = page_of(site, p1, "/cases?kind=marriage")
    assert r.status_code == 422 and "Traceback" not in r.text


def _api(site, viewer, query=""):
    _, client, tokens = site
    client.cookies.clear()
    headers = {"Authorization": f"Bearer {tokens[viewer.username]}"}
    if viewer.role in PURPOSES:
        headers["X-Purpose"] = PURPOSES[viewer.role]
    return client.get(f"/api/v1/applications{query}", headers=headers)


def test_the_api_takes_the_same_filters_and_answers_with_the_page(site):
    cases, _, _ = site
    everything = _api(site, a1).json()  # without parameters: as before, every open case it may see
    assert (everything["total"], everything["page"], everything["page_size"]) == (5, 1, 100)
    first = everything["items"][0]
    assert first["number"] == "昌落2020-000001" and first["waiting_on"] == "police_station" and first["working_days"]
    assert first["applicant_id_masked"] == wang.id_number[:6] + "*" * 11 + wang.id_number[-1]
    assert [i["applicant_name"] for i in _api(site, a1, "?waiting_for_me=true").json()["items"]] == ["张三"]
    page = _api(site, a1, "?page=2&page_size=2&sort=due").json()
    assert page["total"] == 5 and page["page"] == 2 and [i["applicant_name"] for i in page["items"]] == ["李四", "王小明"]
    assert [i["id"] for i in _api(site, a1, "?q=%E6%98%8C%E8%90%BD2020-000003").json()["items"]] == [cases.ids["王小明"]]
    assert _api(site, a1, "?limit=500").json()["page_size"] == 100  # the earlier parameter still works
    assert _api(site, a1, "?status=finished&kind=settlement").json()["total"] == 1
    for bad, field in (("?status=lost", "status"), ("?page_size=101", "page_size"), ("?township=12", "township")):
        r = _api(site, a1, bad)
        assert r.status_code == 422 and r.json()["field"] == field, (bad, r.text)
    follower = _api(site, zhao).json()["items"][0]
    assert follower["following"] and follower["status"] == "" and follower["number"] is None

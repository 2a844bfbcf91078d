"""The main web flows, end to end, in a real headless Chromium (Debian's package) driven by Playwright.

A small demo city is built (`hukou demo`'s build), the real server runs on a loopback port, and a
browser clicks through with the demo logins: wangwu, a migrant the register does not hold, does the
self-check and applies for settlement with his wife zhaoliu; she consents under her own account;
the police station accepts and reviews, the county approves, the station registers them at a
community of its township; the case page and the register then say both moved, into one household.
Also: the officers' queue ordered by deadline with the overdue case marked, the English switch and
a phone-sized screen, and a form from another site refused. Skipped with the reason when the browser
is not installed, except under CI=true.
"""

from __future__ import annotations

import pytest
from browsers import chromium, need_browser, served


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory):
    need_browser()
    from hukou.cli.demo import build

    url = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'demo.sqlite'}"
    build(url, residents=2000)
    return url


@pytest.fixture(scope="module")
def site(demo_database):
    with served(demo_database) as address:
        yield address


@pytest.fixture(scope="module")
def browser(site):
    with chromium() as b:
        yield b


@pytest.fixture()
def page(browser):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def _sign_in(page, site, username, password):
    page.goto(f"{site}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("main button[type=submit]")


def _sign_out(page):
    page.click("header form button")


def _purpose(page, code):
    """An officer says why they read, once per session (the page asks before the first read)."""
    assert "/purpose" in page.url
    page.check(f"input[name='purpose'][value='{code}']")
    page.click("#choose-purpose")


def _demo(demo_database, sql, **params):
    from sqlalchemy import text

    from hukou.store.database import connect

    with connect(demo_database).connect() as conn:
        return conn.execute(text(sql), params).all()


def test_a_migrant_and_his_wife_settle_from_the_self_check_to_the_register(page, site, demo_database):
    (wife,), = _demo(demo_database, "SELECT id_number FROM users WHERE username = 'zhaoliu'")
    (husband,), = _demo(demo_database, "SELECT id_number FROM users WHERE username = 'wangwu'")
    assert _demo(demo_database, "SELECT person_id FROM people WHERE id_number IN (:a, :b)", a=husband, b=wife) == []
    # wangwu's self-check: it asks the missing questions; a bachelor's degree makes the talent route hold
    page.goto(f"{site}/check")
    page.fill("input[name='birth_date']", "1992-04-18")
    page.select_option("select[name='hukou.province']", "620000")  # his hukou: 甘肃省 定西市 陇西县, chosen by name
    page.select_option("select[name='hukou.city']", "621100")
    page.select_option("select[name='hukou.place']", "621122")
    page.check("input[name='hukou.urban'][value='rural']")
    page.click("#check-button")
    assert page.get_attribute("#verdict-settlement .status", "data-status") == "undetermined"
    questions = page.locator("#questions li").all_inner_texts()
    assert "学历" in questions and "住所" in questions
    page.click("#questions a[href='#s-education']")  # the question links to its section
    page.check("input[name='education.state'][value='some']")
    page.select_option("select[name='education.0.level']", "bachelor")
    page.fill("input[name='education.0.admitted']", "2010-09-01")
    page.fill("input[name='education.0.graduated']", "2014-06-30")
    page.click("#check-button")
    assert page.get_attribute("#verdict-settlement .status", "data-status") == "eligible"
    assert "§四" in page.inner_text("#verdict-settlement")
    # he applies, signing in on the way (the facts are kept), with his wife listed; he ticks his consent
    page.click("form[action='/apply'] button")
    page.fill("#username", "wangwu")
    page.fill("#password", "wangwu-demo")
    page.click("main button[type=submit]")
    assert "王五" in page.inner_text("main")  # the applicant is his own account
    page.select_option("#township", "652301001")
    page.select_option("select[name='followers.0.relation']", "spouse")
    page.fill("input[name='followers.0.name']", "赵六")
    page.fill("input[name='followers.0.id_number']", wife)
    page.check("input[name='consent']")
    page.click("#submit-application")
    assert "申请已提交" in page.inner_text("#confirmation")  # the confirmation page, with the case number
    assert "等待赵六（配偶）确认自愿" in page.inner_text("#what-next")
    page.click("#confirmation-case-link")
    assert page.get_attribute("#case-status", "data-status") == "submitted"
    case_path = page.url.split(site)[1].split("?")[0]
    _sign_out(page)
    # zhaoliu signs in with her own account: the case awaits her consent, and she gives it
    _sign_in(page, site, "zhaoliu", "zhaoliu-demo")
    row = page.locator(f"tr[data-case='{case_path.split('/')[2]}']")
    assert "等待您确认自愿" in row.inner_text() and "王五" in row.inner_text()
    row.locator("a").click()
    assert "配偶" in page.inner_text("#follower") and page.locator("#verdict-settlement").count() == 0
    page.click("#act-consent_recorded button")
    assert page.get_attribute("#my-consent", "data-consented") == "yes"
    _sign_out(page)
    # the police station accepts and reviews
    _sign_in(page, site, "paichusuo", "paichusuo-demo")
    _purpose(page, "casework")
    page.locator(f"tr[data-case='{case_path.split('/')[2]}'] a").first.click()
    assert "已确认自愿" in page.inner_text("#party-f1")
    page.click("#act-accepted button")
    assert page.get_attribute("#case-status", "data-status") == "accepted"
    page.click("#act-reviewed button")
    assert page.get_attribute("#case-status", "data-status") == "reviewed"
    assert page.locator("#act-approved").count() == 0  # approval is the county's
    _sign_out(page)
    # a county approver (who did not review it) approves
    _sign_in(page, site, "gonganju", "gonganju-demo")
    _purpose(page, "approval")
    page.goto(f"{site}{case_path}")
    page.click("#act-approved button")  # not confirmed: the browser keeps the form, nothing is sent
    assert page.get_attribute("#case-status", "data-status") == "reviewed"
    page.check("#confirm-approved")
    page.click("#act-approved button")
    assert page.get_attribute("#case-status", "data-status") == "approved"
    _sign_out(page)
    # the station registers them at a community of its township, both ticked: the server decides how
    _sign_in(page, site, "paichusuo", "paichusuo-demo")
    _purpose(page, "registration")
    page.goto(f"{site}{case_path}")
    assert "王五" in page.inner_text("#register-movers") and page.locator("#left-out").count() == 0
    assert page.locator("#register-movers input[name=followers]:checked").count() == 1  # 赵六, who consented
    assert "赵六" in page.inner_text("#register-movers label.choice")
    place = page.locator("#place option").nth(1).get_attribute("value")
    assert place.startswith("652301001")
    community = page.inner_text(f"#place option[value='{place}']").split("（")[0]
    page.select_option("#place", place)
    page.check("#confirm-registered")
    page.click("#act-registered button")
    assert page.get_attribute("#case-status", "data-status") == "registered"
    assert "户口已登记" in page.inner_text("#registered") and page.inner_text("#registered-place") == community
    assert page.inner_text("#registered-moved") == "王五、赵六"
    # the register holds both, with a hukou at that place, in one household
    rows = _demo(demo_database, "SELECT p.id_number, h.place, h.urban, h.household_id FROM people p "
                                "JOIN hukou h ON h.person_id = p.person_id WHERE p.id_number IN (:a, :b)",
                 a=husband, b=wife)
    assert sorted(r[0] for r in rows) == sorted([husband, wife])
    assert {(r[1], r[3]) for r in rows} == {(place, rows[0][3])} and all(r[2] for r in rows)


def test_officer_queue_is_ordered_by_deadline_with_the_overdue_case_first(page, site):
    _sign_in(page, site, "paichusuo", "paichusuo-demo")
    _purpose(page, "casework")
    rows = page.locator("table.queue tbody tr")
    assert rows.count() >= 3
    assert "overdue" in (rows.first.get_attribute("class") or "")  # the overdue case stands first
    assert "已超期" in page.inner_text("main")
    # a counter case waiting for acceptance: the officer sees the explanation and the parties
    page.locator("table.queue tbody tr", has_text="已提交").first.locator("a").first.click()
    assert page.get_attribute("#case-status", "data-status") == "submitted"
    assert page.locator("#officer-verdict").count() == 1  # the verdict in the officers' words
    assert "派出所窗口受理" in page.inner_text("#summary")
    assert page.locator("#act-accepted").count() == 1


def test_english_and_a_phone_screen(browser, site):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{site}/check")
    assert "自助查询" in page.inner_text("h1")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # nothing wider than the phone
    page.click("text=English")
    assert "Self-check" in page.inner_text("h1")
    page.goto(f"{site}/")
    assert "Settlement and residence permits" in page.inner_text("h1")  # the choice is remembered
    _sign_in(page, site, "zhangsan", "zhangsan-demo")
    assert "My applications" in page.inner_text("h1")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.locator("table.queue tbody tr a").first.click()
    assert "What happens next" in page.inner_text("main") and "：" not in page.inner_text("#summary")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    _sign_out(page)
    _sign_in(page, site, "gonganju", "gonganju-demo")
    assert "Why you are reading" in page.inner_text("h1")
    _purpose(page, "approval")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.locator("table.queue tbody tr", has_text="reviewed").first.locator("a").first.click()
    assert page.locator("#act-approved").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    context.close()


def test_a_form_from_another_site_is_refused(page, site):
    _sign_in(page, site, "paichusuo", "paichusuo-demo")
    _purpose(page, "casework")
    href = page.locator("table.queue tbody tr a").first.get_attribute("href")
    # the same form without the page's CSRF token, as another site would send it
    response = page.request.post(f"{site}{href}/act", form={"type": "accepted", "expected_version": "1"})
    assert response.status == 403

"""Each role's main path, walked in headless Chromium in Chinese and English, on a 375-px phone and a
1280-px desktop, with a screenshot of every step saved for people to look at.

The migrant (wangwu, whom the register does not hold) does the self-check with unknown facts, checks
his answers, sees the verdict with its guide, applies, reads the confirmation, downloads the receipt
and follows the progress; the police station finds the case by his name, reads it and accepts and
reviews it; the county approver decides; the migrant then reads the notifications of each step.
Screenshots and the receipt go to test-artifacts/walkthrough/<lang>-<width>/ (CI keeps the folder).
The walk asserts what a person would check on each page (by element ids and data attributes, the
same in both languages), and that no page is wider than the screen. Skipped with the reason when
the browser is not installed, except under CI=true.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_web_e2e import _purpose, _sign_in, _sign_out, browser, demo_database, site  # noqa: F401 - fixtures

from hukou.services.notifications import channel, send_all
from hukou.store.database import connect

SHOTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "walkthrough"
DEVICES = {375: {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True},
           1280: {"viewport": {"width": 1280, "height": 900}}}


class Walk:
    """One person's browser: each step is checked for width and saved as a numbered screenshot."""

    def __init__(self, browser, site, lang, width):  # noqa: F811 - the fixtures, passed on
        self.context = browser.new_context(locale="zh-CN" if lang == "zh" else "en-GB", **DEVICES[width])
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.site, self.width = site, width
        self.folder = SHOTS / f"{lang}-{width}"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.step = 0
        self.page.goto(f"{site}/lang/{lang}?next=/")

    def shot(self, name: str) -> None:
        self.step += 1
        wide = self.page.evaluate("document.documentElement.scrollWidth")
        self.page.screenshot(path=str(self.folder / f"{self.step:02d}-{name}.png"), full_page=True)
        assert wide <= self.width, f"{name} is {wide} px wide on a {self.width}-px screen"

    def close(self) -> None:
        self.context.close()


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_role_walks_its_main_path(browser, site, demo_database, lang, width):  # noqa: F811 - fixtures
    migrant = Walk(browser, site, lang, width)
    page = migrant.page
    # the self-check with only what he knows: the answer says what is still to ask
    page.goto(f"{site}/check")
    page.fill("input[name='birth_date']", "1992-04-18")
    page.select_option("select[name='hukou.province']", "620000")
    page.select_option("select[name='hukou.city']", "621100")
    page.select_option("select[name='hukou.place']", "621122")
    page.check("input[name='hukou.urban'][value='rural']")
    page.click("#check-button")
    assert page.get_attribute("#verdict-settlement .status", "data-status") == "undetermined"
    migrant.shot("self-check-unknown")
    # he adds his degree, checks his answers, and sees the answer with the guide
    page.check("input[name='education.state'][value='some']")
    page.select_option("select[name='education.0.level']", "bachelor")
    page.fill("input[name='education.0.admitted']", "2010-09-01")
    page.fill("input[name='education.0.graduated']", "2014-06-30")
    page.click("#continue-button")
    assert page.locator("#answers").count() == 1
    migrant.shot("check-answers")
    page.click("#see-result")
    assert page.get_attribute("#verdict-settlement .status", "data-status") == "eligible"
    assert page.locator("#guide-materials li").count() >= 2 and page.locator("#guide-station").count() == 1
    migrant.shot("verdict-and-guide")
    # he applies, signing in on the way
    page.click("form[action='/apply'] button")
    page.fill("#username", "wangwu")
    page.fill("#password", "wangwu-demo")
    page.click("main button[type=submit]")
    page.select_option("#township", "652301001")
    page.check("input[name='consent']")
    migrant.shot("apply")
    page.click("#submit-application")
    number = page.inner_text("#case-number").strip()
    assert number.startswith("昌落") and page.locator("#what-next").count() == 1
    migrant.shot("confirmation")
    page.click("#confirmation-case-link")
    case_path = page.url.split(site)[1].split("?")[0]
    receipt = page.request.get(f"{site}{case_path}/receipt.pdf")
    assert receipt.status == 200 and receipt.body().startswith(b"%PDF")
    (migrant.folder / "receipt.pdf").write_bytes(receipt.body())
    assert page.locator("#progress [aria-current='step']").count() == 1
    migrant.shot("case-progress")
    _sign_out(page)

    # the police station finds the case by the applicant's name, reads it, accepts and reviews it
    _sign_in(page, site, "paichusuo", "paichusuo-demo")
    _purpose(page, "casework")
    page.fill("#q", "王五")
    page.press("#q", "Enter")
    row = page.locator(f"tr[data-case='{case_path.split('/')[2]}']")
    assert row.count() == 1 and number in row.inner_text()
    migrant.shot("officer-search")
    row.locator("a").first.click()
    assert page.locator("#facts").count() == 1 and page.locator("#officer-verdict").count() == 1
    migrant.shot("officer-case")
    page.click("#act-accepted button")
    assert page.get_attribute("#case-status", "data-status") == "accepted"
    page.click("#act-reviewed button")
    assert page.get_attribute("#case-status", "data-status") == "reviewed"
    migrant.shot("officer-reviewed")
    _sign_out(page)

    # the county approver decides, after ticking the confirmation
    _sign_in(page, site, "gonganju", "gonganju-demo")
    _purpose(page, "approval")
    page.goto(f"{site}{case_path}")
    page.check("#confirm-approved")
    migrant.shot("approver-case")
    page.click("#act-approved button")
    assert page.get_attribute("#case-status", "data-status") == "approved"
    migrant.shot("approver-decided")
    _sign_out(page)

    # the migrant reads a notification of each step, once the outbox is sent (a served app sends it every
    # few seconds; here one round, as `hukou notify send` does)
    send_all(connect(demo_database), [channel("inbox")])
    _sign_in(page, site, "wangwu", "wangwu-demo")
    page.goto(f"{site}/notifications")
    assert page.locator(f"#inbox li:has-text('{number}')").count() >= 3  # submitted, accepted, approved
    migrant.shot("notifications")
    migrant.close()

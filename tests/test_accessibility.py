"""Accessibility of each role's main path, checked by axe-core in headless Chromium.

axe.min.js comes from the npm registry at install time (Makefile: `AXE_VERSION`, its integrity
pinned), into .venv/share/axe-core/ (never committed). A small demo city is served on a loopback
port; for each role, language (zh, en) and width (375 px, a phone; 1280 px) the test walks the pages
that role lives on — home, sign-in, the self-check with and without a verdict, apply, my cases, the
queue, a case, the purpose, the report, the error pages — injects axe into each and fails on any
violation of impact serious or critical, naming the rule, the element and the page. Each page is
saved as test-artifacts/screenshots/<role>-<page>-<lang>-<width>.png for a person to look at (CI keeps
the folder). Skipped with the reason when the browser or axe is missing, except under CI=true.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browsers import chromium, need_browser, served

ROOT = Path(__file__).resolve().parents[1]
AXE = ROOT / ".venv" / "share" / "axe-core" / "axe.min.js"
SHOTS = ROOT / "test-artifacts" / "screenshots"
BLOCKING = ("serious", "critical")
WIDTHS = (375, 1280)
LOGINS = {"applicant": ("wangwu", "wangwu-demo"), "applicant_with_cases": ("zhangsan", "zhangsan-demo"),
          "police_station": ("paichusuo", "paichusuo-demo"), "county_approver": ("gonganju", "gonganju-demo"),
          "auditor": ("shenji", "shenji-demo-pw")}
PERSON = {"birth_date": "1992-04-18", "hukou.place": "622425", "hukou.urban": "rural"}  # a migrant, as wangwu


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    need_browser("accessibility tests",
                 None if AXE.is_file() else f"axe-core is not installed at {AXE.relative_to(ROOT)} (make install)")
    from hukou.cli.demo import build

    url = f"sqlite:///{tmp_path_factory.mktemp('a11y') / 'demo.sqlite'}"
    build(url, residents=2000)
    with served(url) as address:
        yield address


@pytest.fixture(scope="module")
def browser(site):
    with chromium() as b:
        yield b


class Walk:
    """One role's walk at one language and width: each page checked by axe and photographed."""

    def __init__(self, page, site: str, role: str, lang: str, width: int):
        self.page, self.site, self.role, self.lang, self.width = page, site, role, lang, width
        self.violations: list[str] = []
        self.seen: list[str] = []

    def check(self, name: str) -> None:
        page = self.page
        page.wait_for_load_state("load")
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{self.role}-{name}-{self.lang}-{self.width}.png"), full_page=True)
        page.add_script_tag(path=str(AXE))
        found = page.evaluate("""async () => {
            const result = await axe.run(document, {resultTypes: ['violations']});
            return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 200),
                                          impact: n.impact, summary: (n.failureSummary || '').slice(0, 300)}))}));
        }""")
        self.seen.append(name)
        where = f"{self.role} {name} ({self.lang}, {self.width} px) {page.url}"
        for v in found:
            for node in v["nodes"]:
                if (node["impact"] or v["impact"]) in BLOCKING:
                    self.violations.append(f"{where}: {v['id']} [{node['impact'] or v['impact']}] {v['help']}\n"
                                           f"    at {node['target']}: {node['html']}\n    {node['summary']}")

    def go(self, path: str, name: str) -> None:
        self.page.goto(f"{self.site}{path}")
        self.check(name)

    def sign_in(self, username: str, password: str) -> None:
        self.page.goto(f"{self.site}/login")
        self.page.fill("#username", username)
        self.page.fill("#password", password)
        self.page.click("main button[type=submit]")
        self.page.wait_for_load_state("load")

    def purpose(self) -> None:
        """An officer's first read asks why: the page is checked, then its first purpose is chosen."""
        if "/purpose" not in self.page.url:
            return
        self.check("purpose")
        self.page.locator("input[name='purpose']").first.check()
        self.page.locator("main form button[type=submit], main form input[type=submit]").first.click()
        self.page.wait_for_load_state("load")

    def first_case(self) -> None:
        link = self.page.locator("main a[href^='/cases/']:not([href$='.pdf'])").first
        if link.count():
            self.go(link.get_attribute("href"), "case")

    def verdict(self) -> None:
        """The self-check answered: posted as the form would post it (the form's layout changes often)."""
        self.page.goto(f"{self.site}/check")
        self.page.evaluate("""(facts) => {
            const form = document.createElement('form');
            form.method = 'post'; form.action = '/check';
            for (const [name, value] of Object.entries(facts)) {
                const input = document.createElement('input');
                input.type = 'hidden'; input.name = name; input.value = value; form.appendChild(input);
            }
            document.body.appendChild(form); form.submit();
        }""", PERSON)
        self.page.wait_for_url("**/check**")
        self.check("check-verdict")


def _walk(walk: Walk) -> None:
    role = walk.role
    if role == "anonymous":
        walk.go("/", "home")
        walk.go("/login", "login")
        walk.go("/check", "check")
        walk.verdict()
        walk.go("/no-such-page", "error-404")
        walk.go("/cases/00000000-0000-0000-0000-000000000000", "error-case")
        return
    walk.sign_in(*LOGINS[role])
    if role == "applicant":
        walk.verdict()
        walk.go("/apply", "apply")
        walk.go("/cases", "my-cases")
    elif role == "applicant_with_cases":
        walk.go("/cases", "my-cases")
        walk.first_case()
    else:
        walk.page.goto(f"{walk.site}/cases")
        walk.purpose()
        walk.check("queue")
        walk.first_case()
        if role in ("county_approver", "auditor"):
            walk.go("/reports/overrides", "report")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("role", ["anonymous", *LOGINS])
def test_no_serious_accessibility_violations(browser, site, role, lang, width):
    context = browser.new_context(viewport={"width": width, "height": 800}, is_mobile=width < 600,
                                  has_touch=width < 600, locale="zh-CN" if lang == "zh" else "en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{site}/lang/{lang}?next=/")
        walk = Walk(page, site, role, lang, width)
        _walk(walk)
    finally:
        context.close()
    assert len(walk.seen) >= 2, walk.seen
    assert not walk.violations, f"{len(walk.violations)} serious or critical violation(s):\n" + "\n".join(walk.violations)


def test_the_check_fails_on_a_form_without_labels(browser, site):
    """axe, as injected here, reports an input without a label as critical: the walk can fail."""
    context = browser.new_context()
    page = context.new_page()
    try:
        page.set_content('<html lang="en"><head><title>t</title></head><body><main><h1>t</h1>'
                         '<form><input type="text" name="x"></form></main></body></html>')
        walk = Walk(page, site, "sample", "en", 1280)
        walk.check("unlabelled")
    finally:
        context.close()
        (SHOTS / "sample-unlabelled-en-1280.png").unlink(missing_ok=True)
    assert any(" label [critical]" in v for v in walk.violations), walk.violations

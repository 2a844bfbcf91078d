"""A crawl of the site with bad input, as each role, in Chinese and in English.

A small demo city is built once (`hukou demo`'s build: every role, cases at different steps); each
role signs in on a fresh copy of it and visits every page reachable by same-origin links from the
home page and from where sign-in lands. Every form found on a page (the forms are read from the HTML,
never named here: the self-check and the case pages change often) is sent (a) empty, (b) with every
field given each piece of junk, and (c) filled as the page offers it with one field left out; the
form's CSRF token is kept. No answer may be a 5xx, show developer text (a traceback, a field path,
pydantic's or Python's words, an unformatted template), nor, on a page served in Chinese, an English
sentence (a heuristic: four ASCII words in a row of visible text outside <code>)."""

from __future__ import annotations

import re
import shutil
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from fastapi.testclient import TestClient

ORIGIN = "http://testserver"
ROLES = {  # a demo login of each role (hukou.cli.demo.DEMO_USERS), and None: not signed in
    None: None, "applicant_in_register": ("zhangsan", "zhangsan-demo"), "applicant_new": ("wangwu", "wangwu-demo"),
    "follower": ("zhaoliu", "zhaoliu-demo"), "police_station": ("paichusuo", "paichusuo-demo"),
    "county_approver": ("gonganju", "gonganju-demo"), "department": ("renshe", "renshe-demo-pw"),
    "leader": ("lingdao", "lingdao-demo"), "auditor": ("shenji", "shenji-demo-pw"), "administrator": ("admin", "admin-demo-pw"),
}
APPLYING = ("applicant_in_register", "applicant_new", "police_station")
JUNK = ("x" * 5000, "2019-02-30", "9999-99-99", "999999", "<script>alert(1)</script>", "-1", "🏠👨‍👩‍👧")
CSRF = re.compile(r"csrf", re.I)
SKIP_PATHS = ("/logout", "/lang/", "/static/", "/docs", "/openapi.json", "/api/")
MAX_PAGES = 80  # per crawl: the demo has a handful of cases, so this is every page
MAX_REMOVALS = 12  # (c): a form of many fields is sent without each of 12 fields spread over it

# Developer text, in any language: what a person must never read.
DEVELOPER = [
    (re.compile(r"Traceback"), "a traceback"),
    (re.compile(r"(?<![\w/.])data\.[a-z_]+"), "a field path (data.…)"),
    (re.compile(r"\bexpected "), "a developer's 'expected …'"),
    (re.compile(r"[:=(]\s*(None|null)\b|\b(None|null)\s*[),;]|^(null)$"), "Python's None or null"),
    (re.compile(r"\{\{|\}\}|\{[a-z_]+(![rsa])?(:[^}]*)?\}|\{%|%\}"), "an unformatted template"),
    (re.compile(r"Field required|Input should|value_error|validation error", re.I), "pydantic's words"),
    (re.compile(r"<[\w.]+ object at 0x|\b(datetime\.)?date\(\d|\{'\w+':|\['\w+'[,\]]|\bMsg\(|Error\("), "a Python repr"),
]
# an English page may answer "None" (known: none); a Chinese page says 无
ZH_ONLY = [(re.compile(r"\brequired\b", re.I), "English 'required'"), (re.compile(r"\b(None|null)\b"), "None or null")]
ENGLISH_RUN = re.compile(r"[A-Za-z][A-Za-z'’-]*(?:[ ,;:]+[A-Za-z][A-Za-z'’-]*){3,}")
# Runs of four ASCII words a Chinese page may show: names of documents and products (proper names).
ALLOWED_ENGLISH = ("Swagger UI", "Open API")


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # (name, kind, value as the page offers it)
    buttons: list[tuple[str, str]] = field(default_factory=list)  # named submit buttons (name, value)


class Page(HTMLParser):
    """What the crawl needs of a page: its language, links, forms, and the text a person reads (by text
    node; <code>, <script> and <style> left out; labels for the ear: aria-label, alt, placeholder, title)."""

    def __init__(self, url: str):
        super().__init__(convert_charrefs=True)
        self.url, self.lang, self.links, self.forms, self.texts = url, "", [], [], []
        self._skip, self._form, self._select, self._textarea, self._option = 0, None, None, None, None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "html":
            self.lang = a.get("lang", "")
        if tag in ("script", "style", "code"):
            self._skip += 1
        for name in ("aria-label", "alt", "placeholder", "title"):
            if a.get(name):
                self.texts.append(a[name])
        if tag == "a" and a.get("href") and not a["href"].startswith("#"):  # not a place on the same page
            self.links.append(urljoin(self.url, a["href"]))
        elif tag == "form":
            self._form = Form(urljoin(self.url, a.get("action") or self.url), (a.get("method") or "get").lower())
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in ("submit", "image"):
                self._form.buttons.append((a["name"], a.get("value", "")))
            elif kind in ("radio", "checkbox"):
                self._form.fields.append((a["name"], kind, a.get("value", "on") if "checked" in a else ""))
                if kind == "radio" and "checked" not in a:
                    self._form.fields[-1] = (a["name"], "radio-option", a.get("value", "on"))
            else:
                self._form.fields.append((a["name"], kind, a.get("value", "")))
        elif tag == "button" and a.get("name") and a.get("type", "submit") == "submit":
            self._form.buttons.append((a["name"], a.get("value", "")))
        elif tag == "select" and a.get("name"):
            self._select = [a["name"], None, None]  # name, first option, selected option
        elif tag == "option" and self._select is not None:
            self._option = a.get("value")
            if self._select[1] is None:
                self._select[1] = self._option
            if "selected" in a:
                self._select[2] = self._option
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]

    def handle_endtag(self, tag):
        if tag in ("script", "style", "code") and self._skip:
            self._skip -= 1
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None and self._form is not None:
            name, first, selected = self._select
            self._form.fields.append((name, "select", selected if selected is not None else (first or "")))
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form.fields.append((self._textarea[0], "textarea", self._textarea[1]))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data
        if not self._skip and data.strip():
            self.texts.append(" ".join(data.split()))


def parse(url: str, html: str) -> Page:
    page = Page(url)
    page.feed(html)
    page.close()
    return page


def findings(url: str, html: str) -> list[str]:
    """What a person should not read on this page: developer text, and English on a Chinese page."""
    page = parse(url, html)
    chinese = page.lang.lower().startswith("zh")
    found = []
    for text in page.texts:
        for pattern, what in DEVELOPER + (ZH_ONLY if chinese else []):
            if pattern.search(text):
                found.append(f"{what}: {text[:160]!r}")
        if chinese:
            for run in ENGLISH_RUN.findall(text):
                if not any(ok in run for ok in ALLOWED_ENGLISH):
                    found.append(f"English on a Chinese page: {run[:160]!r} in {text[:160]!r}")
    return found


# --- the crawl -------------------------------------------------------------------------------------

@dataclass
class Crawl:
    client: TestClient
    problems: list[str] = field(default_factory=list)
    pages: int = 0
    submissions: int = 0

    def look(self, what: str, response) -> Page | None:
        url = str(response.url)
        if response.status_code >= 500:
            self.problems.append(f"{response.status_code} from {what}")
            return None
        if not response.headers.get("content-type", "").startswith("text/html"):
            return None
        self.problems += [f"{what} → {urlsplit(url).path}: {f}" for f in findings(url, response.text)]
        return parse(url, response.text)


def _same_origin(url: str) -> bool:
    parts = urlsplit(url)
    return (parts.scheme, parts.netloc) == ("http", "testserver") and not parts.path.startswith(SKIP_PATHS)


def _csrf_fields(form: Form) -> dict[str, str]:
    return {name: value for name, kind, value in form.fields if CSRF.search(name)}


def _as_offered(form: Form) -> list[tuple[str, str]]:
    """The form as the page fills it: hidden values, chosen options, the first of each radio group."""
    pairs, radios = [], {}
    for name, kind, value in form.fields:
        if kind == "radio-option":
            radios.setdefault(name, value)
        elif kind == "radio" and value:
            radios[name] = value
        elif kind in ("checkbox",) and not value:
            continue
        else:
            pairs.append((name, value))
    return pairs + list(radios.items())


def variants(form: Form) -> list[tuple[str, list[tuple[str, str]]]]:
    """(a) empty, (b) every field given each piece of junk, (c) as offered with one field left out;
    the CSRF token kept in every one."""
    csrf = list(_csrf_fields(form).items())
    names = list(dict.fromkeys(n for n, _, _ in form.fields if not CSRF.search(n)))
    button = form.buttons[:1]
    out = [("empty", csrf + button)]
    out += [(f"junk {junk[:12]!r}", csrf + [(n, junk) for n in names] + button) for junk in JUNK]
    offered = _as_offered(form) + button
    step = max(1, len(names) // MAX_REMOVALS)
    for name in names[::step]:
        out.append((f"without {name}", [(n, v) for n, v in offered if n != name]))
    for extra in form.buttons[1:]:  # each named button once, as offered
        out.append((f"button {extra[0]}={extra[1]}", _as_offered(form) + [extra]))
    return out


def submit(crawl: Crawl, form: Form, label: str, pairs: list[tuple[str, str]]):
    crawl.submissions += 1
    what = f"{form.method.upper()} {urlsplit(form.action).path} ({label})"
    if form.method == "post":
        response = crawl.client.post(form.action, data=_multi(pairs))
    else:
        response = crawl.client.get(form.action, params=pairs)
    return what, response


def _multi(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for name, value in pairs:
        data.setdefault(name, []).append(value)
    return data


def _shape(form: Form) -> tuple:
    """A form met again on another page (the header's, the same case's) is sent once; the action forms
    of a case differ by what they carry hidden (the action's type)."""
    hidden = {(n, v if k == "hidden" and not CSRF.search(n) and n != "next" else "") for n, k, v in form.fields}
    return urlsplit(form.action).path, form.method, tuple(sorted(hidden)), tuple(form.buttons)


def crawl_site(client: TestClient, starts: list[str]) -> Crawl:
    """Every page linked from `starts`, every form on them sent with bad input; and the forms that only
    an answer to a form shows (the application form after a self-check, a case's next step), once each."""
    crawl = Crawl(client)
    seen, queue, forms_done, answers = set(), deque(starts), set(), {}

    def send_all(url: str, form: Form, harvest: bool) -> None:
        path = urlsplit(form.action).path
        if path.startswith("/logout") or not _same_origin(form.action) or _shape(form) in forms_done:
            return
        forms_done.add(_shape(form))
        for label, pairs in variants(form):
            what, response = submit(crawl, form, label, _fresh_csrf(client, url, form, pairs))
            answer = crawl.look(what, response)
            if answer is None or not harvest:
                continue
            queue.extend(link for link in answer.links if _same_origin(link))
            for found in answer.forms:
                answers.setdefault(urlsplit(found.action).path, (str(response.url), found))

    while queue and crawl.pages < MAX_PAGES:
        url = queue.popleft()
        key = urlsplit(url)._replace(fragment="").geturl()
        if key in seen:
            continue
        seen.add(key)
        crawl.pages += 1
        page = crawl.look(f"GET {urlsplit(url).path}", client.get(url))
        if page is None:
            continue
        queue.extend(link for link in page.links if _same_origin(link))
        for form in page.forms:
            send_all(url, form, harvest=True)
        if not queue:  # the pages are done: the forms only answers showed, without harvesting theirs
            for where, form in list(answers.values()):
                send_all(where, form, harvest=False)
            answers.clear()
    return crawl


def _fresh_csrf(client: TestClient, url: str, form: Form, pairs):
    """A sign-in form's token is good for one try: read it again from the page before each send."""
    if urlsplit(form.action).path != "/login":
        return pairs
    page = parse(url, client.get(url).text)
    again = next((f for f in page.forms if urlsplit(f.action).path == "/login"), None)
    fresh = _csrf_fields(again) if again else {}
    return [(n, fresh.get(n, v)) if CSRF.search(n) else (n, v) for n, v in pairs]


# --- fixtures and tests ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_city(tmp_path_factory):
    from hukou.cli.demo import build
    from hukou.store.database import connect

    path = tmp_path_factory.mktemp("crawl") / "demo.sqlite"
    build(f"sqlite:///{path}", residents=2000)
    connect(f"sqlite:///{path}").dispose()
    return path


def _client(demo_city, tmp_path, lang: str) -> TestClient:
    from hukou.api.app import create_app

    copy = tmp_path / "site.sqlite"
    for part in demo_city.parent.glob(demo_city.name + "*"):  # the database with its -wal and -shm
        shutil.copyfile(part, copy.parent / part.name.replace(demo_city.name, copy.name))
    client = TestClient(create_app(database=f"sqlite:///{copy}"), raise_server_exceptions=False,
                        headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})  # as a browser asks
    client.get(f"/lang/{lang}")
    return client


def _sign_in(client: TestClient, username: str, password: str) -> str:
    """Sign in through the page's own form; an officer then chooses a purpose as the page offers it.
    Returns where sign-in landed."""
    login = parse(f"{ORIGIN}/login", client.get("/login").text)
    form = next(f for f in login.forms if urlsplit(f.action).path == "/login")
    data = dict(_as_offered(form))
    data.update(username=username, password=password)
    landed = client.post("/login", data=data)
    assert "/login" not in str(landed.url), f"{username} not signed in: {landed.status_code}"
    page = parse(str(landed.url), landed.text)
    chooser = next((f for f in page.forms if urlsplit(f.action).path == "/purpose"), None)
    if chooser is not None:
        landed = client.post(chooser.action, data=_multi(_as_offered(chooser)))
    return str(landed.url)  # a 5xx here is found again by the crawl, which starts from it


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("role", list(ROLES), ids=lambda r: r or "anonymous")
def test_no_bad_input_gives_a_5xx_or_developer_text(demo_city, tmp_path, role, lang):
    client = _client(demo_city, tmp_path, lang)
    starts = [f"{ORIGIN}/"]
    if ROLES[role] is not None:
        starts.append(_sign_in(client, *ROLES[role]))
    if role in APPLYING:  # where an applicant or a station's counter starts an application
        starts.append(f"{ORIGIN}/apply")
    crawl = crawl_site(client, starts)
    assert crawl.pages >= 3 and crawl.submissions >= 10, (crawl.pages, crawl.submissions)
    problems = list(dict.fromkeys(crawl.problems))
    assert not problems, f"{len(problems)} problem(s) as {role or 'anonymous'} in {lang}:\n" + "\n".join(problems[:60])


def test_the_checks_catch_what_they_are_for():
    page = ('<html lang="zh-CN"><body><p>data.reason: expected a date</p><p>None</p>'
            '<p>{name}</p><p>This is an English sentence here</p><code>no Chinese needed inside code</code>'
            '<p>身份号码 652301199001011234</p></body></html>')
    found = "\n".join(findings(f"{ORIGIN}/", page))
    for what in ("a field path", "'expected", "None or null", "unformatted template", "English on a Chinese page"):
        assert what in found, what
    assert "inside code" not in found and "6523" not in found
    assert findings(f"{ORIGIN}/", '<html lang="en"><p>This is an English sentence here</p></html>') == []

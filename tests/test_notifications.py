"""Notifications through the outbox: who is told of what and in which words (notify/), the rows
written in the action's own transaction (and rolled back with it), no second message for a replayed
submission, the dispatcher sending each message exactly once even when two run at once (SQLite and
PostgreSQL), retries of a failing channel, the SMS gateway over HTTP, and the inbox page in zh/en."""

from __future__ import annotations

import json
import re
import threading
import time
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from casework_people import CHILD, T0, WANG, ZHAO, a1, a2, act, decision, p1, run, submission, then, wang
from hukou.api.app import create_app
from hukou.cases import case as C
from hukou.i18n import localized
from hukou.notify.messages import message, text as message_text
from hukou.notify.rules import CONSENT_AWAITED, Notice as N_, notices
from hukou.policies import load
from hukou.services import notifications as N
from hukou.services.casework import Application, Casework
from hukou.store import notifications_outbox as outbox
from hukou.store.database import connect, migrate
from hukou.store.unit_of_work import UnitOfWork
from hukou.store.users import create_user
from hukou.web.session import csrf_token

NOW = datetime(2020, 3, 2, 9, 0)
FACTS = {"birth_date": "1990-03-07", "hukou": {"place": "622425", "urban": False},
         "residence": [{"from": "2015-03-01", "to": None, "place": "652301001", "urban": True}],
         "housing": {"kind": "rented", "registered": True}, "employment": [{"from": "2015-03-01", "to": None}],
         "education": [], "qualifications": []}
SPOUSE = {"relation": "spouse", "id_number": ZHAO, "name": "赵六"}


class Recorder:
    """A channel that keeps what it was given (and can be told to fail)."""

    name, lang = "inbox", "zh"

    def __init__(self, fail: str = "", pause: float = 0.0):
        self.sent: list[tuple[str, str, str]] = []
        self.fail, self.pause, self.lock = fail, pause, threading.Lock()

    def send(self, recipient: str, text_: str, lang: str) -> str:
        if self.pause:
            time.sleep(self.pause)
        if self.fail:
            raise N.ChannelError(self.fail)
        with self.lock:
            self.sent.append((recipient, text_, lang))
        return "ok"


def _casework(url: str) -> Casework:
    engine = connect(url)
    migrate(engine)
    return Casework(engine, load("changji-2018"), channels=("inbox",))


@pytest.fixture()
def cw(tmp_path):
    return _casework(f"sqlite:///{tmp_path / 'n.sqlite'}")


def _submit(cw: Casework, viewer=wang, followers=(SPOUSE,), key="k1", at=NOW, **more) -> C.Case:
    case, _ = cw.submit(viewer, Application("settlement", "652301001", FACTS, tuple(followers), consent={}, **more),
                        key, at)
    return case


def _rows(cw: Casework) -> list[tuple]:
    with cw.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT case_id, seq, event, recipient, channel, sent_at, attempts, last_error FROM notifications ORDER BY id"))]


# --- who is told of what, in which words (pure) ----------------------------------------------------

def test_the_applicant_hears_of_each_step_and_each_adult_follower_of_the_submission():
    c = run("settlement", act(C.SUBMITTED, wang, 0, **submission(("spouse", ZHAO, "赵六"), ("child", CHILD, "王小"))))
    assert notices(c, 1, T0.date()) == [N_(1, C.SUBMITTED, WANG), N_(1, CONSENT_AWAITED, ZHAO)]  # not the minor son
    c = then(c, act(C.CONSENT_RECORDED, wang, 1, party="applicant", id_number=WANG))
    assert notices(c, 2, T0.date()) == []  # a consent is no step of the applicant's
    for step in (act(C.ACCEPTED, p1, 2), act(C.REVIEWED, p1, 3)):
        c = then(c, step)
    assert [n.event for n in notices(c, 3, T0.date())] == [C.ACCEPTED] and notices(c, 4, T0.date()) == []
    # a decision against the verdict is told when it takes effect: with its second approval
    c = then(c, act(C.APPROVED, a1, 5, reason="checked", **decision("ineligible")))
    assert notices(c, 5, T0.date()) == []
    c = then(c, act(C.SECOND_APPROVAL, a2, 6, decision=5))
    assert notices(c, 6, T0.date()) == [N_(6, C.APPROVED, WANG)]
    c = run("settlement", act(C.SUBMITTED, wang, 0, **submission()), act(C.MATERIALS_REQUESTED, p1, 1, items=["housing"]))
    assert notices(c, 2, T0.date()) == [N_(2, C.MATERIALS_REQUESTED, WANG)]


def test_the_words_name_the_case_and_its_step_in_zh_and_en_and_nothing_personal():
    c = run("settlement", act(C.SUBMITTED, wang, 0, **submission(("spouse", ZHAO, "赵六"))))
    c = C.Case(c.id, c.kind, c.actions, "昌落2019-000007")
    zh, en = message_text(c, 1, C.SUBMITTED, "zh"), message_text(c, 1, C.SUBMITTED, "en")
    assert "案件昌落2019-000007" in zh and "5个工作日内（2019-09-27前）受理" in zh and "我的申请" in zh
    assert "Case 昌落2019-000007: your settlement application has been received. By 2019-09-27" in en
    follower = message_text(c, 1, CONSENT_AWAITED, "zh")
    assert "落户自愿" in follower and "持身份证到派出所签字" in follower
    for said in (zh, en, follower):
        assert "王五" not in said and "赵六" not in said and WANG not in said and ZHAO not in said
    c = then(c, act(C.MATERIALS_REQUESTED, p1, 1, items=["housing"]))
    assert "housing" not in localized(message(c, 2, C.MATERIALS_REQUESTED), "en")  # the list stays on the case page
    rejected = run("settlement", act(C.SUBMITTED, wang, 0, **submission()), act(C.ACCEPTED, p1, 1),
                   act(C.REVIEWED, p1, 2), act(C.REJECTED, a1, 3, **decision("ineligible", failed_rule="no_route")))
    assert "行政复议" in message_text(rejected, 4, C.REJECTED, "zh")


# --- writing: in the action's transaction ----------------------------------------------------------

def test_the_rows_are_written_with_the_action_and_rolled_back_with_it(cw, monkeypatch):
    case = _submit(cw)
    rows = _rows(cw)
    assert [(r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows] == [
        (1, C.SUBMITTED, WANG, "inbox", None, 0), (1, CONSENT_AWAITED, ZHAO, "inbox", None, 0)]
    assert rows[0][0] == case.id

    def broken(self):
        raise RuntimeError("the database went away at the commit")

    monkeypatch.setattr(UnitOfWork, "commit", broken)
    with pytest.raises(RuntimeError):
        cw.act(p1, case.id, C.ACCEPTED, {}, case.version, NOW + timedelta(hours=1))
    monkeypatch.undo()
    assert len(_rows(cw)) == 2  # no acceptance, no message of it
    view = cw.act(p1, case.id, C.ACCEPTED, {}, case.version, NOW + timedelta(hours=2))
    assert [r[2] for r in _rows(cw)] == [C.SUBMITTED, CONSENT_AWAITED, C.ACCEPTED]
    assert _rows(cw)[-1][1] == view.case.version


def test_a_replayed_submission_makes_no_second_notification(cw):
    first = _submit(cw, key="same")
    again = _submit(cw, key="same", at=NOW + timedelta(seconds=1))
    assert again.id == first.id
    assert [(r[2], r[3]) for r in _rows(cw)] == [(C.SUBMITTED, WANG), (CONSENT_AWAITED, ZHAO)]


def test_a_refused_action_writes_no_notification(cw):
    case = _submit(cw, followers=())
    with pytest.raises(C.CaseError):
        cw.act(p1, case.id, C.REVIEWED, {}, case.version, NOW)  # not accepted yet
    assert [r[2] for r in _rows(cw)] == [C.SUBMITTED]


def test_no_channel_configured_no_rows(tmp_path):
    cw = _casework(f"sqlite:///{tmp_path / 'off.sqlite'}")
    cw.channels = ()
    _submit(cw)
    assert _rows(cw) == []
    assert N.configured_channels({}) == ("inbox",)
    assert N.configured_channels({"HUKOU_SMS_URL": "http://gw"}) == ("inbox", "sms")
    assert N.configured_channels({"HUKOU_NOTIFY_CHANNELS": ""}) == ()
    with pytest.raises(Exception, match="HUKOU_NOTIFY_CHANNELS"):
        N.configured_channels({"HUKOU_NOTIFY_CHANNELS": "pigeon"})


# --- sending ---------------------------------------------------------------------------------------

def test_the_dispatcher_sends_each_row_once_and_marks_it(cw):
    case = _submit(cw)
    ch = Recorder()
    done = N.dispatch(cw.engine, ch, NOW + timedelta(seconds=5))
    assert (done.sent, done.failed) == (2, 0)
    assert sorted(r for r, _, _ in ch.sent) == sorted([WANG, ZHAO])
    assert all(r[5] is not None and r[6] == 1 and r[7] is None for r in _rows(cw))
    assert any(case.number in said for _, said, _ in ch.sent)
    assert N.dispatch(cw.engine, ch, NOW + timedelta(seconds=10)).sent == 0 and len(ch.sent) == 2


def _two_dispatchers_send_each_once(cw: Casework, cases: int = 20) -> None:
    for i in range(cases):
        _submit(cw, key=f"k{i}", at=NOW + timedelta(seconds=i))
    expected = {(r[0], r[1], r[3]) for r in _rows(cw)}
    assert len(expected) == 2 * cases
    ch = Recorder(pause=0.002)
    errors: list[BaseException] = []

    def work():
        try:
            while N.dispatch(cw.engine, ch, NOW + timedelta(minutes=1), batch=3).sent:
                pass
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert len(ch.sent) == 2 * cases  # every message once: none lost, none twice
    assert sorted(r for r, _, _ in ch.sent) == sorted(r for _, _, r in expected)
    assert all(r[5] is not None and r[6] == 1 for r in _rows(cw))


def test_two_dispatchers_at_once_send_each_message_exactly_once_on_sqlite(cw):
    _two_dispatchers_send_each_once(cw)


def test_two_dispatchers_at_once_send_each_message_exactly_once_on_postgres(postgres_url):
    cw = _casework(postgres_url)
    try:
        _two_dispatchers_send_each_once(cw)
    finally:
        cw.engine.dispose()


def test_a_failing_channel_is_retried_later_with_its_error_recorded(cw):
    _submit(cw, followers=())
    failing = Recorder(fail="the SMS gateway answered HTTP 503")
    done = N.dispatch(cw.engine, failing, NOW)
    assert (done.sent, done.failed, done.errors) == (0, 1, ["the SMS gateway answered HTTP 503"])
    (row,) = _rows(cw)
    assert (row[5], row[6], row[7]) == (None, 1, "the SMS gateway answered HTTP 503")
    ok = Recorder()
    assert N.dispatch(cw.engine, ok, NOW + timedelta(seconds=10)).sent == 0  # it waits before the next try
    assert N.dispatch(cw.engine, ok, NOW + outbox.FIRST_PAUSE).sent == 1
    (row,) = _rows(cw)
    assert row[5] is not None and (row[6], row[7]) == (2, None)


def test_a_row_is_given_up_after_the_last_attempt(cw):
    _submit(cw, followers=())
    failing = Recorder(fail="down")
    at = NOW
    for n in range(outbox.MAX_ATTEMPTS):
        at = NOW + outbox.FIRST_PAUSE * (2 ** n - 1)
        assert N.dispatch(cw.engine, failing, at).failed == 1
    assert N.dispatch(cw.engine, failing, at + timedelta(days=30)).failed == 0
    assert _rows(cw)[0][6] == outbox.MAX_ATTEMPTS and outbox.pending(cw.engine) == {"inbox": 1}


class _Gateway(BaseHTTPRequestHandler):
    received: list = []
    status = 200

    def do_POST(self):  # noqa: N802 - the http.server API
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Gateway.received.append((self.headers["Content-Type"], json.loads(body)))
        self.send_response(_Gateway.status)
        self.end_headers()
        self.wfile.write(b'{"id": "sms-1"}')

    def log_message(self, *args):
        pass


def test_the_sms_gateway_gets_one_post_per_message_and_a_refusal_is_a_failure(cw):
    server = HTTPServer(("127.0.0.1", 0), _Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        sms = N.channel("sms", {"HUKOU_SMS_URL": f"http://127.0.0.1:{server.server_port}/send"})
        assert sms.send(WANG, "案件…", "zh") == "sms-1"
        kind, body = _Gateway.received[-1]
        assert kind.startswith("application/json") and body == {"id_number": WANG, "text": "案件…", "lang": "zh"}
        _Gateway.status = 500
        with pytest.raises(N.ChannelError, match="HTTP 500"):
            sms.send(WANG, "x", "zh")
    finally:
        _Gateway.status = 200
        server.shutdown()
    with pytest.raises(N.ChannelError, match="did not answer"):
        N.SmsGatewayChannel(f"http://127.0.0.1:{server.server_port}/send", timeout=1).send(WANG, "x", "zh")
    with pytest.raises(Exception, match="HUKOU_SMS_URL"):
        N.channel("sms", {})


# --- the inbox -------------------------------------------------------------------------------------

def _signed_in(client: TestClient, username: str, password: str) -> None:
    page = client.get("/login").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    assert client.post("/login", data={"username": username, "password": password, "csrf": csrf},
                       follow_redirects=False).status_code == 303


def test_the_inbox_shows_the_messages_newest_first_in_zh_and_en_and_counts_the_new(tmp_path):
    url = f"sqlite:///{tmp_path / 'inbox.sqlite'}"
    app = create_app(database=url)
    client = TestClient(app)
    cw = app.state.casework()
    for username, number in (("wang", WANG), ("zhao", ZHAO)):
        create_user(cw.engine, username, f"{username}-password", "applicant", display_name=username, id_number=number)
    case = _submit(cw)
    case = cw.act(p1, case.id, C.ACCEPTED, {}, case.version, NOW + timedelta(days=1)).case
    N.send_all(cw.engine, [N.InboxChannel()])
    _signed_in(client, "wang", "wang-password")
    home = client.get("/").text
    assert 'id="inbox-unread"' in home and ">2</span>" in home
    page = client.get("/notifications").text
    texts = re.findall(r'<p class="message-text">([^<]+)</p>', page)
    assert len(texts) == 2 and "已受理" in texts[0] and "已提交" in texts[1]  # newest first
    assert case.number in texts[0] and WANG not in page and ZHAO not in page
    assert 'id="inbox-unread"' not in client.get("/").text  # seen
    client.cookies.set("hukou_lang", "en")
    english = client.get("/notifications").text
    assert "the police station accepted your settlement application" in english
    # the follower hears only of the submission, and only what consent needs
    client.cookies.delete("hukou_lang")
    client.post("/logout", data={"csrf": csrf_token(client.cookies.get("hukou_session"))})
    _signed_in(client, "zhao", "zhao-password")
    texts = re.findall(r'<p class="message-text">([^<]+)</p>', client.get("/notifications").text)
    assert len(texts) == 1 and "落户自愿" in texts[0]


def test_officers_have_no_inbox(tmp_path):
    app = create_app(database=f"sqlite:///{tmp_path / 'o.sqlite'}")
    client = TestClient(app)
    create_user(app.state.casework().engine, "p1", "p1-password", "police_station", "652301001")
    _signed_in(client, "p1", "p1-password")
    r = client.get("/notifications")
    assert r.status_code == 403 and 'id="nav-inbox"' not in r.text

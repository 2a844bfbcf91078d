"""The message catalogue: every message of the package has its Chinese, the catalogue's template is
current, and a message reaches people in their language (API problems by Accept-Language, the
self-check page by the page's language) with the field unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from hukou.api.app import create_app
from hukou.i18n import Msg, catalogue, lang_of_header, localized, placeholders

SRC = Path(__file__).resolve().parents[1] / "src" / "hukou"
I18N = SRC / "i18n"


def _extracted() -> set[str]:
    found = extract_from_dir(str(SRC), method_map=[("**.py", "python")], keywords={"Msg": None})
    return {message if isinstance(message, str) else message[0] for _, _, message, _, _ in found}


def test_every_message_has_a_chinese_translation_with_the_same_values():
    zh = catalogue("zh")
    messages = _extracted()
    assert len(messages) >= 30
    missing = sorted(m for m in messages if not zh.get(m))
    assert not missing, f"untranslated (run `make messages`, then translate in {I18N}/locale/zh): {missing}"
    for msgid in messages:
        assert placeholders(zh[msgid]) <= placeholders(msgid), (msgid, zh[msgid])


def test_the_template_lists_exactly_the_messages_of_the_code():
    with (I18N / "hukou.pot").open("rb") as f:
        template = {m.id for m in read_po(f) if m.id}
    assert template == _extracted(), "run `make messages`"


def test_a_message_is_rendered_in_each_language_from_its_values():
    m = Msg("expected a real calendar date YYYY-MM-DD (got {got!r})", got="2019-02-30")
    assert m == "expected a real calendar date YYYY-MM-DD (got '2019-02-30')"  # a str: callers keep working
    assert localized(m, "zh") == "日历上没有“2019-02-30”这一天，请核对年、月、日。"
    assert localized(m, "en") == str(m)
    assert localized("required", "zh") == "此项必填。"  # a constant message is its own msgid
    assert localized("no such message here", "zh") == "no such message here"
    import pickle

    assert pickle.loads(pickle.dumps(m)).localized("zh") == localized(m, "zh")


@pytest.mark.parametrize("header, lang", [("zh-CN,zh;q=0.9,en;q=0.8", "zh"), ("en-US,en;q=0.9", "en"),
                                          ("fr, zh;q=0.5", "zh"), ("zh;q=0, en", "en"), ("", "en"), (None, "en"),
                                          ("de", "en"), ("EN-gb", "en"), ("zh-Hant-TW", "zh"), ("*", "en")])
def test_the_language_of_an_accept_language_header(header, lang):
    assert lang_of_header(header) == lang


@pytest.fixture()
def client(tmp_path):
    return TestClient(create_app(database=f"sqlite:///{tmp_path / 'm.sqlite'}"), raise_server_exceptions=False)


FACTS = {"birth_date": "2019-02-30", "hukou": {"place": "622425", "urban": False}}


@pytest.mark.parametrize("facts, field, zh", [
    (FACTS, "birth_date", "日历上没有“2019-02-30”这一天，请核对年、月、日。"),
    ({**FACTS, "birth_date": "1990-01-01", "hukou": {"place": "", "urban": False}}, "hukou.place", "此项必填。"),
    ({**FACTS, "birth_date": "1990-01-01",
      "residence": [{"from": "2020-01-01", "to": "2019-01-01", "place": "652301003"}]},
     "residence[0]", "结束日期不能早于开始日期。"),
])
def test_api_problems_speak_the_readers_language_and_keep_the_field(client, facts, field, zh):
    english = client.post("/api/v1/eligibility", json=facts)
    chinese = client.post("/api/v1/eligibility", json=facts, headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert english.status_code == chinese.status_code == 422
    assert english.json()["field"] == chinese.json()["field"] == field
    assert chinese.json()["detail"] == zh and chinese.json()["title"] == "填写的内容有误"
    assert english.json()["title"] == "Invalid input" and english.json()["detail"] == localized(english.json()["detail"], "en")
    assert english.json()["detail"] != zh


def test_the_self_check_says_a_bad_date_in_plain_chinese(client):
    client.get("/lang/zh")
    page = client.post("/check", data={"birth_date": "2019-02-30", "hukou_place": "622425", "hukou_urban": "false"})
    assert page.status_code == 422
    assert "日历上没有“2019-02-30”这一天" in page.text
    assert "expected" not in page.text and "required" not in page.text


@pytest.mark.parametrize("env, lang", [({"LANG": "zh_CN.UTF-8"}, "zh"), ({"LANG": "en_US.UTF-8"}, "en"),
                                       ({"LANG": "C.UTF-8"}, "en"), ({}, "en"),
                                       ({"LANGUAGE": "zh_CN:en", "LANG": "en_US.UTF-8"}, "zh"),
                                       ({"LC_ALL": "C", "LANG": "zh_CN.UTF-8"}, "en")])
def test_the_language_of_the_command_line_is_the_locale(env, lang):
    from hukou.i18n import lang_of_environment

    assert lang_of_environment(env) == lang


def test_the_command_line_says_an_input_error_in_the_users_language(tmp_path):
    import os
    import subprocess
    import sys

    bad = tmp_path / "bad.yaml"
    bad.write_text('birth_date: 2019-02-30\nhukou: {place: "622425", urban: false}\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG"))}
    run = [sys.executable, "-m", "hukou", "check", str(bad)]
    chinese = subprocess.run(run, capture_output=True, text=True, env={**env, "LANG": "zh_CN.UTF-8"})
    english = subprocess.run(run, capture_output=True, text=True, env={**env, "LANG": "C.UTF-8"})
    assert chinese.returncode == english.returncode == 2
    assert chinese.stderr.strip() == f"错误：{bad}: birth_date: 日历上没有“2019-02-30”这一天，请核对年、月、日。"
    assert english.stderr.strip() == f"error: {bad}: birth_date: expected a real calendar date YYYY-MM-DD (got '2019-02-30')"

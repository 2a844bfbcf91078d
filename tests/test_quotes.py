"""The law beside the code, word for word: the plan's text ships, every quote is found in the text it
is attributed to (lint L9), and every reason of a verdict carries its basis with a quote that passes."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from hukou.policies import load, load_path, read_document, read_source_text, shipped
from hukou.policy import citations
from hukou.policy.lint import CODES, lint
from hukou.policy.policy_file import Cite
from hukou.policy.source_text import NOTICE, is_verbatim, normalise, numeral
from hukou.policy.verdict import check

PLAN = load("changji-2018")
PLAN_TEXT = PLAN.texts["plan"]
REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "plan-changji-2018-67.txt"
EXAMPLES_FOLDER = Path(__file__).resolve().parents[1] / "docs" / "examples"


@pytest.mark.parametrize("name", shipped())
def test_every_shipped_policy_passes_l9(name):
    assert [p.line() for p in lint(load(name)) if p.code == "L9"] == []


def test_the_shipped_plan_is_the_published_text_unchanged():
    from importlib import resources

    shipped_text = resources.files("hukou.policies").joinpath("texts", "plan-changji-2018-67.txt").read_text("utf-8")
    if REFERENCE.exists():
        assert shipped_text == REFERENCE.read_text("utf-8")
    assert "租货补贴" in shipped_text and "成镇" in shipped_text  # its own typos, kept


def test_the_plan_reads_as_its_notice_and_nineteen_clauses_in_order():
    assert list(PLAN_TEXT.clauses) == [NOTICE] + [f"§{numeral(n)}" for n in range(1, 20)]
    assert PLAN_TEXT.clause("§四").title == "全面放开放宽重点群体落户限制"
    assert PLAN_TEXT.clause("§五").title == "调整完善落户政策"
    # §九 and §十 share one line in the published text: each is its own clause
    assert PLAN_TEXT.clause("§九").text.endswith("(市发改委、财政局按职责分工负责)")
    assert PLAN_TEXT.clause("§十").text.startswith("(十)维护进城落户农民“三权”")
    # the last clause stops where the distribution list begins; §三 keeps its closing paragraph
    assert PLAN_TEXT.clause("§十九").text.endswith("(市审计局牵头负责)")
    assert PLAN_TEXT.clause("§三").text.endswith("如期完成。")
    assert PLAN_TEXT.part("§二(二)1").title == "统筹安排,协同推进"
    assert PLAN_TEXT.part("§二3").text.endswith("不分配指标、不层层加码。")


def test_one_changed_character_of_one_quote_fails_l9(tmp_path):
    text = (Path(__file__).resolve().parents[1] / "src" / "hukou" / "policies" / "changji-2018.yaml").read_text("utf-8")
    copy = tmp_path / "changji-copy.yaml"
    assert text.count("quote: 全面放开对高校毕业生") == 1
    copy.write_text(text.replace("quote: 全面放开对高校毕业生", "quote: 全面放开对大学毕业生"), "utf-8")
    problems = lint(load_path(copy))
    assert [(p.code, p.path) for p in problems] == [("L9", "rules.talent")]
    assert "全面放开对⟨大学毕业生" in problems[0].message


def test_a_quote_found_in_another_clause_names_where_it_is():
    finding = citations.check(PLAN, Cite(clause="§五", quote="新生代农民工"))
    assert finding.status == "misquote" and "§四" in finding.message


def test_width_of_punctuation_and_white_space_are_ignored_and_parts_must_keep_their_order():
    passage = PLAN_TEXT.passage("§五")
    assert is_verbatim("不得采取购买房屋、投资纳税等方式设置落户限制，落户条件中", passage)  # ， for ,
    assert is_verbatim("不得采取购买房屋、投资纳税\n 等方式设置落户限制", passage)
    assert is_verbatim("坚决取消……不得超过2年", passage)
    assert not is_verbatim("不得超过2年……坚决取消", passage)
    assert normalise("（含租赁）“被落户”") == normalise('(含租赁)"被落户"')


VERBATIM = [q for q in citations.quotes(PLAN) if not q.title and citations.check(PLAN, q.cite).status == "verbatim"]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(VERBATIM), st.data())
def test_any_one_character_changed_in_any_checked_quote_is_a_misquote(quoted, data):
    quote = quoted.cite.quote
    positions = [i for i, ch in enumerate(quote) if "\u4e00" <= ch <= "\u9fff"]
    i = data.draw(st.sampled_from(positions))
    replacement = data.draw(st.sampled_from("甲乙丙丁戊己庚辛壬癸").filter(lambda c: c != quote[i]))
    changed = Cite(clause=quoted.cite.clause, quote=quote[:i] + replacement + quote[i + 1:], document=quoted.cite.document)
    assert citations.check(PLAN, changed).status == "misquote", quoted.path


def test_the_lint_codes_quote_the_plan_word_for_word():
    for code, c in CODES.items():
        if c.quote:
            assert c.cite.startswith("§"), code
            assert is_verbatim(c.quote, PLAN_TEXT.passage(c.cite)), code


def test_a_quote_of_a_passage_whose_text_is_not_shipped_is_listed_not_passed(capsys):
    finding = citations.check(PLAN, PLAN.parameters["residence_permit.issue_days"].cite)
    assert finding.status == "unchecked" and "第九条" in finding.message
    out = subprocess.run([sys.executable, "-m", "hukou", "policy", "lint", "changji-2018"], capture_output=True, text=True)
    assert out.returncode == 0 and "not checked" in out.stdout and "第九条" in out.stdout


def test_a_city_names_its_own_plans_text_beside_its_file(tmp_path):
    (tmp_path / "my-plan.txt").write_text("某市实施方案\n(一)总体要求。本地和外地一视同仁。\n(二)落户条件。有合法稳定住所的可以落户。\n", "utf-8")
    data = read_document((EXAMPLES_FOLDER / "example-city.yaml").read_text("utf-8"), "example")
    data["sources"]["plan"]["text"] = "my-plan.txt"
    own = tmp_path / "city.yaml"
    own.write_text(json.dumps(data, ensure_ascii=False, default=str), "utf-8")
    policy = load_path(own)
    assert list(policy.texts["plan"].clauses) == [NOTICE, "§一", "§二"]
    assert any(p.code == "L9" for p in lint(policy))  # its quotes are not in that text
    with pytest.raises(Exception, match="no text named"):
        read_source_text("missing.txt", "x", "y", tmp_path)


PEOPLE = sorted((Path(__file__).resolve().parents[1] / "src" / "hukou" / "examples").glob("*.yaml"))


@pytest.mark.parametrize("path", PEOPLE, ids=lambda p: p.stem)
def test_every_reason_of_the_check_command_carries_a_basis_whose_quote_passes_l9(path):
    out = subprocess.run([sys.executable, "-m", "hukou", "check", str(path), "--date", "2019-03-01", "--format", "json"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    verdict = json.loads(out.stdout)
    reasons = verdict["settlement"]["reasons"] + verdict["residence_permit"]["reasons"]
    assert reasons
    for r in reasons:
        b = r["basis"]
        assert set(b) == {"document", "title", "clause", "quote", "pending"} and b["quote"] and b["title"], r["rule"]
        assert b["pending"] is None
        assert citations.check(PLAN, Cite(clause=b["clause"], quote=b["quote"], document=b["document"])).status == "verbatim", r
    general = next(r for r in reasons if r["rule"] == "general.legal_stable_residence")
    assert general["cite"] == "§五" and general["basis"]["document"] == "国发〔2014〕25号"


def test_the_api_returns_the_basis_and_the_web_verdict_folds_it():
    from hukou.api.app import create_app

    client = TestClient(create_app(), raise_server_exceptions=False)
    facts = {"birth_date": "1992-04-18", "hukou": {"place": "622425", "urban": False},
             "residence": [{"from": "2015-03-01", "place": "652301003", "urban": True}],
             "housing": {"kind": "rented", "registered": True}, "education": [], "qualifications": []}
    r = client.post("/api/v1/eligibility?date=2019-03-01", json=facts)
    assert r.status_code == 200
    reasons = r.json()["settlement"]["reasons"]
    assert r.json() == check(facts, date(2019, 3, 1), PLAN)
    assert all(x["basis"]["quote"] for x in reasons)
    page = client.post("/check", data={"birth_date": "1992-04-18", "hukou.place": "622425", "hukou.urban": "rural",
                                       "education.state": "some", "education.0.level": "bachelor",
                                       "education.0.admitted": "2010-09-01", "education.0.graduated": "2014-06-30",
                                       "date": "2019-03-01"})
    assert page.status_code == 200
    assert '<details class="basis"><summary>依据：昌市政办发〔2018〕67号 §四</summary>' in page.text
    assert "《昌吉市贯彻落实国务院推动1亿非户籍人口在城市落户的实施方案》" in page.text
    assert "全面放开对高校毕业生、技术工人、职业院校毕业生、留学归国人员的落户限制" in page.text

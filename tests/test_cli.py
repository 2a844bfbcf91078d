"""The command line, run as a user runs it: a real process, its output and its exit status."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CASES, TESTS

EXAMPLES = TESTS.parent / "src" / "hukou" / "examples"
EXAMPLE_CITY = TESTS.parent / "docs" / "examples" / "example-city.yaml"


def hukou(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hukou", *args], input=stdin, capture_output=True, text=True, timeout=60)


def test_check_json_verdict():
    r = hukou("check", str(EXAMPLES / "2-returned-overseas-graduate.yaml"), "--date", "2019-03-01")
    assert r.returncode == 0, r.stderr
    v = json.loads(r.stdout)
    assert v["date"] == "2019-03-01" and v["policy"] == "changji-2018"
    assert (v["settlement"]["status"], v["settlement"]["route"], v["settlement"]["household"]) == ("eligible", "talent", "collective")
    assert v["residence_permit"]["status"] == "ineligible"


def test_check_text_in_both_languages():
    zh = hukou("check", str(EXAMPLES / "1-renting-migrant-worker.yaml"), "--date", "2019-03-01", "--format", "text")
    en = hukou("check", str(EXAMPLES / "1-renting-migrant-worker.yaml"), "--date", "2019-03-01", "--format", "text", "--lang", "en")
    assert zh.returncode == en.returncode == 0
    assert "落户: 符合条件" in zh.stdout and "一般落户" in zh.stdout and "[§五]" in zh.stdout
    assert "Settlement: eligible" in en.stdout and "legal stable residence" in en.stdout


def test_check_reads_json_from_stdin():
    facts = {"birth_date": "1990-01-01", "hukou": {"place": "622425", "urban": False}}
    r = hukou("check", "-", "--date", "2019-03-01", stdin=json.dumps(facts))
    assert r.returncode == 0
    assert json.loads(r.stdout)["settlement"]["missing"] == ["education", "qualifications", "housing", "residence"]


def test_check_with_another_citys_policy_file():
    facts = {"birth_date": "1990-01-01", "hukou": {"place": "622425", "urban": False},
             "residence": [{"from": "2019-01-01", "place": "659999001", "urban": True}], "housing": {"kind": "owned"},
             "employment": [{"from": "2019-01-01"}], "social_insurance": [{"from": "2019-01"}], "education": [], "qualifications": []}
    r = hukou("check", "-", "--date", "2019-12-01", "--policy", str(EXAMPLE_CITY), stdin=json.dumps(facts))
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["policy"] == "example-city-2019"


@pytest.mark.parametrize("facts,needle", [
    ('{"hukou": {"place": "622425", "urban": false}}', "birth_date: required"),
    ('{"birth_date": "1990-01-01"}', "hukou: required"),
    ('{"birth_date": "1990-02-30", "hukou": {"place": "622425", "urban": false}}', "birth_date: expected a real calendar date"),
    ('{"birth_date": "1990-01-01", "hukou": {"place": "622425", "urban": false}, "housing": {"kind": "castle"}}', "housing.kind: expected one of"),
    ('{"birth_date": "1990-01-01", "hukou": {"place": "622425", "urban": false}, "education": [{"level": "phd", "admitted": "2010-09-01"}]}',
     "education[0].level: expected one of"),
    ("[unclosed", "expected YAML or JSON"),
    ("just some words", "expected a mapping of facts"),
])
def test_bad_input_is_one_line_exit_2_and_no_traceback(facts, needle):
    r = hukou("check", "-", "--date", "2019-03-01", stdin=facts)
    assert r.returncode == 2
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and needle in lines[0], r.stderr
    assert "Traceback" not in r.stderr


def test_bad_date_option():
    r = hukou("check", str(EXAMPLES / "4-little-known.yaml"), "--date", "01/03/2019")
    assert r.returncode == 2 and "--date: expected a date YYYY-MM-DD" in r.stderr


def test_missing_file():
    r = hukou("check", "/nonexistent/person.yaml")
    assert r.returncode == 2 and r.stderr.startswith("error: /nonexistent/person.yaml: cannot read")


def test_policy_test_ends_with_the_count_line():
    r = hukou("policy", "test", str(CASES))
    assert r.returncode == 0, r.stdout
    last = r.stdout.strip().splitlines()[-1]
    passed, failed = last.split(", ")
    assert passed.endswith("passed") and int(passed.split()[0]) >= 80 and failed == "0 failed"


def test_policy_test_reports_failures_and_exits_1(tmp_path: Path):
    cases = tmp_path / "wrong.yaml"
    cases.write_text("- name: wrong on purpose\n  date: 2019-03-01\n"
                     "  person: {birth_date: 1990-01-01, hukou: {place: '622425', urban: false}}\n"
                     "  expect: {settlement: eligible}\n", encoding="utf-8")
    r = hukou("policy", "test", str(cases))
    assert r.returncode == 1
    assert "settlement: expected 'eligible', got 'undetermined'" in r.stdout
    assert r.stdout.strip().splitlines()[-1] == "0 passed, 1 failed"


def test_policy_test_rejects_an_unknown_expect_key(tmp_path: Path):
    cases = tmp_path / "typo.yaml"
    cases.write_text("- date: 2019-03-01\n  person: {}\n  expect: {setlement: eligible}\n", encoding="utf-8")
    r = hukou("policy", "test", str(cases))
    assert r.returncode == 2 and "[0].expect.setlement: unknown key" in r.stderr


def test_policy_lint_clean_and_failing(tmp_path: Path):
    assert hukou("policy", "lint", "changji-2018").returncode == 0
    bad = EXAMPLE_CITY.read_text(encoding="utf-8").replace("urban_population: 820000", "urban_population: 820000\n") + \
        "points: {threshold: 100}\n"
    path = tmp_path / "points.yaml"
    path.write_text(bad, encoding="utf-8")
    shutil.copy(EXAMPLE_CITY.with_name("example-city-plan.yaml"), tmp_path)  # the plan's text it names
    r = hukou("policy", "lint", str(path))
    assert r.returncode == 1 and "L4 points-forbidden" in r.stdout


def test_policy_lint_schema_error_names_the_field(tmp_path: Path):
    path = tmp_path / "typo.yaml"
    path.write_text(EXAMPLE_CITY.read_text(encoding="utf-8").replace("effective:", "effectiv:"), encoding="utf-8")
    r = hukou("policy", "lint", str(path))
    assert r.returncode == 2 and "effectiv: unknown key" in r.stderr


def test_policy_show_writes_the_clauses_beside_the_rules(tmp_path: Path):
    out = tmp_path / "changji.html"
    r = hukou("policy", "show", "changji-2018", "-o", str(out))
    assert r.returncode == 0, r.stderr
    html = out.read_text(encoding="utf-8")
    assert "昌市政办发〔2018〕67号" in html
    assert "全面放开对高校毕业生" in html and "talent.graduate" in html
    assert "settlement.general.min_social_insurance_months" in html and "对参加城镇社会保险的年限要求不得超过2年" in html
    assert "居住半年以上" in html and "permit.residence_duration" in html
    assert "L2 insurance-cap" in html
    # the plan's clauses in its own order, the notice first
    marks = ["通知", "§一", "§二", "§三", "§四", "§五", "§六", "§七", "§八", "§九", "§十", "§十一", "§十二", "§十三",
             "§十四", "§十五", "§十六", "§十七", "§十八", "§十九"]
    at = [html.index(f'<section class="clause" id="{m}">') for m in marks]
    assert at == sorted(at)
    # the clause's whole text and the rules implementing it stand in the same section
    section = html.split('id="§四"')[1].split("</section>")[0]
    assert "全面放开" in section and "talent.skilled_worker" in section and "key_groups.new_generation" in section
    assert "高校录取的农村籍学生可根据本人意愿,将户口迁至高校所在地" in section  # words no rule quotes
    assert "尚无实现" in html.split('id="§六"')[1].split("</section>")[0] and "尚无实现" not in section


def test_policy_coverage_lists_every_clause_with_what_implements_it_and_its_tests():
    table = hukou("policy", "coverage", "changji-2018")
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    for mark in ("通知", "§一", "§四", "§十九", "二(四)", "第九条"):
        assert any(line.startswith(f"{mark} ") for line in lines), mark
    four = next(line for line in lines if line.startswith("§四 "))
    assert "规则 talent.graduate" in four and "cases/talent.yaml" in four
    assert next(line for line in lines if line.startswith("§六 ")).find("尚无实现") > 0
    listed = hukou("policy", "coverage", "changji-2018", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    plan = [r for r in rows if r["plan"]]
    assert len(plan) == 20 and plan[0]["clause"] == "通知" and plan[-1]["clause"] == "§十九"
    four = next(r for r in plan if r["clause"] == "§四")
    assert four["implemented"] and "tests/cases/talent.yaml" in four["tests"]
    assert {"id", "kind", "clause", "where", "zh", "en", "tests"} <= set(four["implemented_by"][0])
    assert [r["clause"] for r in plan if not r["implemented"]] == [
        line.split()[0] for line in lines if "尚无实现 not implemented yet" in line and not line.startswith("尚无")]
    bad = hukou("policy", "coverage", "--format", "xml")
    assert bad.returncode == 2 and "--format" in bad.stderr


def test_examples_prints_example_checks():
    r = hukou("examples")
    assert r.returncode == 0
    assert r.stdout.count("落户:") == len(list(EXAMPLES.glob("*.yaml")))
    assert "还需了解" in r.stdout


def test_policy_test_finds_a_case_policy_next_to_the_case_file(tmp_path: Path):
    (tmp_path / "city.yaml").write_text(EXAMPLE_CITY.read_text(encoding="utf-8"), encoding="utf-8")
    shutil.copy(EXAMPLE_CITY.with_name("example-city-plan.yaml"), tmp_path)
    (tmp_path / "cases.yaml").write_text(
        "- name: seventeen, so the example city's extra condition (age 18) fails\n  date: 2020-06-01\n  policy: city.yaml\n"
        "  person: {birth_date: 2003-06-01, hukou: {place: '622425', urban: false},\n"
        "           residence: [{from: 2019-01-01, place: '659999001', urban: true}], housing: {kind: owned},\n"
        "           employment: [{from: 2019-01-01}], social_insurance: [{from: 2019-01}], education: [], qualifications: []}\n"
        "  expect: {settlement: ineligible}\n", encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "hukou", "policy", "test", str(tmp_path / "cases.yaml")],
                       capture_output=True, text=True, timeout=60, cwd="/")
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip().endswith("1 passed, 0 failed")


def test_serve_answers_the_eligibility_endpoint_on_loopback():
    import json as _json
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "hukou", "serve", "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        body = _json.dumps({"birth_date": "1990-01-01", "hukou": {"place": "622425", "urban": False}}).encode()
        for _ in range(100):
            try:
                req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/eligibility?date=2019-03-01", data=body,
                                             headers={"content-type": "application/json"})
                with urllib.request.urlopen(req, timeout=5) as r:
                    verdict = _json.loads(r.read())
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("the server did not answer")
        assert verdict["settlement"]["status"] == "undetermined"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_demo_builds_the_city_users_and_cases_once_then_reuses_them(tmp_path: Path):
    from sqlalchemy import text

    from hukou.cli.demo import DEMO_USERS
    from hukou.store.database import connect
    from hukou.store.users import authenticate

    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    first = hukou("demo", "--database", url, "--residents", "500", "--no-serve")
    assert first.returncode == 0, first.stderr
    assert "built the demo city" in first.stdout and "http://127.0.0.1:8000" in first.stdout
    engine = connect(url)
    for u in DEMO_USERS:  # every printed login works, with its role
        assert u.username in first.stdout and u.password in first.stdout
        assert authenticate(engine, u.username, u.password).role == u.role
    assert {u.role for u in DEMO_USERS} == {"applicant", "police_station", "county_approver", "department", "leader",
                                             "auditor", "administrator"}

    def count(sql):
        with engine.connect() as conn:
            return conn.execute(text(sql)).scalar()

    cases = count("SELECT count(*) FROM cases")
    assert cases >= 3
    # wangwu and zhaoliu are bound to valid ID numbers the register does not hold
    assert count("SELECT count(*) FROM users u JOIN people p ON p.id_number = u.id_number "
                 "WHERE u.username IN ('wangwu', 'zhaoliu')") == 0
    assert count("SELECT count(*) FROM users WHERE username IN ('wangwu', 'zhaoliu') AND id_number IS NOT NULL") == 2
    again = hukou("demo", "--database", url, "--no-serve")
    assert again.returncode == 0 and "reusing the demo city" in again.stdout
    assert count("SELECT count(*) FROM cases") == cases
    with engine.begin() as conn:  # a demo of an earlier version: accounts not bound to persons
        conn.execute(text("UPDATE users SET id_number = NULL"))
    old = hukou("demo", "--database", url, "--no-serve")
    assert old.returncode == 2 and "earlier version" in old.stderr and "delete it" in old.stderr
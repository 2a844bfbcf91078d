"""Impossible dates in any input file (facts, case, policy, reform) are input errors naming the field.

YAML's implicit timestamps would turn `1980-13-45` into a crash inside the YAML reader; documents are
read with dates as text, so the facts and policy parsers report them like any other bad value.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import TESTS

EXAMPLE_CITY = TESTS.parent / "docs" / "examples" / "example-city.yaml"
PERSON = "hukou: {place: '622425', urban: false}\n"


def hukou(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hukou", *args], capture_output=True, text=True, timeout=120, cwd=cwd)


def _one_error_line(r: subprocess.CompletedProcess) -> str:
    assert r.returncode == 2, r.stdout + r.stderr
    assert r.stdout == "" or "error" not in r.stdout
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), r.stderr
    return lines[0]


def test_an_impossible_birth_date_in_a_facts_file(tmp_path: Path):
    (tmp_path / "person.yaml").write_text("birth_date: 1980-13-45\n" + PERSON, encoding="utf-8")
    r = hukou("check", "person.yaml", "--date", "2019-03-01", cwd=tmp_path)
    assert _one_error_line(r) == \
        "error: person.yaml: birth_date: expected a real calendar date YYYY-MM-DD (got '1980-13-45')"


def test_a_date_and_time_in_a_facts_file_is_not_a_date(tmp_path: Path):
    (tmp_path / "person.yaml").write_text("birth_date: 1980-01-02 10:00:00\n" + PERSON, encoding="utf-8")
    line = _one_error_line(hukou("check", "person.yaml", "--date", "2019-03-01", cwd=tmp_path))
    assert line.startswith("error: person.yaml: birth_date: expected a date YYYY-MM-DD")


def test_an_impossible_date_in_a_case_file(tmp_path: Path):
    (tmp_path / "cases.yaml").write_text(
        "- date: 2019-02-30\n  person: {birth_date: 1990-01-01, " + PERSON.strip() + "}\n  expect: {settlement: undetermined}\n",
        encoding="utf-8")
    line = _one_error_line(hukou("policy", "test", "cases.yaml", cwd=tmp_path))
    assert line == "error: cases.yaml: [0].date: expected a real calendar date YYYY-MM-DD (got '2019-02-30')"


def test_an_impossible_date_in_a_cases_person_is_the_expected_input_error(tmp_path: Path):
    (tmp_path / "cases.yaml").write_text(
        "- date: 2019-03-01\n  person: {birth_date: 1990-04-31, " + PERSON.strip() + "}\n  expect: {error: birth_date}\n",
        encoding="utf-8")
    r = hukou("policy", "test", "cases.yaml", cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip().endswith("1 passed, 0 failed")


@pytest.mark.parametrize("old,new,field", [
    ("effective: {from: 2019-01-01", "effective: {from: 2019-02-30", "effective.from"),
    ("values: {2019-01-01: 1980-01-01}", "values: {2019-01-01: 1980-02-30}",
     "parameters.key_groups.new_generation_born_from.values.2019-01-01"),
])
def test_an_impossible_date_in_a_policy_file(tmp_path: Path, old: str, new: str, field: str):
    text = EXAMPLE_CITY.read_text(encoding="utf-8")
    assert old in text
    (tmp_path / "city.yaml").write_text(text.replace(old, new), encoding="utf-8")
    line = _one_error_line(hukou("policy", "lint", "city.yaml", cwd=tmp_path))
    assert line.startswith(f"error: city.yaml: {field}: expected a real calendar date YYYY-MM-DD (got '")


def test_a_policy_file_read_with_dates_as_text_keeps_its_dated_values():
    from datetime import date

    from hukou.policies import load_path

    policy = load_path(EXAMPLE_CITY)
    assert policy.effective.start == date(2019, 1, 1)
    assert policy.value("key_groups.new_generation_born_from", date(2020, 1, 1)) == date(1980, 1, 1)


def test_an_extra_condition_on_a_date_compares_dates(tmp_path: Path):
    from datetime import date

    from hukou.policies import merged_document, read_document
    from hukou.policy.policy_file import parse_policy

    data = merged_document(str(EXAMPLE_CITY))
    data["extra_conditions"] = read_document(
        "- {route: general, require: {fact: employment.from, op: '<=', value: 2019-02-28}}\n"
        "- {route: general, require: {fact: military.discharged, op: in, value: [2000-01-01, 2001-01-01]}}\n", "x")
    conditions = parse_policy(data).extra_conditions
    assert conditions[0].require.value == date(2019, 2, 28)
    assert conditions[1].require.value == [date(2000, 1, 1), date(2001, 1, 1)]
    data["extra_conditions"][0]["require"]["value"] = "2019-02-29"
    with pytest.raises(ValueError, match=r"extra_conditions\[0\]\.require\.value: expected a real calendar date"):
        parse_policy(data)


@pytest.mark.parametrize("change,field", [
    ("settlement.general.min_social_insurance_months: {values: {2021-02-30: 12}}",
     "parameters.settlement.general.min_social_insurance_months.values"),
    ("key_groups.new_generation_born_from: 1985-02-30", "parameters.key_groups.new_generation_born_from"),
])
def test_an_impossible_date_in_a_reform_file(tmp_path: Path, change: str, field: str):
    (tmp_path / "reform.yaml").write_text(f"title: t\nparameters:\n  {change}\n", encoding="utf-8")
    # the reform is checked before the register is read: the folder need not even exist
    r = hukou("simulate", "--register", "nowhere", "--date", "2020-11-01", "--reform", "reform.yaml", cwd=tmp_path)
    line = _one_error_line(r)
    assert line.startswith(f"error: reform.yaml: {field}") and "expected a real calendar date YYYY-MM-DD (got '" in line, line

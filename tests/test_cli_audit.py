"""Command-line reads of personal data are logged with a purpose; `hukou audit verify` names the
first broken entry; `register add-user` gives jurisdiction only as it may be given."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from casework_people import WANG


def hukou(*args: str, cwd: Path | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "HUKOU_DATABASE_URL"}
    return subprocess.run([sys.executable, "-m", "hukou", *args], input=stdin, capture_output=True, text=True,
                          timeout=300, cwd=cwd, env=env)


@pytest.fixture(scope="module")
def city(tmp_path_factory) -> Path:
    where = tmp_path_factory.mktemp("city")
    assert hukou("synth", "--residents", "200", "--seed", "3", "--register", "reg", cwd=where).returncode == 0
    assert hukou("synth", "--residents", "200", "--seed", "3", "--database", "sqlite:///city.sqlite",
                 cwd=where).returncode == 0
    return where


def _log(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as con:
        return con.execute("SELECT who, what, subject, why FROM audit_log ORDER BY seq").fetchall()


@pytest.mark.parametrize("command", [("check", "--person", "1", "--date", "2020-11-01"),
                                     ("register", "facts", "--person", "1", "--date", "2020-11-01"),
                                     ("register", "export", "--out", "exported")], ids=lambda c: " ".join(c[:2]))
def test_a_read_of_personal_data_needs_a_purpose_and_is_logged(city, command):
    before = _log(city / "city.sqlite")
    r = hukou(*command, "--database", "sqlite:///city.sqlite", cwd=city)
    assert r.returncode == 2 and "--purpose" in r.stderr and _log(city / "city.sqlite") == before
    r = hukou(*command, "--database", "sqlite:///city.sqlite", "--purpose", "answer the person's request", cwd=city)
    assert r.returncode == 0, r.stderr
    who, what, subject, why = _log(city / "city.sqlite")[-1]
    assert who.startswith("cli:") and why == "answer the person's request"
    assert (what, subject) == (("register.export", "people:200") if "export" in command else ("person.facts", "1"))


def test_a_folders_reads_are_logged_in_the_folder_and_verified(city):
    r = hukou("register", "facts", "--register", "reg", "--person", "2", "--date", "2020-11-01", "--purpose", "review",
              cwd=city)
    assert r.returncode == 0, r.stderr
    lines = (city / "reg" / "audit-log.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[-1])["subject"] == "2" and json.loads(lines[-1])["why"] == "review"
    ok = hukou("audit", "verify", "--register", "reg", cwd=city)
    assert ok.returncode == 0 and "audit log whole" in ok.stdout
    entry = json.loads(lines[-1])
    lines[-1] = json.dumps({**entry, "why": "nothing to see"}, ensure_ascii=False)
    (city / "reg" / "audit-log.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    bad = hukou("audit", "verify", "--register", "reg", cwd=city)
    assert bad.returncode == 1 and f"entry {entry['seq']}: changed" in bad.stderr


def test_audit_verify_names_a_removed_database_entry(city, tmp_path):
    import shutil

    db = tmp_path / "copy.sqlite"
    shutil.copy(city / "city.sqlite", db)
    url = f"sqlite:///{db}"
    for why in ("one", "two", "three"):
        assert hukou("register", "facts", "--person", "1", "--date", "2020-11-01", "--database", url, "--purpose", why,
                     cwd=tmp_path).returncode == 0
    assert hukou("audit", "verify", "--database", url).returncode == 0
    with sqlite3.connect(db) as con:
        seq = con.execute("SELECT seq FROM audit_log WHERE why = 'two'").fetchone()[0]
        con.execute("DELETE FROM audit_log WHERE seq = ?", (seq,))
    r = hukou("audit", "verify", "--database", url)
    assert r.returncode == 1 and f"entry {seq}: removed" in r.stderr


def test_add_user_gives_jurisdiction_only_as_it_may_be_given(city):
    url = "sqlite:///city.sqlite"
    for args, field in ((("--role", "police_station"), "--township"),
                        (("--role", "county_approver"), "--township"),
                        (("--role", "police_station", "--township", "652301001", "--city-wide"), "--township"),
                        (("--role", "applicant", "--id-number", "123"), "--id-number")):
        r = hukou("register", "add-user", "x", *args, "--database", url, stdin="a-long-password\n", cwd=city)
        assert r.returncode == 2 and r.stderr.startswith("error: "), r.stderr
    for args in (("--role", "county_approver", "--city-wide"), ("--role", "police_station", "--township", "652301001"),
                 ("--role", "applicant", "--id-number", WANG, "--name", "王五")):
        r = hukou("register", "add-user", "u" + args[1], *args, "--database", url, stdin="a-long-password\n", cwd=city)
        assert r.returncode == 0, r.stderr
    with sqlite3.connect(city / "city.sqlite") as con:
        rows = con.execute("SELECT username, township, city_wide, id_number, display_name FROM users "
                           "ORDER BY username").fetchall()
    assert rows == [("uapplicant", None, 0, WANG, "王五"), ("ucounty_approver", None, 1, None, "ucounty_approver"),
                    ("upolice_station", "652301001", 0, None, "upolice_station")]
    assert ("user.saved", "ucounty_approver", "county_approver city-wide") in [r[1:] for r in _log(city / "city.sqlite")]

"""Where the register is, in every command: `--register FOLDER` or `--database URL`; with neither,
HUKOU_DATABASE_URL, else `sqlite:///hukou.sqlite`. A database without the register's tables is an
input error saying how to make them, never "no such table"."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import TESTS

EXAMPLES = TESTS.parent / "src" / "hukou" / "examples"
NO_TABLES = "the database has no register tables; run `hukou register init` or `hukou synth --database URL` first"


def hukou(*args: str, cwd: Path, database_env: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "HUKOU_DATABASE_URL"}
    if database_env is not None:
        env["HUKOU_DATABASE_URL"] = database_env
    return subprocess.run([sys.executable, "-m", "hukou", *args], capture_output=True, text=True, timeout=300,
                          cwd=cwd, env=env)


def _error(r: subprocess.CompletedProcess) -> str:
    assert r.returncode == 2, r.stdout + r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), r.stderr
    return lines[0]


READERS = [
    ("simulate", "--date", "2020-11-01"),
    ("check", "--person", "1", "--date", "2020-11-01"),
    ("register", "facts", "--person", "1", "--date", "2020-11-01"),
    ("register", "export", "--out", "exported"),
]


@pytest.mark.parametrize("command", READERS, ids=lambda c: " ".join(c[:2]))
def test_a_database_without_the_register_is_an_input_error_saying_how_to_make_it(tmp_path: Path, command):
    empty = tmp_path / "empty.sqlite"
    with sqlite3.connect(empty) as con:  # a database, but not a register
        con.execute("CREATE TABLE notes (x)")
    url = f"sqlite:///{empty}"
    assert _error(hukou(*command, "--database", url, cwd=tmp_path)) == f"error: {url}: {NO_TABLES}"


@pytest.mark.parametrize("command", READERS, ids=lambda c: " ".join(c[:2]))
def test_reading_a_database_that_does_not_exist_creates_no_file(tmp_path: Path, command):
    assert _error(hukou(*command, cwd=tmp_path)) == f"error: sqlite:///hukou.sqlite: {NO_TABLES}"
    assert not (tmp_path / "hukou.sqlite").exists()


def test_without_options_the_register_is_hukou_database_url(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'elsewhere.sqlite'}"
    assert _error(hukou("simulate", "--date", "2020-11-01", cwd=tmp_path, database_env=url)) == f"error: {url}: {NO_TABLES}"


@pytest.mark.parametrize("command", [
    ("simulate", "--date", "2020-11-01"),
    ("check", "--person", "1", "--date", "2020-11-01"),
    ("register", "facts", "--person", "1", "--date", "2020-11-01"),
    ("synth", "--residents", "10"),
], ids=lambda c: c[0] if c[0] != "register" else "register facts")
def test_a_folder_and_a_database_at_once_is_an_input_error(tmp_path: Path, command):
    line = _error(hukou(*command, "--register", "reg", "--database", "sqlite:///x.sqlite", cwd=tmp_path))
    assert line == "error: --register: give a register folder (--register) or a database URL (--database), not both"
    assert not (tmp_path / "reg").exists() and not (tmp_path / "x.sqlite").exists()


def test_synths_older_out_with_a_new_option_is_an_input_error(tmp_path: Path):
    line = _error(hukou("synth", "--residents", "10", "--out", "reg", "--database", "sqlite:///x.sqlite", cwd=tmp_path))
    assert line.startswith("error: --out: ")


def test_a_facts_file_with_a_register_option_is_an_input_error(tmp_path: Path):
    r = hukou("check", str(EXAMPLES / "1-renting-migrant-worker.yaml"), "--database", "sqlite:///x.sqlite", cwd=tmp_path)
    assert _error(r) == "error: --database: only with --person (a facts file is read as it is)"


def _written(r: subprocess.CompletedProcess, where: str) -> None:
    assert r.returncode == 0, r.stderr
    assert f"200 residents (seed 3) written to {where} " in r.stdout, r.stdout


def test_synth_writes_a_folder_with_register(tmp_path: Path):
    _written(hukou("synth", "--residents", "200", "--seed", "3", "--register", "reg", cwd=tmp_path), "reg/")
    assert (tmp_path / "reg" / "people.parquet").exists()
    assert hukou("register", "facts", "--register", "reg", "--person", "1", "--date", "2020-11-01",
                 "--purpose", "test", cwd=tmp_path).returncode == 0


def test_synth_writes_a_database_named_by_database_or_by_hukou_database_url(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'named.sqlite'}"
    _written(hukou("synth", "--residents", "200", "--seed", "3", "--database", url, cwd=tmp_path), url)
    env_url = f"sqlite:///{tmp_path / 'from-env.sqlite'}"
    _written(hukou("synth", "--residents", "200", "--seed", "3", cwd=tmp_path, database_env=env_url), env_url)
    r = hukou("simulate", "--date", "2020-11-01", cwd=tmp_path, database_env=env_url)
    assert r.returncode == 0 and "200 people evaluated" in r.stdout, r.stderr


def test_synth_without_options_writes_the_default_database(tmp_path: Path):
    _written(hukou("synth", "--residents", "200", "--seed", "3", cwd=tmp_path), "sqlite:///hukou.sqlite")
    assert (tmp_path / "hukou.sqlite").exists() and not (tmp_path / "register").exists()
    r = hukou("check", "--person", "1", "--date", "2020-11-01", "--purpose", "test", cwd=tmp_path)
    assert r.returncode == 0, r.stderr


def test_synths_out_still_takes_a_folder_or_a_url(tmp_path: Path):
    _written(hukou("synth", "--residents", "200", "--seed", "3", "--out", "reg", cwd=tmp_path), "reg/")
    assert (tmp_path / "reg" / "people.parquet").exists()
    url = f"sqlite:///{tmp_path / 'out.sqlite'}"
    _written(hukou("synth", "--residents", "200", "--seed", "3", "--out", url, cwd=tmp_path), url)


def test_messages_name_a_database_without_its_password(tmp_path: Path):
    r = hukou("register", "facts", "--person", "1", "--date", "2020-11-01",
              "--database", "postgresql://hukou:s3cret@127.0.0.1:1/hukou", cwd=tmp_path)
    line = _error(r)
    assert "s3cret" not in r.stderr and line.startswith("error: postgresql+psycopg://hukou:***@127.0.0.1:1/hukou: cannot connect")

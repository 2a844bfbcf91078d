"""`hukou register import` and `export`: round trips, and bad rows named by file, line and field."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from hukou.registry.fact_tables import TABLES
from hukou.registry.synth import generate
from hukou.store.database import connect, load_tables, migrate, read_tables


def hukou(*args):
    return subprocess.run([sys.executable, "-m", "hukou", *args], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('src') / 'source.sqlite'}"
    engine = connect(url)
    migrate(engine)
    load_tables(engine, generate(1_500, seed=31))
    return url


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_export_then_import_gives_the_same_register(source, tmp_path, fmt):
    folder = tmp_path / "export"
    r = hukou("register", "export", "--database", source, "--out", str(folder), "--format", fmt, "--purpose", "a test")
    assert r.returncode == 0, r.stderr
    assert {p.name for p in folder.iterdir()} == {f"{name}.{fmt}" for name in TABLES}
    target = f"sqlite:///{tmp_path / 'target.sqlite'}"
    r = hukou("register", "import", str(folder), "--format", fmt, "--database", target)
    assert r.returncode == 0, r.stderr
    assert "in one transaction" in r.stdout and "1,500 people" in r.stdout
    assert read_tables(connect(source), TABLES) == read_tables(connect(target), TABLES)


def _export(source: str, tmp_path: Path) -> Path:
    folder = tmp_path / "export"
    assert hukou("register", "export", "--database", source, "--out", str(folder), "--purpose", "a test").returncode == 0
    return folder


def _rows(path: Path) -> list[dict]:
    return list(csv.DictReader(path.open(encoding="utf-8")))


def _write(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _edit(path: Path, row: int, column: str, value: str) -> None:
    rows = _rows(path)
    rows[row][column] = value
    _write(path, rows)


def test_bad_rows_are_named_and_nothing_is_written(source, tmp_path):
    folder = _export(source, tmp_path)
    _edit(folder / "people.csv", 2, "birth_date", "1990-02-30")
    _edit(folder / "housing.csv", 4, "kind", "castle")
    _edit(folder / "employment.csv", 0, "start", "")
    target = tmp_path / "target.sqlite"
    r = hukou("register", "import", str(folder), "--database", f"sqlite:///{target}")
    assert r.returncode == 2
    assert "people.csv:4: birth_date: expected a real calendar date" in r.stderr
    assert "nothing was imported" in r.stderr
    assert not target.exists()


def test_row_rules_references_kinds_and_id_numbers(source, tmp_path):
    folder = _export(source, tmp_path)
    _edit(folder / "housing.csv", 4, "kind", "castle")
    _edit(folder / "residence.csv", 1, "person_id", "999999")
    people = _rows(folder / "people.csv")
    _edit(folder / "people.csv", 0, "sex", "M" if people[0]["sex"] == "F" else "F")
    target = tmp_path / "target.sqlite"
    r = hukou("register", "import", str(folder), "--database", f"sqlite:///{target}")
    assert r.returncode == 2, r.stdout
    assert "housing.csv:6: kind: expected one of owned, rented, employer, school, none (got 'castle')" in r.stderr
    assert "residence.csv:3: person_id: no person 999999 in people" in r.stderr
    assert "people.csv:2: id_number: sex digit does not match sex" in r.stderr
    assert not target.exists()


def test_import_into_a_register_that_has_those_people_writes_nothing(source, tmp_path):
    folder = _export(source, tmp_path)
    r = hukou("register", "import", str(folder), "--database", source)
    assert r.returncode == 2 and "nothing written" in r.stderr
    assert read_tables(connect(source), ["people"])["people"].num_rows == 1_500


def test_a_hukou_file_without_seq_is_numbered_by_date_then_file_order(source, tmp_path):
    folder = _export(source, tmp_path)
    rows = _rows(folder / "hukou.csv")
    assert "seq" in rows[0]
    person, since = rows[0]["person_id"], rows[0]["since"]
    # two more registrations of the first person on its first day, listed before its own (an older export)
    village = {**rows[0], "place": "652301100201", "urban": "false"}
    community = {**rows[0], "place": "652301001001", "urban": "true"}
    _write(folder / "hukou.csv", [{k: v for k, v in r.items() if k != "seq"} for r in [community, village, *rows]])
    target = f"sqlite:///{tmp_path / 'target.sqlite'}"
    r = hukou("register", "import", str(folder), "--database", target)
    assert r.returncode == 0, r.stderr
    got = read_tables(connect(target), ["hukou"])["hukou"].to_pylist()
    mine = [(str(h["since"]), h["seq"], h["place"]) for h in got if str(h["person_id"]) == person]
    assert mine[:3] == [(since, 1, "652301001001"), (since, 2, "652301100201"), (since, 3, rows[0]["place"])]
    assert [s for _, s, _ in mine] == list(range(1, len(mine) + 1))


def test_a_seq_given_twice_or_below_one_is_named(source, tmp_path):
    folder = _export(source, tmp_path)
    rows = _rows(folder / "hukou.csv")
    _write(folder / "hukou.csv", [rows[0], {**rows[0], "place": "652301100201"}, {**rows[1], "seq": "0"}, *rows[2:]])
    target = tmp_path / "target.sqlite"
    r = hukou("register", "import", str(folder), "--database", f"sqlite:///{target}")
    assert r.returncode == 2
    assert f"hukou.csv:3: seq: person {rows[0]['person_id']} has a registration {rows[0]['seq']} already (line 2)" in r.stderr
    assert "hukou.csv:4: seq: expected a registration number from 1 (got 0)" in r.stderr
    assert not target.exists()

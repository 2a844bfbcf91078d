"""Error messages never print a citizen ID number or a query's parameters: not the last-resort
handler's, not an import's problems, not a database's refusal of a load."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from hukou.policy.errors import InputError

NUMBER = "110101199003074514"  # a valid citizen ID number (GB 11643 check digit), of no one in particular
MASKED = "110101***********4"


def test_redacted_drops_the_statement_its_parameters_and_the_link_and_masks_id_numbers():
    from hukou.policy.errors import redacted

    text = (f"(sqlite3.IntegrityError) UNIQUE constraint failed: people.id_number ({NUMBER})\n"
            f"[SQL: INSERT INTO people (person_id, id_number) VALUES (?, ?)]\n[parameters: (7, '{NUMBER}')]\n"
            "(Background on this error at: https://sqlalche.me/e/20/gkpj)")
    assert redacted(text) == f"(sqlite3.IntegrityError) UNIQUE constraint failed: people.id_number ({MASKED})"
    assert redacted("Key (id_number)=(65230119800101123X) already exists") == "Key (id_number)=(652301***********X) already exists"
    assert redacted("person 1234567, place 652301001, 20201101") == "person 1234567, place 652301001, 20201101"
    assert redacted(f"1{NUMBER}") == f"1{NUMBER}"  # 19 digits: not an ID number


def test_the_last_resort_handler_prints_no_sql_and_no_id_number(monkeypatch, capsys):
    import hukou.cli.main as main

    def boom():
        raise RuntimeError(f"(psycopg.errors.Oops) something broke\n[SQL: SELECT * FROM people WHERE id_number = %s]\n"
                           f"[parameters: ('{NUMBER}',)]\n(Background on this error at: https://sqlalche.me/e/20/e3q8)")

    monkeypatch.setattr(main, "app", boom)
    monkeypatch.delenv("HUKOU_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exit_:
        main.run()
    err = capsys.readouterr().err
    assert exit_.value.code == 70
    assert err.strip() == ("internal error (please report it; HUKOU_DEBUG=1 shows details): "
                           "RuntimeError: (psycopg.errors.Oops) something broke")
    assert NUMBER not in err and "SELECT" not in err and "parameters" not in err


def hukou(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hukou", *args], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    from hukou.registry.synth import generate
    from hukou.store.database import connect, load_tables, migrate

    url = f"sqlite:///{tmp_path_factory.mktemp('src') / 'source.sqlite'}"
    engine = connect(url)
    migrate(engine)
    load_tables(engine, generate(300, seed=17))
    folder = tmp_path_factory.mktemp("export")
    assert hukou("register", "export", "--database", url, "--out", str(folder),
                 "--purpose", "test the import").returncode == 0
    return folder


def _people(folder: Path) -> list[dict]:
    return list(csv.DictReader((folder / "people.csv").open(encoding="utf-8")))


def _write_people(folder: Path, rows: list[dict]) -> None:
    with (folder / "people.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _import_copy(exported: Path, tmp_path: Path, change) -> tuple[subprocess.CompletedProcess, list[str]]:
    """Import a copy of the export with people.csv changed; returns the run and the ID numbers it holds."""
    import shutil

    folder = tmp_path / "import"
    shutil.copytree(exported, folder)
    rows = _people(folder)
    change(rows)
    _write_people(folder, rows)
    target = tmp_path / "target.sqlite"
    r = hukou("register", "import", str(folder), "--database", f"sqlite:///{target}")
    assert r.returncode == 2, r.stdout + r.stderr
    assert not target.exists()
    return r, [row["id_number"] for row in rows]


def test_an_import_with_a_duplicate_id_number_prints_no_id_number(exported, tmp_path):
    def duplicate(rows):  # a second person with the first one's number, birth date and sex: only the number repeats
        rows[5].update({k: rows[2][k] for k in ("id_number", "birth_date", "sex")})

    r, numbers = _import_copy(exported, tmp_path, duplicate)
    assert "people.csv:7: id_number: the same ID number as people.csv:4" in r.stderr
    assert not any(n in r.stdout + r.stderr for n in numbers)


def test_an_import_with_an_invalid_id_number_names_the_row_without_echoing_it(exported, tmp_path):
    def invalid(rows):
        rows[10]["id_number"] = rows[10]["id_number"][:17] + ("0" if rows[10]["id_number"][17] != "0" else "1")

    r, numbers = _import_copy(exported, tmp_path, invalid)
    assert "people.csv:12: id_number: not a valid citizen ID number" in r.stderr
    assert not any(n in r.stdout + r.stderr for n in numbers)


def test_an_id_number_in_another_column_is_masked_in_the_problem(exported, tmp_path):
    def misplaced(rows):
        rows[3]["person_id"] = rows[3]["id_number"][:17] + "X"

    r, numbers = _import_copy(exported, tmp_path, misplaced)
    assert "people.csv:5: person_id: expected a whole number (got '" in r.stderr
    assert not any(n[:17] in r.stdout + r.stderr for n in numbers)


def _people_again(tables: dict[str, pa.Table]) -> dict[str, pa.Table]:
    """The same people's identities under other person ids: the database refuses their ID numbers."""
    return {name: t.set_column(t.schema.get_field_index("person_id"), "person_id", pc.add(t["person_id"], 10_000))
            for name, t in tables.items()}


@pytest.mark.parametrize("url_fixture", ["sqlite", "postgres_url"])
def test_a_load_the_database_refuses_names_the_table_without_the_id_number(url_fixture, request, tmp_path):
    from hukou.registry.synth import generate
    from hukou.store.database import connect, load_tables, migrate

    url = f"sqlite:///{tmp_path / 'db.sqlite'}" if url_fixture == "sqlite" else request.getfixturevalue(url_fixture)
    tables = generate(50, seed=3)
    people = {name: tables[name] for name in ("people", "identity")}
    engine = connect(url)
    migrate(engine)
    load_tables(engine, people)
    with pytest.raises(InputError) as refused:
        load_tables(engine, _people_again(people))
    message = refused.value.line()
    assert message.startswith("people: not loaded, nothing written: ")
    assert not any(n in message for n in people["identity"]["id_number"].to_pylist()), message
    assert "INSERT" not in message and "COPY" not in message
    if url_fixture == "postgres_url":  # the driver's detail names the key, masked
        assert "Key (id_number)=(" in message and "***********" in message, message

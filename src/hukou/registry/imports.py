"""Reading a register from CSV or Parquet files, checking every row before anything is written.

A register folder holds one file per table (`people.csv` or `people.parquet`, …): the fact tables of
`hukou.registry.fact_tables`, with `people` also carrying `id_number`, `name` and `sex`. Each
problem names the file, the line (CSV, counting the header as line 1) or row (Parquet), and the
field. An import with any problem writes nothing, and no problem echoes an ID number.

`hukou.seq` numbers each person's registrations in the order written (of two on the same day, the
higher is in force). A hukou file without that column (an export of an older version) is numbered
here by date and then by the order of the file's rows, as the database's migration numbered the
registrations it held; a file with it must give every registration a number of its own, from 1.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from hukou.i18n import Msg, localized
from hukou.policy.errors import redacted
from hukou.policy.facts import EDUCATION_LEVELS, HOUSING_KINDS, QUALIFICATION_KINDS
from hukou.registry.fact_tables import SCHEMAS, TABLES

IDENTITY = pa.schema([("id_number", pa.string()), ("name", pa.string()), ("sex", pa.string())])
PEOPLE_SCHEMA = pa.schema(list(SCHEMAS["people"]) + list(IDENTITY))
OPTIONAL_COLUMNS = {"residence": {"end", "urban"}, "housing": {"registered"}, "employment": {"end"},
                    "social_insurance": {"end_month"}, "education": {"graduated", "certified"},
                    "qualifications": {"obtained"}, "military": {"enlisted", "discharged"}, "family": {"birth_date"}}
ENUMS = {("housing", "kind"): HOUSING_KINDS, ("education", "level"): EDUCATION_LEVELS,
         ("qualifications", "kind"): QUALIFICATION_KINDS, ("family", "relation"): ("spouse", "child", "parent"),
         ("people", "sex"): ("M", "F")}
MAX_PROBLEMS = 200
_PLACE = re.compile(r"^[1-9]\d{5}(\d{3}(\d{3})?)?$")


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    field: str
    message: str

    def text(self, lang: str = "en") -> str:
        """The problem as printed, in `lang`: a cell's value quoted in the message may be an ID number (masked)."""
        return redacted(f"{self.file}:{self.line}: {self.field}: {localized(self.message, lang)}")


def schema_of(name: str) -> pa.Schema:
    return PEOPLE_SCHEMA if name == "people" else SCHEMAS[name]


def _parse(value: Any, kind: pa.DataType) -> Any:
    """One CSV cell as the column's type; raises ValueError with what was expected."""
    if value is None or value == "":
        return None
    if pa.types.is_date(kind):
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError(Msg("expected a date YYYY-MM-DD (got {got!r})", got=value))
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(Msg("expected a real calendar date (got {got!r})", got=value)) from None
    if pa.types.is_boolean(kind):
        if value.lower() in ("true", "1"):
            return True
        if value.lower() in ("false", "0"):
            return False
        raise ValueError(Msg("expected true or false (got {got!r})", got=value))
    if pa.types.is_integer(kind):
        if not re.fullmatch(r"-?\d+", value):
            raise ValueError(Msg("expected a whole number (got {got!r})", got=value))
        return int(value)
    return value


def read_table(path: Path, name: str, problems: list[Problem]) -> pa.Table | None:
    """A table from CSV (every cell checked) or Parquet (types checked by the file), or None on problems."""
    full = schema_of(name)
    names = pq.read_schema(path).names if path.suffix == ".parquet" else _csv_header(path)
    numbered = name == "hukou" and "seq" not in names
    schema = pa.schema([f for f in full if f.name != "seq"]) if numbered else full
    missing = [f.name for f in schema if f.name not in names]
    if missing:
        problems.append(Problem(path.name, 1, missing[0], Msg("column missing")))
        return None
    table = _read_parquet(path, schema, problems) if path.suffix == ".parquet" else _read_csv(path, schema, problems)
    if table is None or not numbered:
        return table
    return table.add_column(full.get_field_index("seq"), full.field("seq"), numbered_in_file_order(table))


def _csv_header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as f:
        return next(csv.reader(f), [])


def numbered_in_file_order(hukou: pa.Table) -> pa.Array:
    """Each registration's number among its person's, by date and then by its row in the file."""
    order = pc.sort_indices(hukou, [("person_id", "ascending"), ("since", "ascending")]).to_numpy()  # (stable)
    ids = hukou["person_id"].to_numpy(zero_copy_only=False)[order]
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]]) if len(ids) else np.zeros(0, np.int64)
    run_start = np.repeat(starts, np.diff(np.r_[starts, len(ids)]))
    seq = np.empty(len(ids), np.int32)
    seq[order] = np.arange(len(ids)) - run_start + 1
    return pa.array(seq, pa.int32())


def _read_parquet(path: Path, schema: pa.Schema, problems: list[Problem]) -> pa.Table | None:
    try:
        return pq.read_table(path, columns=schema.names).cast(schema)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        problems.append(Problem(path.name, 1, "", Msg("columns of the wrong type: {reason}", reason=str(exc))))
        return None


def _read_csv(path: Path, schema: pa.Schema, problems: list[Problem]) -> pa.Table:
    raw = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
        column_types={f.name: pa.string() for f in schema}, strings_can_be_null=False))
    columns = {}
    for field in schema:
        values = raw[field.name].to_pylist()
        parsed = []
        for i, v in enumerate(values):
            try:
                parsed.append(_parse(v, field.type))
            except ValueError as exc:
                problems.append(Problem(path.name, i + 2, field.name, exc.args[0] if exc.args else str(exc)))
                parsed.append(None)
        columns[field.name] = pa.array(parsed, field.type)
    return pa.table(columns, schema=schema)


def check_rows(name: str, table: pa.Table, file: str, line_of: Callable[[int], int], people: set[int] | None,
               problems: list[Problem]) -> None:
    """Row rules: required fields, known values, dates in order, ID numbers, references to people."""
    optional = OPTIONAL_COLUMNS.get(name, set())
    id_numbers: dict[str, str] = {}  # people: where each ID number was first seen (file:line)
    registrations: dict[tuple[int, int], int] = {}  # hukou: the line of each (person, seq)
    for i, row in enumerate(table.to_pylist()):
        if len(problems) >= MAX_PROBLEMS:
            return

        def bad(field: str, message: str, line: int = line_of(i)) -> None:
            problems.append(Problem(file, line, field, message))

        for field, value in row.items():
            if value is None and field not in optional:
                bad(field, Msg("required"))
            enum = ENUMS.get((name, field))
            if enum and value is not None and value not in enum:
                bad(field, Msg("expected one of {choices} (got {got!r})", choices=", ".join(enum), got=value))
        if name != "people" and people is not None and row["person_id"] not in people:
            bad("person_id", Msg("no person {person} in people", person=row["person_id"]))
        if name == "hukou" and row["seq"] is not None:
            if row["seq"] < 1:
                bad("seq", Msg("expected a registration number from 1 (got {got})", got=row["seq"]))
            elif (row["person_id"], row["seq"]) in registrations:
                bad("seq", Msg("person {person} has a registration {seq} already (line {line})", person=row["person_id"],
                               seq=row["seq"], line=registrations[row["person_id"], row["seq"]]))
            registrations.setdefault((row["person_id"], row["seq"]), line_of(i))
        for lo, hi in (("start", "end"), ("admitted", "graduated"), ("enlisted", "discharged"), ("start_month", "end_month")):
            if row.get(lo) is not None and row.get(hi) is not None and row[hi] < row[lo]:
                bad(hi, Msg("before {field}", field=lo))
        if "place" in row and row["place"] is not None and not _PLACE.match(row["place"]):
            bad("place", Msg("expected a place code of 6, 9 or 12 digits (got {got!r})", got=row["place"]))
        if name == "family" and row["relation"] == "child" and row["birth_date"] is None:
            bad("birth_date", Msg("required for a child"))
        if name == "people" and row["id_number"]:
            for message in _id_number_problems(row, id_numbers, f"{file}:{line_of(i)}"):
                bad("id_number", message)


def _id_number_problems(row: dict, first_seen: dict[str, str], where: str) -> list[Msg]:
    """A person's ID number against GB 11643, the row's birth date and sex, and the earlier rows'
    numbers; the messages never quote the number."""
    from stdnum.cn import ric

    number = row["id_number"]
    found = [Msg("the same ID number as {where}", where=first_seen[number])] if number in first_seen else []
    first_seen.setdefault(number, where)
    if not ric.is_valid(number):
        found.append(Msg("not a valid citizen ID number"))
    elif row["birth_date"] is not None and ric.get_birth_date(number) != row["birth_date"]:
        found.append(Msg("birth date {number_date} differs from birth_date {birth_date}",
                         number_date=ric.get_birth_date(number), birth_date=row["birth_date"]))
    elif row["sex"] in ("M", "F") and (int(number[16]) % 2 == 1) != (row["sex"] == "M"):
        found.append(Msg("sex digit does not match sex {sex}", sex=row["sex"]))
    return found


def read_register(folder: Path, fmt: str) -> tuple[dict[str, pa.Table], list[Problem]]:
    """All tables of a register folder, and every problem found (an empty list: safe to write)."""
    problems: list[Problem] = []
    tables: dict[str, pa.Table] = {}
    for name in TABLES:
        path = folder / f"{name}.{fmt}"
        if not path.exists():
            problems.append(Problem(path.name, 0, "", Msg("file missing")))
            continue
        table = read_table(path, name, problems)
        if table is not None:
            tables[name] = table
    if problems:
        return tables, problems
    people = set(tables["people"]["person_id"].to_pylist())
    if len(people) != tables["people"].num_rows:
        problems.append(Problem(f"people.{fmt}", 0, "person_id", Msg("duplicate person ids")))
    for name in TABLES:
        file = f"{name}.{fmt}"
        line_of = (lambda i: i + 2) if fmt == "csv" else (lambda i: i + 1)
        check_rows(name, tables[name], file, line_of, people, problems)
    identity = tables["people"].select(["person_id", "id_number", "name", "sex"])
    tables["identity"] = identity
    tables["people"] = tables["people"].select(SCHEMAS["people"].names)
    return tables, problems

"""A register kept as Parquet files, one per normalized table (`hukou.registry.fact_tables`).

The columnar engine reads it through DuckDB without loading it into memory; `person_facts` turns
one person's rows back into RULEBOOK §2 facts, so any row of a simulation can be checked again
with `hukou check`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import ibis
import pyarrow as pa
import pyarrow.parquet as pq

from hukou.policy.errors import InputError
from hukou.registry.fact_tables import SCHEMAS, TABLES


def write_register(tables: dict[str, pa.Table], folder: str | Path) -> Path:
    """Write each table as `<folder>/<name>.parquet` (each written to a temporary name, then renamed)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    names = list(TABLES) + [name for name in tables if name not in SCHEMAS]
    for name in names:
        if name in SCHEMAS:
            table = tables[name].cast(SCHEMAS[name]) if name in tables else SCHEMAS[name].empty_table()
        else:
            table = tables[name]
        tmp = folder / f".{name}.parquet.tmp"
        pq.write_table(table, tmp, compression="zstd", row_group_size=1 << 20)
        tmp.replace(folder / f"{name}.parquet")
    return folder


def _check_folder(folder: Path) -> None:
    if not folder.is_dir():
        raise InputError("register", f"no register folder at {folder}")
    lacking = [name for name in TABLES if not (folder / f"{name}.parquet").exists()]
    if lacking:
        raise InputError("register", f"{folder} lacks {', '.join(f'{n}.parquet' for n in lacking)}")


def open_register(folder: str | Path, con: Any = None) -> tuple[Any, dict[str, Any]]:
    """An Ibis DuckDB connection and the register's tables as lazy views over the Parquet files."""
    folder = Path(folder)
    _check_folder(folder)
    con = con or ibis.duckdb.connect()
    con.raw_sql("SET enable_progress_bar = false")
    return con, {name: con.read_parquet(str(folder / f"{name}.parquet"), table_name=name) for name in TABLES}


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _month(n: int | None) -> str | None:
    return None if n is None else f"{n // 12:04d}-{n % 12 + 1:02d}"


def person_facts(folder: str | Path, person_id: int, d: date) -> dict[str, Any]:
    """One person's RULEBOOK §2 facts at d from the register (the hukou registered at d)."""
    folder = Path(folder)
    _check_folder(folder)
    con = duckdb.connect()

    def rows(name: str, order: str = "") -> list[dict]:
        sql = f"SELECT * FROM read_parquet(?) WHERE person_id = ? {order}"
        result = con.execute(sql, [str(folder / f"{name}.parquet"), person_id])
        cols = [c[0] for c in result.description]
        return [dict(zip(cols, r, strict=True)) for r in result.fetchall()]

    people = rows("people")
    if not people:
        raise InputError("person", f"no person {person_id} in the register")
    who = people[0]
    hukou = [h for h in rows("hukou", "ORDER BY since") if h["since"] <= d]
    if not hukou:
        raise InputError("person", f"person {person_id} has no hukou registered on or before {d.isoformat()}")
    facts: dict[str, Any] = {"birth_date": who["birth_date"].isoformat(),
                             "hukou": {"place": hukou[-1]["place"], "urban": hukou[-1]["urban"]}}
    if who["residence_known"]:
        facts["residence"] = [{"from": _iso(r["start"]), "to": _iso(r["end"]), "place": r["place"],
                               **({"urban": r["urban"]} if r["urban"] is not None else {})}
                              for r in rows("residence", "ORDER BY start")]
    if who["housing_known"]:
        housing = rows("housing")
        facts["housing"] = ({"kind": housing[0]["kind"],
                             **({"registered": housing[0]["registered"]} if housing[0]["registered"] is not None else {})}
                            if housing else {"kind": "none"})
    if who["employment_known"]:
        facts["employment"] = [{"from": _iso(r["start"]), "to": _iso(r["end"])} for r in rows("employment", "ORDER BY start")]
    if who["social_insurance_known"]:
        facts["social_insurance"] = [{"from": _month(r["start_month"]), "to": _month(r["end_month"])}
                                     for r in rows("social_insurance", "ORDER BY start_month")]
    if who["education_known"]:
        facts["education"] = [{k: _iso(v) for k, v in r.items() if k != "person_id" and v is not None}
                              for r in rows("education", "ORDER BY admitted")]
    if who["qualifications_known"]:
        facts["qualifications"] = [{k: _iso(v) for k, v in r.items() if k != "person_id" and v is not None}
                                   for r in rows("qualifications")]
    military = rows("military")
    if military:
        facts["military"] = {k: _iso(v) for k, v in military[0].items() if k != "person_id" and v is not None}
    family = rows("family")
    if family:
        spouse = [f for f in family if f["relation"] == "spouse"]
        facts["family"] = {
            **({"spouse": {"moving": spouse[0]["moving"]}} if spouse else {}),
            "children": [{"birth_date": f["birth_date"].isoformat(), "moving": f["moving"]}
                         for f in family if f["relation"] == "child"],
            "parents": [{"moving": f["moving"]} for f in family if f["relation"] == "parent"],
        }
    return facts

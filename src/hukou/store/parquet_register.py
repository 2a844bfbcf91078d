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
from hukou.registry.person_facts import ORDER, facts_at


def write_files(tables: dict[str, pa.Table], folder: str | Path, fmt: str = "parquet") -> Path:
    """Write each table as `<folder>/<name>.<fmt>` (csv or parquet), each to a temporary name first and
    then renamed, so a reader never sees half a file."""
    import pyarrow.csv as pacsv

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        tmp = folder / f".{name}.{fmt}.tmp"
        if fmt == "csv":
            pacsv.write_csv(table, tmp)
        else:
            pq.write_table(table, tmp, compression="zstd", row_group_size=1 << 20)
        tmp.replace(folder / f"{name}.{fmt}")
    return folder


def write_register(tables: dict[str, pa.Table], folder: str | Path) -> Path:
    """A register folder: every fact table in its schema (empty where absent), plus any other tables given."""
    shaped = {name: tables[name].cast(SCHEMAS[name]) if name in tables else SCHEMAS[name].empty_table() for name in TABLES}
    shaped.update({name: t for name, t in tables.items() if name not in SCHEMAS})
    return write_files(shaped, folder)


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


def person_facts(folder: str | Path, person_id: int, d: date) -> dict[str, Any]:
    """One person's RULEBOOK §2 facts at d from the register folder."""
    folder = Path(folder)
    _check_folder(folder)
    con = duckdb.connect()

    def rows(name: str) -> list[dict]:
        order = ", ".join(ORDER.get(name, ()))
        sql = "SELECT * FROM read_parquet(?) WHERE person_id = ?" + (f" ORDER BY {order}" if order else "")
        result = con.execute(sql, [str(folder / f"{name}.parquet"), person_id])
        cols = [c[0] for c in result.description]
        return [dict(zip(cols, r, strict=True)) for r in result.fetchall()]

    return facts_at(person_id, d, rows)

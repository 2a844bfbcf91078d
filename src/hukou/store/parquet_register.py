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
import pyarrow.compute as pc
import pyarrow.parquet as pq

from hukou.policy.errors import InputError
from hukou.registry.fact_tables import SCHEMAS, SORTED_BY, TABLES
from hukou.registry.person_facts import ORDER, facts_at


# Row groups of the person-sorted tables hold the records of the same blocks of people in every
# table (this many people each, fewer in a small register): a range of people is then one row group
# of each table, read whole, with no records of other people and no copying of chunks (DuckDB skips
# the other row groups by their person_id minimum and maximum)
ROW_GROUP_PEOPLE = 1 << 20


def write_files(tables: dict[str, pa.Table], folder: str | Path, fmt: str = "parquet") -> Path:
    """Write each table as `<folder>/<name>.<fmt>` (csv or parquet), each to a temporary name first and
    then renamed, so a reader never sees half a file. Parquet tables with a `person_id` are written
    sorted by it and then by `SORTED_BY` (stably: other records keep their order), so the register can
    be read a range of people at a time (`person_ranges`) and its periods in order (`sorted_facts`)."""
    import pyarrow.csv as pacsv

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    blocks = None
    if "people" in tables and tables["people"].num_rows and tables["people"]["person_id"].null_count == 0:
        ids = pc.unique(tables["people"]["person_id"]).sort().to_numpy()
        # (a small register in at least 8 blocks, so that it too can be read in parallel)
        size = min(ROW_GROUP_PEOPLE, max(-(-len(ids) // 8), 1 << 16))
        blocks = ids[size::size]  # the first person of every block but the first
    for name, table in tables.items():
        tmp = folder / f".{name}.{fmt}.tmp"
        if fmt == "csv":
            pacsv.write_csv(table, tmp)
        elif "person_id" in table.column_names:
            keys = ("person_id", *(k for k in SORTED_BY.get(name, ()) if k in table.column_names))
            if not _sorted(table, keys):
                table = table.take(pc.sort_indices(table, [(k, "ascending", "at_end") for k in keys]))
            _write_by_person_blocks(table, tmp, blocks, _layout(name, table.schema))
        else:
            pq.write_table(table, tmp, **_layout(name, table.schema))
        tmp.replace(folder / f"{name}.{fmt}")
    return folder


def _write_by_person_blocks(table: pa.Table, path: Path, blocks, layout: dict[str, Any]) -> None:
    """A person-sorted table with one row group per block of people (`blocks`: the first person of
    each block after the first; None: blocks of ROW_GROUP_PEOPLE rows)."""
    if blocks is None or table["person_id"].null_count:
        cuts = list(range(ROW_GROUP_PEOPLE, table.num_rows, ROW_GROUP_PEOPLE))
    else:
        cuts = table["person_id"].to_numpy().searchsorted(blocks).tolist()
    edges = [0, *cuts, table.num_rows]
    with pq.ParquetWriter(path, table.schema, **layout) as writer:
        if table.num_rows == 0:
            writer.write_table(table)
        for a, b in zip(edges, edges[1:], strict=False):
            if b > a:
                writer.write_table(table.slice(a, b - a), row_group_size=b - a)


def _layout(name: str, schema: pa.Schema) -> dict[str, Any]:
    """How a table is encoded. The fact tables, read whole by every simulation, favour reading speed:
    numbers and dates as deltas (sorted ids and ordered dates shrink to a few bits each) and no general
    compression, which is both faster to read (about twice, measured at 10M) and here smaller than
    zstd; strings keep their dictionaries. Other tables (names, identity numbers) are zstd-compressed."""
    if name not in SCHEMAS:
        return {"compression": "zstd"}
    delta = [f.name for f in schema if pa.types.is_integer(f.type) or pa.types.is_date(f.type)]
    return {"compression": "none", "use_dictionary": [f.name for f in schema if f.name not in delta],
            "column_encoding": dict.fromkeys(delta, "DELTA_BINARY_PACKED")}


def _sorted(table: pa.Table, keys: tuple[str, ...]) -> bool:
    """Already in order of `keys` (most generated tables are): no need to sort, which costs seconds at scale."""
    if table.num_rows < 2:
        return True
    n = table.num_rows - 1
    ahead = pa.scalar(False)  # rows already ordered by an earlier key
    tied = pa.scalar(True)
    for key in keys:
        column = table[key].combine_chunks()
        a, b = column.slice(0, n), column.slice(1)
        # NULL sorts last: a NULL followed by a value is out of order, a value followed by NULL is not
        less = pc.if_else(pc.is_null(a), False, pc.if_else(pc.is_null(b), True, pc.less(a, b)))
        equal = pc.if_else(pc.is_null(a), pc.is_null(b), pc.fill_null(pc.equal(a, b), False))
        ahead = pc.or_(ahead, pc.and_(tied, less))
        tied = pc.and_(tied, equal)
    return bool(pc.all(pc.or_(ahead, tied)).as_py())


def write_register(tables: dict[str, pa.Table], folder: str | Path) -> Path:
    """A register folder: every fact table in its schema (empty where absent), plus any other tables given."""
    shaped = {name: tables[name].cast(SCHEMAS[name]) if name in tables else SCHEMAS[name].empty_table() for name in TABLES}
    shaped.update({name: t for name, t in tables.items() if name not in SCHEMAS})
    return write_files(shaped, folder)


def _check_folder(folder: Path) -> None:
    """A register folder holds every fact table, each with the columns of `fact_tables.SCHEMAS` in
    types that read as theirs (`_readable_as`): checked on the files' footers before anything is read,
    so that a register written by another tool fails with the field named, not with wrong verdicts."""
    if not folder.is_dir():
        raise InputError("register", f"no register folder at {folder}")
    lacking = [name for name in TABLES if not (folder / f"{name}.parquet").exists()]
    if lacking:
        raise InputError("register", f"{folder} lacks {', '.join(f'{n}.parquet' for n in lacking)}")
    for name in TABLES:
        if (folder / f"{name}.parquet").is_dir():
            raise InputError("register", f"{name}.parquet is a folder of part files: read such a register with --engine spark")
        found = pq.read_schema(folder / f"{name}.parquet")
        for field in SCHEMAS[name]:
            if field.name not in found.names:
                raise InputError(f"{name}.{field.name}", f"{name}.parquet has no column {field.name!r}")
            actual = found.field(field.name).type
            if not _readable_as(actual, field.type):
                raise InputError(f"{name}.{field.name}", f"expected {field.type} in {name}.parquet, found {actual}")
    nulls = _null_count(folder / "hukou.parquet", "seq")
    if nulls:
        raise InputError("hukou.seq", f"{nulls:,} registrations in hukou.parquet have no seq (their number in the order "
                                      "written), so which one of a day is in force is not known")


def _null_count(path: Path, column: str) -> int:
    """NULLs in a column by the file's statistics (0 where a row group has none)."""
    meta = pq.ParquetFile(path).metadata
    j = meta.schema.to_arrow_schema().get_field_index(column)
    groups = (meta.row_group(i).column(j).statistics for i in range(meta.num_row_groups))
    return sum(s.null_count for s in groups if s is not None and s.has_null_count)


def _readable_as(actual: pa.DataType, expected: pa.DataType) -> bool:
    """A file's column type that the engines read as the schema's: the same, any integer for an
    integer, a 64-bit date for a date, and any string or dictionary of strings for a string."""
    if actual == expected:
        return True
    if pa.types.is_integer(expected):
        return pa.types.is_integer(actual)
    if pa.types.is_date32(expected):
        return pa.types.is_date64(actual)
    if pa.types.is_string(expected):
        if pa.types.is_dictionary(actual):
            actual = actual.value_type
        return pa.types.is_string(actual) or pa.types.is_large_string(actual)
    return False


def _conform(name: str, t: pa.Table) -> pa.Table:
    """A table read from a register file in the schema's types (strings may stay dictionaries)."""
    for field in SCHEMAS[name]:
        actual = t.schema.field(field.name).type
        if actual != field.type and not (pa.types.is_dictionary(actual) and pa.types.is_string(actual.value_type)):
            t = t.set_column(t.schema.get_field_index(field.name), field.name, t[field.name].cast(field.type))
    return t


# The people a query over the register's views sees: a range of person ids, all of them by default
FROM_VAR, TO_VAR = "register_person_from", "register_person_to"
ALL_PEOPLE = (-(1 << 63), (1 << 63) - 1)


def open_register(folder: str | Path, con: Any = None) -> tuple[Any, dict[str, Any]]:
    """An Ibis DuckDB connection and the register's tables as lazy views over the Parquet files.

    Each view holds the rows of the people in the connection's current range (every person unless
    `run_by_person_ranges` is running), so one compiled query can be run a range at a time."""
    folder = Path(folder)
    _check_folder(folder)
    con = con or ibis.duckdb.connect()
    con.raw_sql("SET enable_progress_bar = false")
    _set_range(con, ALL_PEOPLE)
    for name in TABLES:
        path = str(folder / f"{name}.parquet").replace("'", "''")
        con.raw_sql(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM read_parquet('{path}') "
                    f"WHERE person_id BETWEEN getvariable('{FROM_VAR}') AND getvariable('{TO_VAR}')")
    return con, {name: con.table(name) for name in TABLES}


def _set_range(con: Any, person_range: tuple[int, int]) -> None:
    lo, hi = person_range
    con.raw_sql(f"SET VARIABLE {FROM_VAR} = CAST({int(lo)} AS BIGINT)")
    con.raw_sql(f"SET VARIABLE {TO_VAR} = CAST({int(hi)} AS BIGINT)")


def _person_id_bounds(path: Path) -> dict[int, tuple[int, int]] | None:
    """Each non-empty row group's smallest and largest person id, by row group, or None when a row
    group has no statistics."""
    meta = pq.ParquetFile(path).metadata
    column = meta.schema.to_arrow_schema().get_field_index("person_id")
    bounds = {}
    for i in range(meta.num_row_groups):
        stats = meta.row_group(i).column(column).statistics
        if meta.row_group(i).num_rows == 0:
            continue
        if stats is None or not stats.has_min_max:
            return None
        bounds[i] = (stats.min, stats.max)
    return bounds


def people_count(folder: str | Path) -> int:
    return pq.ParquetFile(Path(folder) / "people.parquet").metadata.num_rows


def person_ranges(folder: str | Path, people_per_range: int = 1 << 19) -> list[tuple[int, int]]:
    """Ranges of person ids that split the register into parts of about `people_per_range` people,
    when every table's file is sorted by person id (so a range reads only its own row groups);
    otherwise one range that holds everyone."""
    folder = Path(folder)
    people = None
    for name in TABLES:
        bounds = _person_id_bounds(folder / f"{name}.parquet")
        spans = list(bounds.values()) if bounds is not None else None
        if spans is None or any(a[1] > b[0] for a, b in zip(spans, spans[1:], strict=False)):
            return [ALL_PEOPLE]
        if name == "people":
            people = bounds
    meta = pq.ParquetFile(folder / "people.parquet").metadata
    starts, count = [], people_per_range
    for i, (lo, _) in people.items():
        n = meta.row_group(i).num_rows
        if count >= people_per_range:
            starts.append(lo)
            count = 0
        count += n
    if len(starts) <= 1:
        return [ALL_PEOPLE]
    # every id belongs to exactly one range: from one start to just before the next
    edges = [ALL_PEOPLE[0], *starts[1:], ALL_PEOPLE[1] + 1]
    return [(a, b - 1) for a, b in zip(edges, edges[1:], strict=False)]


def run_by_person_ranges(con: Any, expr: Any, ranges: list[tuple[int, int]]) -> pa.Table:
    """The result of a per-person query over the register's views, compiled once and run one range of
    people at a time (DuckDB then holds hash tables of a range's size: less memory). Correct for
    queries whose rows each depend on one person's records only, as the verdicts do."""
    if ranges == [ALL_PEOPLE]:
        return expr.to_pyarrow()
    sql = con.compile(expr)
    parts = []
    try:
        for person_range in ranges:
            _set_range(con, person_range)
            parts.append(con.con.execute(sql).to_arrow_table())
    finally:
        _set_range(con, ALL_PEOPLE)
    return pa.concat_tables(parts).cast(expr.schema().to_pyarrow())


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


def _string_columns(name: str) -> list[str]:
    return [f.name for f in SCHEMAS[name] if f.type == pa.string()]


class RangeReader:
    """Reads the rows of a range of people from every table of a person-sorted register folder: only
    the row groups that can hold them, then the exact rows (a slice, as the files are sorted). Strings
    come as dictionaries (few distinct place codes and kinds: no string is built per row)."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        _check_folder(self.folder)
        self.bounds = {name: _person_id_bounds(self.folder / f"{name}.parquet") for name in TABLES}

    def read(self, name: str, person_range: tuple[int, int]) -> pa.Table:
        lo, hi = person_range
        # (a fresh reader per call: one ParquetFile is not safe to share between threads)
        f = pq.ParquetFile(self.folder / f"{name}.parquet", read_dictionary=_string_columns(name))
        if self.bounds[name] is None or person_range == ALL_PEOPLE:
            t = f.read(use_threads=True)
        else:
            groups = [i for i, (a, b) in self.bounds[name].items() if b >= lo and a <= hi]
            if not groups:
                return _conform(name, f.schema_arrow.empty_table())
            t = f.read_row_groups(groups, use_threads=False)
        t = _conform(name, t)
        if person_range == ALL_PEOPLE:
            return t
        if all(lo <= a and b <= hi for a, b in (self.bounds[name][i] for i in groups)):
            return t  # row groups aligned with the range (`write_files`): every row is the range's
        ids = t["person_id"].combine_chunks().to_numpy()
        if len(ids) > 1 and (ids[1:] < ids[:-1]).any():
            return t.filter(pc.and_(pc.greater_equal(t["person_id"], lo), pc.less_equal(t["person_id"], hi)))
        a, b = ids.searchsorted(lo, "left"), ids.searchsorted(hi, "right")
        return t.slice(a, b - a)

    def tables(self, person_range: tuple[int, int]) -> dict[str, pa.Table]:
        return {name: self.read(name, person_range) for name in TABLES}

"""The verdict table's columns as every engine returns them: its lists built from flags after the query.

The rule expressions (`columnar.rules_table`) give each list of a verdict as boolean flag columns
named `<prefix><n>_<label>`, in list order: the key groups (`kg`), the keys settlement still asks
(`ms`, `missing_keys`) and the keys the permit still asks (`mp`). Lists are the costliest thing to
build per row in SQL, so they are built here from the flags (`with_lists`), or, by an engine that
writes its result where it runs, in the query itself (`columnar.verdict_rows`, from `flag_columns`).
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numba import njit

OUTPUT_COLUMNS = ("person_id", "township", "settlement", "settlement_reason", "route", "household",
                  "route_talent", "route_student", "route_general", "key_groups", "followers", "settlement_missing",
                  "residence_permit", "permit_reason", "permit_missing", "guardian_required", "failed_rule")
LISTS = {"key_groups": "kg", "settlement_missing": "ms", "permit_missing": "mp"}  # list column → its flags' prefix
_FLAG = re.compile(r"^(kg|ms|mp)\d+_(.+)$")


def is_flag(column: str) -> bool:
    return _FLAG.match(column) is not None


def flag_columns(columns, list_name: str) -> list[tuple[str, str]]:
    """The flags of one list among the columns, in order, each with its label."""
    found = [(c, _FLAG.match(c)) for c in columns]
    return [(c, m.group(2)) for c, m in found if m and m.group(1) == LISTS[list_name]]


@njit(nogil=True, cache=True)
def _lists_of_flags(flags):
    """Offsets and values of a list column whose row i lists the j for which flags[j, i] holds (each
    flag read along its row: most are unset, and the loops stay sequential)."""
    m, n = flags.shape
    offsets = np.zeros(n + 1, np.int32)
    for j in range(m):
        for i in range(n):
            offsets[i + 1] += flags[j, i]
    for i in range(n):
        offsets[i + 1] += offsets[i]
    values = np.empty(offsets[n], np.int32)
    at = offsets[:-1].copy()
    for j in range(m):
        for i in range(n):
            if flags[j, i]:
                values[at[i]] = j
                at[i] += 1
    return offsets, values


def _list_column(labels: list[str], flags: list[np.ndarray], n: int) -> pa.ListArray:
    offsets, values = _lists_of_flags(np.stack(flags) if flags else np.zeros((0, n), bool))
    return pa.ListArray.from_arrays(pa.array(offsets), pa.array(labels, pa.string()).take(pa.array(values)))


def with_lists(table: pa.Table, flags: dict[str, np.ndarray] | None = None) -> pa.Table:
    """The verdicts in `OUTPUT_COLUMNS`: each list built from its flags (columns of the table, or
    NumPy arrays by column name), and every string column as a dictionary of its few values (as the
    in-memory engine returns them: one schema for every engine; a township's code may need more than
    a byte, the rules' words never do)."""
    n = table.num_rows
    names = list(flags) if flags is not None else table.column_names
    lists = {}
    for name in LISTS:
        found = flag_columns(names, name)
        values = [flags[c] if flags is not None else pc.fill_null(table[c], False).to_numpy(zero_copy_only=False)
                  for c, _ in found]
        lists[name] = _list_column([label for _, label in found], values, n)
    out = table.select([c for c in table.column_names if not is_flag(c)])
    for i, field in enumerate(out.schema):
        wanted = pa.dictionary(pa.int32() if field.name == "township" else pa.int8(), pa.string())
        if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
            out = out.set_column(i, field.name, out[field.name].cast(pa.string()).dictionary_encode().cast(wanted))
        elif pa.types.is_dictionary(field.type) and field.type != wanted:
            out = out.set_column(i, field.name, out[field.name].cast(wanted))
    for name, column in lists.items():
        out = out.append_column(name, column)
    return out.select(list(OUTPUT_COLUMNS))

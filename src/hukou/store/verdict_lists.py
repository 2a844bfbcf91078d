"""The verdict table's columns as every engine returns them: its lists built after the query.

Lists are the costliest thing to build per row in SQL, so the rule expressions
(`columnar.rules_table`) give each as numbers and this module builds them (`with_lists`): the key
groups as boolean flag columns `kg_<group>`, in rulebook order; the keys settlement and the permit
still ask as one integer each (`settlement_asked`, `permit_asked`: bits of unknown conditions and
routes, `missing_keys`), read here in the single engine's order. An engine that writes its result
where it runs builds the lists in the query instead (`columnar.verdict_rows`).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numba import njit

from hukou.store.missing_keys import Questions

OUTPUT_COLUMNS = ("person_id", "township", "settlement", "settlement_reason", "route", "household",
                  "route_talent", "route_student", "route_general", "key_groups", "followers", "settlement_missing",
                  "residence_permit", "permit_reason", "permit_missing", "guardian_required", "failed_rule")
ASKED = {"settlement_missing": "settlement_asked", "permit_missing": "permit_asked"}  # list → its bits' column


def is_flag(column: str) -> bool:
    return column.startswith("kg_")


def key_group_flags(columns) -> list[tuple[str, str]]:
    """The key-group flags among the columns, in order, each with its group."""
    return [(c, c[len("kg_"):]) for c in columns if is_flag(c)]


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


@njit(nogil=True, cache=True)
def _lists_of_questions(bits, gates, keys):
    """Offsets and values of a list column whose row i lists, in condition order and each once, the
    keys of the conditions j whose bit j is set in bits[i] and whose gate bit (if any) is too."""
    n = len(bits)
    offsets = np.zeros(n + 1, np.int32)
    values = np.empty(0, np.int32)
    for counting in (True, False):
        if not counting:
            values = np.empty(offsets[n], np.int32)
        for i in range(n):
            b = bits[i]
            at = offsets[i]
            if b != 0:
                seen = 0
                for j in range(len(keys)):
                    if (b >> j) & 1 and (gates[j] < 0 or (b >> gates[j]) & 1) and not (seen >> keys[j]) & 1:
                        seen |= 1 << keys[j]
                        if not counting:
                            values[at] = keys[j]
                        at += 1
            if counting:
                offsets[i + 1] = at
    return offsets, values


def _list_column(labels, offsets: np.ndarray, values: np.ndarray) -> pa.ListArray:
    return pa.ListArray.from_arrays(pa.array(offsets), pa.array(labels, pa.string()).take(pa.array(values)))


def with_lists(table: pa.Table, questions: dict[str, Questions], flags: dict[str, np.ndarray] | None = None) -> pa.Table:
    """The verdicts in `OUTPUT_COLUMNS`: the key groups from their flags (columns of the table, or
    NumPy arrays by column name), the keys still asked from their bits (`questions`: each list's, from
    `missing_keys`), and every string column as a dictionary of its few values (as the in-memory
    engine returns them: one schema for every engine; a township's code may need more than a byte,
    the rules' words never do)."""
    n = table.num_rows
    groups = key_group_flags(list(flags) if flags is not None else table.column_names)
    values = [flags[c] if flags is not None else pc.fill_null(table[c], False).to_numpy(zero_copy_only=False)
              for c, _ in groups]
    lists = {"key_groups": _list_column([g for _, g in groups],
                                        *_lists_of_flags(np.stack(values) if values else np.zeros((0, n), bool)))}
    for name, column in ASKED.items():
        bits = pc.fill_null(table[column], 0).to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
        lists[name] = _list_column(questions[name].labels, *_lists_of_questions(bits, *questions[name].arrays()))
    out = table.select([c for c in table.column_names if not is_flag(c) and c not in ASKED.values()])
    for i, field in enumerate(out.schema):
        wanted = pa.dictionary(pa.int32() if field.name == "township" else pa.int8(), pa.string())
        if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
            out = out.set_column(i, field.name, out[field.name].cast(pa.string()).dictionary_encode().cast(wanted))
        elif pa.types.is_dictionary(field.type) and field.type != wanted:
            out = out.set_column(i, field.name, out[field.name].cast(wanted))
    for name, column in lists.items():
        out = out.append_column(name, column)
    return out.select(list(OUTPUT_COLUMNS))

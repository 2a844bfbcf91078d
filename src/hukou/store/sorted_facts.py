"""The columnar engine's per-person facts over register tables grouped by person, by compiled loops.

`columnar.facts_table` states these facts as Ibis expressions (group-bys, joins, windows) that every
backend runs. On one machine the same facts come far faster without hashing: in a table sorted by
person every person's records are one run of rows, so all of a table's facts are one pass over its
rows (`fact_kernels`), a join is a walk beside the sorted people, and the windows that measure a union
of periods are a running maximum carried along the run.

`fact_columns(tables, d, policy)` gives the facts as NumPy arrays (value, and where SQL may have NULL,
a mask of the known rows) for every person, for the rule kernel; `facts(tables, d, policy)` returns
them as the table `columnar.facts_table` returns (same columns, same values, NULL where SQL has NULL:
tests/test_sorted_facts.py holds the two column by column).
"""

from __future__ import annotations

from datetime import date
from typing import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hukou.policy.conditions import STABLE_KINDS
from hukou.policy.errors import InputError
from hukou.policy.facts import HIGHER_EDUCATION
from hukou.policy.key_groups import MINOR_AGE
from hukou.policy.policy_file import Policy
from hukou.policy.settlement import P_SOCIAL_INSURANCE
from hukou.registry.fact_tables import SORTED_BY
from hukou.store import fact_kernels as k
from hukou.store.columnar import EPOCH, LIST_TABLES, SEQ_SPAN, last_birth_date_of_age, list_condition_paths

# A fact: its values, and which of them are known (None: all are)
Fact = tuple[np.ndarray, "np.ndarray | None"]


def _array(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    if isinstance(column, pa.ChunkedArray):
        return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
    return column


def _column(column: pa.ChunkedArray | pa.Array, dtype) -> tuple[np.ndarray, np.ndarray, int]:
    """A fixed-width or boolean column as the kernels read it: Arrow's value buffer (bits for
    booleans), its validity bitmap (all ones when nothing is NULL) and the offset into both. No copy
    of a column of one chunk."""
    a = _array(column)
    if len(a) == 0:
        return np.zeros(0, dtype), np.zeros(0, np.uint8), 0
    buffers = a.buffers()
    if a.null_count == 0:
        valid = np.full((a.offset + len(a) + 7) // 8, 255, np.uint8)
    else:
        valid = np.frombuffer(buffers[0], np.uint8)
    return np.frombuffer(buffers[1], dtype), valid, a.offset


def _dates(column) -> tuple[np.ndarray, np.ndarray, int]:
    return _column(column, np.int32)


def _bools(column) -> tuple[np.ndarray, np.ndarray, int]:
    return _column(column, np.uint8)


def _ids(t: pa.Table) -> np.ndarray:
    """The person ids of a table's rows (tables are first stripped of rows without one)."""
    return _array(t["person_id"]).to_numpy()


def _on_values(column: pa.ChunkedArray, fn: Callable[[pa.Array], np.ndarray], null) -> np.ndarray:
    """`fn` applied to a string column's distinct values (its dictionary) and spread to the rows; NULL
    rows get `null`. Reading strings as dictionaries keeps this one pass over small integers."""
    parts = []
    for chunk in column.chunks:
        if not pa.types.is_dictionary(chunk.type):
            chunk = chunk.dictionary_encode()
        table = np.asarray(fn(chunk.dictionary))
        out = np.append(table, np.array([null], dtype=table.dtype))
        indices = pc.fill_null(chunk.indices, len(table)).to_numpy(zero_copy_only=False)
        parts.append(out[indices])
    if not parts:
        return np.zeros(0, dtype=np.asarray(fn(pa.array([], pa.string()))).dtype)
    return np.concatenate(parts)


def _flags(column: pa.ChunkedArray, *sets: frozenset | set) -> np.ndarray:
    """A string column as bit flags per row (bit i: the value is in sets[i]), -1 where NULL."""
    def code(values: pa.Array) -> np.ndarray:
        return np.array([sum(1 << i for i, s in enumerate(sets) if v in s) for v in values.to_pylist()], np.int8)
    return _on_values(column, code, -1)


class _Tables:
    """The register's tables for one set of people (sorted ids), each kernel run over a table's rows
    in person order."""

    def __init__(self, tables: dict[str, pa.Table], people: np.ndarray):
        self.tables = dict(tables)
        self.people = people
        self.n = len(people)

    def run(self, name: str, kernel, args: Callable[[pa.Table], tuple], *extra, ordered: bool = False):
        """`kernel(n, index, base, *args(table), *extra)`. A table out of person order is sorted first
        (by person, then its record order); with `ordered`, the kernel also checks each person's
        periods are in order, and is run again on the table sorted when they are not."""
        t = self.tables[name]
        if t.num_rows and t["person_id"].null_count:
            t = t.filter(pc.is_valid(t["person_id"]))
        ids = _ids(t)
        if len(ids) > 1 and (ids[1:] < ids[:-1]).any():
            t = self._sort(name, t)
        out = kernel(self.n, *k.readonly(*self._index(t), *args(t), *extra))
        if ordered:
            if out[0] == k.NOT_SORTED:
                t = self._sort(name, t)
                out = kernel(self.n, *k.readonly(*self._index(t), *args(t), *extra))
                assert out[0] != k.NOT_SORTED
            out = out[1:]
        self.tables[name] = t
        return out

    @staticmethod
    def _sort(name: str, t: pa.Table) -> pa.Table:
        keys = ("person_id", *SORTED_BY.get(name, ()))
        return t.take(pc.sort_indices(t, [(key, "ascending", "at_end") for key in keys]))

    def _index(self, t: pa.Table) -> tuple[np.ndarray, int]:
        """Each row's person as `index - base`: people numbered without gaps (the usual register) are
        found by subtraction, others by search (rows of ids not among them: -1)."""
        ids, people = _ids(t), self.people
        if self.n == 0:
            return ids, 0
        if people[-1] - people[0] == self.n - 1:
            return ids, int(people[0])
        index = np.searchsorted(people, ids)
        found = index < self.n
        found[found] = people[index[found]] == ids[found]
        index[~found] = -1
        return index, 0


def _sorted_people(people: pa.Table) -> pa.Table:
    if people["person_id"].null_count:
        raise InputError("people.person_id", f"{people['person_id'].null_count:,} of the people have no person id")
    ids = _array(people["person_id"]).to_numpy()
    if len(ids) > 1 and (ids[1:] <= ids[:-1]).any():
        if len(np.unique(ids)) != len(ids):
            raise InputError("people.person_id", "a person id occurs more than once")
        people = people.take(np.argsort(ids, kind="stable"))
    return people


def fact_columns(tables: dict[str, pa.Table], d: date, policy: Policy) -> tuple[pa.Table, np.ndarray, dict[str, Fact]]:
    """The people (sorted by id), which of them are registered at d, and every per-person fact of
    `columnar.facts_table` for each of them (string columns of the tables may be dictionaries)."""
    dd = (d - EPOCH).days
    people = _sorted_people(tables["people"])
    ids = _array(people["person_id"]).to_numpy()
    run = _Tables(tables, ids).run
    cols: dict[str, Fact] = {}

    # the registration in force at d (columnar.facts_table: the packed maximum)
    city = policy.city.code
    latest = run("hukou", k.hukou_latest, lambda t: (
        *_dates(t["since"]), *_column(t["seq"], np.int32),
        _on_values(t["place"], lambda v: pc.fill_null(pc.starts_with(v, city), False)
                   .to_numpy(zero_copy_only=False).astype(np.int64), 0),
        *_bools(t["urban"])), dd, SEQ_SPAN)
    birth = _array(people["birth_date"])
    registered = latest >= 0
    if len(birth):
        registered &= pc.fill_null(pc.less_equal(birth, pa.scalar(d, pa.date32())), False).to_numpy(zero_copy_only=False)
    cols["hukou_local"] = ((latest & 2) != 0, None)
    cols["hukou_urban"] = ((latest & 1) != 0, None)

    t, v = run("education", k.education, lambda t: (
        _flags(t["level"], HIGHER_EDUCATION, {"vocational"}), *_dates(t["admitted"]), *_dates(t["graduated"]),
        *_bools(t["institution_in_city"]), *_bools(t["abroad"]), *_bools(t["certified"])), dd)
    cols.update({name: (t[i], v[i]) for i, name in enumerate(k.EDUCATION)})

    cols["q_obtained"] = tuple(run("qualifications", k.any_day_on_or_before, lambda t: _dates(t["obtained"]), dd))

    no_place = (np.zeros(0, np.int64), np.zeros(0, np.uint8), np.zeros(0, np.uint8), 0)
    present, flags, _, town, urban_days, last_end, run_start = run("residence", k.periods, lambda t: (
        *_dates(t["start"]), *_dates(t["end"]),
        _on_values(t["place"], lambda v: np.array([_township(x) for x in v.to_pylist()], np.int64), -1),
        *_bools(t["urban"])), dd, ordered=True)
    cols["r_covers"] = (flags[0], present)
    cols["r_township"] = (town, town >= 0)
    cols["r_urban_true"] = (flags[1], present)
    cols["r_urban_null"] = (flags[2], present)
    cols["r_urban_days"] = (urban_days, present)
    cols["r_last_end"] = (last_end, present)
    cols["r_run_start"] = (run_start, present & (run_start != k.NO_DAY))

    present, flags, days, *_ = run("employment", k.periods, lambda t: (
        *_dates(t["start"]), *_dates(t["end"]), *no_place), dd, ordered=True)
    cols["j_employed"] = (flags[0], present)
    cols["j_days"] = (days, present)

    facts_read = {c.require.fact for c in policy.extra_conditions}
    if policy.values_at(d)[P_SOCIAL_INSURANCE] > 0 or "social_insurance_months" in facts_read:
        d_month = d.year * 12 + d.month - 1
        present, _, months, *_ = run("social_insurance", k.periods, lambda t: (
            *_column(t["start_month"], np.int32), *_column(t["end_month"], np.int32), *no_place), d_month, ordered=True)
        cols["si_months"] = (months, present)

    ranks: dict[str, int] = {}
    if "housing.kind" in facts_read:
        kinds = pc.unique(tables["housing"]["kind"].cast(pa.string())).to_pylist()
        ranks = {v: i for i, v in enumerate(sorted(v for v in kinds if v is not None))}
    t, v, best = run("housing", k.housing, lambda t: (
        _flags(t["kind"], STABLE_KINDS, {"rented"}),
        _on_values(t["kind"], lambda d: np.array([ranks.get(x, -1) for x in d.to_pylist()], np.int64), -1)
        if ranks else np.zeros(0, np.int64),
        *_bools(t["registered"])))
    cols.update({name: (t[i], v[i]) for i, name in enumerate(k.HOUSING)})
    if ranks:
        cols["h_kind"] = (np.array(sorted(ranks) + [None], dtype=object)[np.where(best < 0, len(ranks), best)],
                          best >= 0)

    cols["m_discharged"] = tuple(run("military", k.any_day_on_or_before, lambda t: _dates(t["discharged"]), dd))

    minor_after = (last_birth_date_of_age(d, MINOR_AGE) - EPOCH).days
    t, v, followers, present = run("family", k.family, lambda t: (
        _flags(t["relation"], {"child"}, {"spouse"}), *_dates(t["birth_date"]), *_bools(t["moving"])), dd, minor_after)
    cols.update({name: (t[i], v[i]) for i, name in enumerate(k.FAMILY)})
    cols["f_followers"] = (followers, present)

    for i, c in enumerate(policy.extra_conditions):
        path = list_condition_paths(c.require.fact)
        if path is not None:
            cols.update(_list_condition(run, tables, path, i, c.require, d))

    if "si_months" not in cols:
        cols["si_months"] = (np.zeros(len(ids), np.int64), np.zeros(len(ids), bool))
    # the current residence run is the last one, if it reaches d
    end, end_known = cols["r_last_end"]
    start, start_known = cols["r_run_start"]
    cols["run_start"] = (start, start_known & end_known & (end == dd))
    return people, registered, cols


def facts(tables: dict[str, pa.Table], d: date, policy: Policy) -> pa.Table:
    """`columnar.facts_table` over Arrow tables (string columns may be dictionaries): one row per
    person registered at d, in person order."""
    return as_table(*fact_columns(tables, d, policy))


def as_table(people: pa.Table, registered: np.ndarray, cols: dict[str, Fact]) -> pa.Table:
    """The facts of `fact_columns` as one table of the registered people (`columnar.facts_table`'s)."""
    everyone = bool(registered.all())  # usual: then nothing needs copying
    keep = None if everyone else np.flatnonzero(registered)
    out = people if everyone else people.take(pa.array(keep))
    for name, (values, valid) in cols.items():
        if keep is not None:
            values, valid = values[keep], None if valid is None else valid[keep]
        kind = pa.string() if values.dtype == object else None
        out = out.append_column(name, pa.array(values, kind, mask=None if valid is None else ~valid))
    return out


def _township(place: str | None) -> int:
    """The first nine digits of a place code as a number (SQL's CAST(substr(place, 1, 9) AS BIGINT))."""
    if place is None:
        return -1
    try:
        return int(place[:9].strip())
    except ValueError:
        raise InputError("residence.place", f"{place!r} is not a place code") from None


def _compare(actual: pa.ChunkedArray, op: str, value) -> tuple[np.ndarray, np.ndarray]:
    """columnar._compare on an Arrow column, as TRUE and FALSE masks (neither where the record's value
    is NULL)."""
    if pa.types.is_dictionary(actual.type):
        actual = actual.cast(actual.type.value_type)
    if op in ("in", "not_in"):
        result = pc.is_in(actual, value_set=pa.array(list(value), actual.type))
        result = pc.if_else(pc.is_valid(actual), result, pa.scalar(None, pa.bool_()))
        if op == "not_in":
            result = pc.invert(result)
    elif op == "startswith":
        result = pc.starts_with(actual.cast(pa.string()), str(value))
    else:
        fn = {"==": pc.equal, "!=": pc.not_equal, "<": pc.less, "<=": pc.less_equal, ">": pc.greater,
              ">=": pc.greater_equal}[op]
        result = fn(actual, pa.scalar(value, actual.type))
    t = pc.fill_null(result, False).to_numpy(zero_copy_only=False).astype(bool)
    f = pc.fill_null(pc.invert(result), False).to_numpy(zero_copy_only=False).astype(bool)
    return t, f


def _list_condition(run, tables, path: tuple[str, str], i: int, req, d: date) -> dict[str, Fact]:
    """columnar._list_conditions for one extra condition on a record path: per person whether some
    record (dated by d, where the table is dated) satisfies it and whether some leaves it unknown."""
    name, column = path
    if column not in tables[name].column_names:
        raise InputError(f"extra_conditions[{i}].require.fact", f"{name} has no field {column!r}")
    dated = LIST_TABLES[name][0]

    def rows(t: pa.Table) -> np.ndarray:
        if not dated:
            return np.ones(t.num_rows, bool)
        return pc.fill_null(pc.less_equal(t[dated], pa.scalar(d, t[dated].type)), False).to_numpy(zero_copy_only=False).astype(bool)

    def masks(t: pa.Table, which: str) -> tuple[np.ndarray, np.ndarray]:
        counted = rows(t)
        pred_t, pred_f = _compare(t[column], req.op, req.value)
        if which == "value":
            return pred_t & counted, pred_f & counted
        if which == "true":
            return pred_t & counted, ~pred_t & counted
        unknown = pc.is_null(t[column]).to_numpy(zero_copy_only=False).astype(bool)
        return unknown & counted, ~unknown & counted

    if name == "housing":
        return {f"x{i}_value": run(name, k.any_row, lambda t: masks(t, "value"))}
    return {f"x{i}_true": run(name, k.any_row, lambda t: masks(t, "true")),
            f"x{i}_null": run(name, k.any_row, lambda t: masks(t, "null"))}

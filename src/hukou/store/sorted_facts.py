"""The columnar engine's per-person facts found in NumPy, over register tables grouped by person.

`columnar.facts_table` states these facts as Ibis expressions (group-bys, joins, windows) that every
backend runs. On one machine the same facts come far faster without hashing: in a table sorted by
person every person's records are one run of rows, so a per-person aggregate is one pass over the
rows (a segment reduction), a join is an index into the people, and the windows that measure a
union of periods are a running maximum. `facts(tables, d, policy)` returns the same table as
`columnar.facts_table` (same columns, same values, NULL where SQL has NULL: tests/test_sorted_facts.py
holds the two column by column); the rules then run on it as the same Ibis expressions
(`columnar.rules_table`).

A boolean SQL value that may be NULL is kept as two masks, known-true and known-false (`Kleene`), so
AND, OR, NOT and SQL's `bool_or` behave exactly as in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
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
from hukou.store.columnar import EPOCH, LIST_TABLES, last_birth_date_of_age, list_condition_paths

NO_DAY = np.iinfo(np.int32).min  # a NULL date, as days: before every real one


@dataclass
class Kleene:
    """A column of SQL booleans: `t` where TRUE, `f` where FALSE, neither where NULL."""

    t: np.ndarray
    f: np.ndarray

    @classmethod
    def of(cls, values: np.ndarray) -> "Kleene":
        return cls(values, ~values)

    @classmethod
    def nullable(cls, values: np.ndarray, valid: np.ndarray) -> "Kleene":
        return cls(values & valid, ~values & valid)

    def __and__(self, other: "Kleene") -> "Kleene":
        return Kleene(self.t & other.t, self.f | other.f)

    def __or__(self, other: "Kleene") -> "Kleene":
        return Kleene(self.t | other.t, self.f & other.f)

    def __invert__(self) -> "Kleene":
        return Kleene(self.f, self.t)


def _arrow_kleene(values: pa.ChunkedArray | pa.Array) -> Kleene:
    v = pc.fill_null(values, False).to_numpy(zero_copy_only=False).astype(bool)
    valid = pc.is_valid(values).to_numpy(zero_copy_only=False).astype(bool)
    return Kleene.nullable(v, valid)


def _days(column: pa.ChunkedArray | pa.Array, fill: int = NO_DAY) -> np.ndarray:
    """A date (or integer) column as int64 days since 1970, NULL as `fill`."""
    if pa.types.is_date32(column.type):
        column = column.cast(pa.int32())
    return pc.fill_null(column, fill).to_numpy(zero_copy_only=False).astype(np.int64)


def _valid(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    if column.null_count == 0:
        return np.ones(len(column), bool)
    return pc.is_valid(column).to_numpy(zero_copy_only=False).astype(bool)


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


def _isin(column: pa.ChunkedArray, values) -> Kleene:
    """SQL `column IN values` on a string column (NULL where the column is NULL)."""
    wanted = set(values)
    hit = _on_values(column, lambda d: np.array([v in wanted for v in d.to_pylist()], bool), False)
    return Kleene.nullable(hit, _valid(column))


class Segments:
    """The rows of one table that belong to the registered people, as runs of rows per person.

    `person` is each row's index among the people (ascending: the table is sorted by person);
    `starts` are the first row of each run and `owner` the person of each run."""

    def __init__(self, person: np.ndarray, n_people: int):
        self.person = person
        self.n = n_people
        rows = len(person)
        if rows:
            self.starts = np.flatnonzero(np.r_[True, person[1:] != person[:-1]])
            self.owner = person[self.starts]
        else:
            self.starts = self.owner = np.zeros(0, np.int64)

    def present(self, rows: np.ndarray | None = None) -> np.ndarray:
        """People with at least one row (of `rows`, when given)."""
        out = np.zeros(self.n, bool)
        out[self.person if rows is None else self.person[rows]] = True
        return out

    def any(self, value: Kleene, present: np.ndarray) -> pa.Array:
        """SQL `bool_or` per person over the rows: TRUE if some row is TRUE, else FALSE if some row is
        FALSE, else NULL (and NULL for people without rows, as a LEFT JOIN gives)."""
        t = self.present(value.t)
        f = self.present(value.f) & ~t
        return pa.array(t, mask=~(t | f) | ~present)

    def reduce(self, ufunc: np.ufunc, values: np.ndarray, empty) -> np.ndarray:
        """`ufunc` over each person's rows; `empty` for people without rows."""
        out = np.full(self.n, empty, dtype=values.dtype)
        if len(values):
            out[self.owner] = ufunc.reduceat(values, self.starts)
        return out

    def sum(self, values: np.ndarray, present: np.ndarray) -> pa.Array:
        return pa.array(self.reduce(np.add, values.astype(np.int64), 0), mask=~present)

    def running_max_before(self, values: np.ndarray, skip: np.ndarray | None = None) -> np.ndarray:
        """For each row, the largest value among the earlier rows of the same person (rows in `skip`
        not counted), or NO_DAY where there is none: SQL's `max(v) OVER (PARTITION BY person ORDER BY …
        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)`, as one running maximum over keys that put
        the person above the value."""
        if not len(values):
            return values.copy()
        offset = values.min() if skip is None else values[~skip].min(initial=0)
        shifted = values - offset + 1  # ≥ 1; 0 stands for "no value"
        if skip is not None:
            shifted = np.where(skip, 0, shifted)
        span = int(shifted.max()) + 1
        key = self.person * span + shifted
        best = np.maximum.accumulate(key)
        before = np.r_[-1, best[:-1]]
        same = before // span == self.person
        value = before % span
        return np.where(same & (value > 0), value + offset - 1, NO_DAY)


def _covered_part(s: np.ndarray, e: np.ndarray, prev_max: np.ndarray) -> np.ndarray:
    """columnar._covered_part: the days of a row no earlier row of the person covered."""
    start = np.where(prev_max == NO_DAY, s, np.maximum(s, prev_max + 1))
    return np.maximum(e - start + 1, 0)


def _ordered(t: pa.Table, person: np.ndarray, s: np.ndarray, e: np.ndarray):
    """Rows ordered by (person, s, e), as the windows need; most registers already are."""
    same = person[1:] == person[:-1]
    out_of_order = same & ((s[1:] < s[:-1]) | ((s[1:] == s[:-1]) & (e[1:] < e[:-1])))
    if not out_of_order.any():
        return t, person, s, e
    order = np.lexsort((e, s, person))
    return t.take(order), person[order], s[order], e[order]


def _index_of(people_ids: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Each id's index among the people (sorted, unique), and the rows whose id is among them (None: all)."""
    if len(people_ids) and people_ids[-1] - people_ids[0] + 1 == len(people_ids):
        index = ids - people_ids[0]
        ok = (index >= 0) & (index < len(people_ids))
    else:
        index = np.searchsorted(people_ids, ids)
        ok = index < len(people_ids)
        ok[ok] = people_ids[index[ok]] == ids[ok]
    return (index, None) if ok.all() else (index[ok], ok)


def _table(tables: dict[str, pa.Table], name: str, people_ids: np.ndarray) -> tuple[pa.Table, Segments]:
    """A table's rows of the people, sorted by person, and their segments."""
    t = tables[name]
    ids = t["person_id"].to_numpy()
    if len(ids) > 1 and (ids[1:] < ids[:-1]).any():
        order = np.argsort(ids, kind="stable")
        t, ids = t.take(order), ids[order]
    index, keep = _index_of(people_ids, ids)
    if keep is not None:
        t = t.filter(pa.array(keep))
    return t, Segments(index, len(people_ids))


def facts(tables: dict[str, pa.Table], d: date, policy: Policy) -> pa.Table:
    """`columnar.facts_table` over Arrow tables (string columns may be dictionaries): one row per
    person registered at d, in person order."""
    dd = (d - EPOCH).days
    people = tables["people"]
    ids = people["person_id"].to_numpy()
    if len(ids) > 1 and (ids[1:] <= ids[:-1]).any():
        if len(np.unique(ids)) != len(ids):
            raise InputError("people.person_id", "a person id occurs more than once")
        people = people.take(np.argsort(ids, kind="stable"))
        ids = people["person_id"].to_numpy()
    n = len(ids)
    cols: dict[str, pa.Array] = {}

    # the registration in force at d (columnar.facts_table: the packed maximum)
    t, seg = _table(tables, "hukou", ids)
    since = _days(t["since"])
    dated = (since <= dd) & (since != NO_DAY)
    local = _on_values(t["place"], lambda v: pc.starts_with(v, policy.city.code).to_numpy(zero_copy_only=False), False)
    urban = pc.fill_null(t["urban"], False).to_numpy(zero_copy_only=False).astype(bool)
    packed = np.where(dated, (since + 200_000) * 4 + local * 2 + urban, -1)
    latest = seg.reduce(np.maximum, packed, -1)
    registered = (latest >= 0) & (_days(people["birth_date"]) <= dd) & _valid(people["birth_date"])
    cols["hukou_local"] = (latest // 2) % 2 == 1
    cols["hukou_urban"] = latest % 2 == 1

    # education (admitted by d)
    t, seg = _dated(tables, "education", "admitted", ids, dd)
    present = seg.present()
    grad_day = _days(t["graduated"])
    grad = Kleene.of((grad_day != NO_DAY) & (grad_day <= dd))
    higher = _isin(t["level"], sorted(HIGHER_EDUCATION))
    vocational = _isin(t["level"], ["vocational"])
    abroad, certified = _arrow_kleene(t["abroad"]), _arrow_kleene(t["certified"])
    in_city = _arrow_kleene(t["institution_in_city"])
    certified_null = Kleene.of(~(certified.t | certified.f))

    def edu_any(value: Kleene) -> pa.Array:
        return seg.any(value, present)

    def flag(k: Kleene) -> Kleene:  # columnar._flag: NULL → FALSE
        return Kleene.of(k.t)

    cols["e_graduate"] = edu_any(flag((~abroad) & higher & grad))
    cols["e_vocational"] = edu_any(flag((~abroad) & vocational & grad))
    cols["e_abroad_certified"] = edu_any(flag(abroad & grad & flag(certified)))
    cols["e_abroad_uncertain"] = edu_any(flag(abroad & grad & certified_null))
    cols["e_enrolled_in_city"] = edu_any(flag(in_city & higher & ~grad))
    cols["e_studying"] = edu_any(~grad)
    cols["e_admitted_higher"] = edu_any(higher)

    t, seg = _table(tables, "qualifications", ids)
    obtained = _days(t["obtained"])
    cols["q_obtained"] = seg.any(Kleene.of((obtained != NO_DAY) & (obtained <= dd)), seg.present())

    # residence: clipped at d, ordered by (start, end) per person
    t, seg, s, e = _clipped(tables, "residence", ids, dd)
    present = seg.present()
    urban = _arrow_kleene(t["urban"])
    prev = seg.running_max_before(e)
    prev_urban = seg.running_max_before(e, skip=~urban.t)
    covers = e == dd
    township = _on_values(t["place"], lambda v: np.array([_township(x) for x in v.to_pylist()], np.int64), -1)
    township = np.where(covers & (township >= 0), township, np.iinfo(np.int64).max)
    cols["r_covers"] = seg.any(Kleene.of(covers), present)
    r_township = seg.reduce(np.minimum, township, np.iinfo(np.int64).max)
    cols["r_township"] = pa.array(r_township, mask=r_township == np.iinfo(np.int64).max)
    cols["r_urban_true"] = seg.any(Kleene.of(covers & urban.t), present)
    cols["r_urban_null"] = seg.any(Kleene.of(covers & ~(urban.t | urban.f)), present)
    cols["r_urban_days"] = seg.sum(np.where(urban.t, _covered_part(s, e, prev_urban), 0), present)
    r_last_end = seg.reduce(np.maximum, e, NO_DAY)
    cols["r_last_end"] = pa.array(r_last_end, mask=~present)
    run_start = seg.reduce(np.maximum, np.where((prev == NO_DAY) | (s > prev + 1), s, NO_DAY), NO_DAY)
    cols["r_run_start"] = pa.array(run_start, mask=~present | (run_start == NO_DAY))

    t, seg, s, e = _clipped(tables, "employment", ids, dd)
    present = seg.present()
    cols["j_employed"] = seg.any(Kleene.of(e == dd), present)
    cols["j_days"] = seg.sum(_covered_part(s, e, seg.running_max_before(e)), present)

    facts_read = {c.require.fact for c in policy.extra_conditions}
    if policy.values_at(d)[P_SOCIAL_INSURANCE] > 0 or "social_insurance_months" in facts_read:
        d_month = d.year * 12 + d.month - 1
        t, seg = _dated(tables, "social_insurance", "start_month", ids, d_month)
        s = _days(t["start_month"])
        e = np.minimum(_days(t["end_month"], d_month), d_month)
        t, person, s, e = _ordered(t, seg.person, s, e)
        seg = Segments(person, n)
        cols["si_months"] = seg.sum(_covered_part(s, e, seg.running_max_before(e)), seg.present())

    t, seg = _table(tables, "housing", ids)
    present = seg.present()
    cols["h_stable"] = seg.any(_isin(t["kind"], sorted(STABLE_KINDS)), present)
    cols["h_rented"] = seg.any(_isin(t["kind"], ["rented"]), present)
    cols["h_registered"] = seg.any(_arrow_kleene(t["registered"]), present)
    if "housing.kind" in facts_read:
        cols["h_kind"] = _max_string(t["kind"], seg, present)

    t, seg = _table(tables, "military", ids)
    discharged = _days(t["discharged"])
    cols["m_discharged"] = seg.any(Kleene.of((discharged != NO_DAY) & (discharged <= dd)), seg.present())

    t, seg = _table(tables, "family", ids)
    present = seg.present()
    relation_valid = _valid(t["relation"])
    is_child = _isin(t["relation"], ["child"])
    is_spouse = _isin(t["relation"], ["spouse"])
    birth = _days(t["birth_date"])
    born = (birth != NO_DAY) & (birth <= dd)
    child = Kleene.of(is_child.t & born)
    minor = Kleene.of(child.t & (birth > (last_birth_date_of_age(d, MINOR_AGE) - EPOCH).days))
    moving = _arrow_kleene(t["moving"])
    not_child = Kleene.nullable(~is_child.t, relation_valid)
    cols["f_spouse"] = seg.any(is_spouse, present)
    cols["f_spouse_moving"] = seg.any(is_spouse & moving, present)
    cols["f_someone_moving"] = seg.any((not_child | child) & moving, present)
    cols["f_minor_staying"] = seg.any(minor & ~moving, present)
    cols["f_followers"] = seg.sum(((not_child | minor) & moving).t.astype(np.int64), present)

    for i, c in enumerate(policy.extra_conditions):
        path = list_condition_paths(c.require.fact)
        if path is not None:
            cols.update(_list_condition(tables, ids, path, i, c.require, d))

    everyone = bool(registered.all())  # usual: then nothing needs copying
    keep = None if everyone else pa.array(np.flatnonzero(registered))
    out = people if everyone else people.take(keep)
    for name, column in cols.items():
        column = pa.array(column) if isinstance(column, np.ndarray) else column
        out = out.append_column(name, column if everyone else column.take(keep))
    if "si_months" not in cols:
        out = out.append_column("si_months", pa.nulls(out.num_rows, pa.int64()))
    last_end = out["r_last_end"]
    run_start = pc.if_else(pc.fill_null(pc.equal(last_end, dd), False), out["r_run_start"], pa.scalar(None, pa.int64()))
    return out.append_column("run_start", run_start)


def _dated(tables, name: str, column: str, ids: np.ndarray, dd: int):
    """A table's rows of the people whose `column` is a day on or before d."""
    t, seg = _table(tables, name, ids)
    day = _days(t[column])
    rows = (day != NO_DAY) & (day <= dd)
    if not rows.all():
        t, seg = t.filter(pa.array(rows)), Segments(seg.person[rows], seg.n)
    return t, seg


def _clipped(tables, name: str, ids: np.ndarray, dd: int):
    """columnar._clip_days: the periods started by d, ends open or later cut at d, ordered per person."""
    t, seg = _dated(tables, name, "start", ids, dd)
    s = _days(t["start"])
    e = np.minimum(_days(t["end"], dd), dd)
    t, person, s, e = _ordered(t, seg.person, s, e)
    return t, Segments(person, seg.n), s, e


def _township(place: str | None) -> int:
    """The first nine digits of a place code as a number (SQL's CAST(substr(place, 1, 9) AS BIGINT))."""
    if place is None:
        return -1
    try:
        return int(place[:9].strip())
    except ValueError:
        raise InputError("residence.place", f"{place!r} is not a place code") from None


def _max_string(column: pa.ChunkedArray, seg: Segments, present: np.ndarray) -> pa.Array:
    """SQL max() of a string column per person."""
    values = sorted({v for v in pc.unique(column.cast(pa.string())).to_pylist() if v is not None})
    rank = {v: i for i, v in enumerate(values)}
    ranks = _on_values(column, lambda d: np.array([rank.get(v, -1) for v in d.to_pylist()], np.int64), -1)
    best = seg.reduce(np.maximum, ranks, -1)
    names = pa.array(values + [None], pa.string())
    return names.take(pa.array(np.where(best < 0, len(values), best)))


def _compare(actual: pa.ChunkedArray, op: str, value) -> Kleene:
    """columnar._compare on an Arrow column: NULL wherever the record's value is NULL."""
    if pa.types.is_dictionary(actual.type):
        actual = actual.cast(actual.type.value_type)
    valid = _valid(actual)
    if op in ("in", "not_in"):
        hit = pc.is_in(actual, value_set=pa.array(list(value), actual.type))
        k = Kleene.nullable(pc.fill_null(hit, False).to_numpy(zero_copy_only=False).astype(bool), valid)
        return ~k if op == "not_in" else k
    if op == "startswith":
        return _arrow_kleene(pc.starts_with(actual.cast(pa.string()), str(value)))
    fn = {"==": pc.equal, "!=": pc.not_equal, "<": pc.less, "<=": pc.less_equal, ">": pc.greater,
          ">=": pc.greater_equal}[op]
    return _arrow_kleene(fn(actual, pa.scalar(value, actual.type)))


def _list_condition(tables, ids: np.ndarray, path: tuple[str, str], i: int, req, d: date) -> dict[str, pa.Array]:
    """columnar._list_conditions for one extra condition on a record path."""
    name, column = path
    dated = LIST_TABLES[name][0]
    if dated:
        t, seg = _dated(tables, name, dated, ids, (d - EPOCH).days)
    else:
        t, seg = _table(tables, name, ids)
    if column not in t.column_names:
        raise InputError(f"extra_conditions[{i}].require.fact", f"{name} has no field {column!r}")
    present = seg.present()
    pred = _compare(t[column], req.op, req.value)
    if name == "housing":
        return {f"x{i}_value": seg.any(pred, present)}
    return {f"x{i}_true": seg.any(Kleene.of(pred.t), present),
            f"x{i}_null": seg.any(Kleene.of(~_valid(t[column])), present)}

"""Row-by-row Ibis expressions (the rules of `columnar.rules_table`) evaluated with NumPy.

The rules are one expression; SQL engines run it anywhere, but over ten million rows of facts held
in memory a SQL engine spends most of its time converting columns in and out. This evaluator walks
the same expression tree and computes every node once as a NumPy array, with SQL's meaning: NULL
propagates through comparisons and arithmetic, AND/OR/NOT follow Kleene's logic, CASE takes the
first branch whose condition is TRUE. Strings that come from the expression's literals are kept as
small integer codes and returned as dictionary columns.

Only the operations the rules use are known here; any other raises `Unsupported`, and the caller
runs the expression on DuckDB instead. tests/test_sorted_facts.py holds this evaluator to DuckDB
on the same expressions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import ibis.expr.operations as ops
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


class Unsupported(Exception):
    """The expression uses an operation this evaluator does not know."""


@dataclass
class Col:
    """A column or a scalar: `data` (dates as days since 1970; strings as codes into `labels`) and
    `valid` (None: no NULLs)."""

    data: object
    valid: object = None
    labels: tuple | None = None
    kind: str = ""  # "date" or "string" where the numbers stand for something else

    def known(self):
        return True if self.valid is None else self.valid

    def true(self):
        """Where the value is TRUE (NULL counts as not TRUE)."""
        return self.data if self.valid is None else self.data & self.valid

    def false(self):
        return ~self.data if self.valid is None else ~self.data & self.valid


def _and_valid(*cols: Col):
    masks = [c.valid for c in cols if c.valid is not None]
    if not masks:
        return None
    out = masks[0]
    for m in masks[1:]:
        out = out & m
    return out


def _bits(buffer, offset: int, n: int) -> np.ndarray:
    """An Arrow bitmap as a NumPy bool array (far faster than going through a nullable conversion)."""
    raw = np.frombuffer(buffer, np.uint8)
    return np.unpackbits(raw, bitorder="little")[offset:offset + n].view(bool)


def _from_arrow(column: pa.ChunkedArray | pa.Array) -> Col:
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    n, t = len(column), column.type
    valid = None if column.null_count == 0 else _bits(column.buffers()[0], column.offset, n)
    if pa.types.is_date32(t) or pa.types.is_integer(t) or pa.types.is_floating(t):
        width = 4 if pa.types.is_date32(t) else None
        dtype = np.int32 if width else t.to_pandas_dtype()
        data = np.frombuffer(column.buffers()[1], dtype)[column.offset:column.offset + n]
        return Col(data, valid, kind="date" if width else "")
    if pa.types.is_boolean(t):
        return Col(_bits(column.buffers()[1], column.offset, n), valid)
    if pa.types.is_dictionary(t) or pa.types.is_string(t) or pa.types.is_large_string(t):
        encoded = column if pa.types.is_dictionary(t) else column.dictionary_encode()
        codes = pc.fill_null(encoded.indices, 0).to_numpy(zero_copy_only=False).astype(np.int8 if len(encoded.dictionary) < 128 else np.int32)
        return Col(codes, valid, tuple(encoded.dictionary.to_pylist()), "string")
    raise Unsupported(f"input of type {t}")


def _to_arrow(col: Col, n: int, dtype: pa.DataType) -> pa.Array:
    data = col.data
    if np.ndim(data) == 0:
        data = np.full(n, data)
    mask = None
    if col.valid is not None:
        valid = col.valid if np.ndim(col.valid) else np.full(n, bool(col.valid))
        mask = ~valid
    if col.kind == "string":
        codes = pa.array(np.asarray(data).astype(_code_type(col.labels)), mask=mask)
        return pa.DictionaryArray.from_arrays(codes, pa.array(list(col.labels), pa.string()))
    if col.kind == "date":
        return pa.array(data.astype(np.int32), mask=mask).cast(pa.date32())
    return pa.array(data, mask=mask).cast(dtype)


def _literal(op: ops.Literal) -> Col:
    v = op.value
    dtype = op.dtype
    if v is None:
        if dtype.is_string():
            return Col(np.int8(0), False, (), "string")
        if dtype.is_date():
            return Col(np.int64(0), False, kind="date")
        return Col(np.bool_(False) if dtype.is_boolean() else np.int64(0), False)
    if dtype.is_string():
        return Col(np.int8(0), None, (v,), "string")
    if dtype.is_date():
        return Col(np.int64((date.fromisoformat(str(v)) if not isinstance(v, date) else v).toordinal()
                            - date(1970, 1, 1).toordinal()), kind="date")
    if dtype.is_boolean():
        return Col(np.bool_(v))
    if dtype.is_integer():
        return Col(np.int64(v))
    if dtype.is_floating():
        return Col(np.float64(v))
    raise Unsupported(f"literal of type {dtype}")


def _relabel(col: Col, labels: tuple) -> Col:
    """A string column's codes in terms of a larger label set."""
    if col.labels == labels:
        return col
    if not col.labels:  # a NULL literal
        return Col(_code_type(labels)(0), col.valid, labels, "string")
    mapping = np.array([labels.index(x) for x in col.labels], _code_type(labels))
    data = mapping[col.data] if np.ndim(col.data) else mapping[int(col.data)]
    return Col(data, col.valid, labels, "string")


def _code_type(labels) -> type:
    return np.int8 if len(labels) < 128 else np.int32


def _unify(cols: list[Col]) -> list[Col]:
    if all(c.kind != "string" for c in cols):
        return cols
    labels: list = []
    for c in sorted(cols, key=lambda c: -np.ndim(c.data)):  # keep a column's codes, renumber the literals
        for x in c.labels or ():
            if x not in labels:
                labels.append(x)
    return [_relabel(c, tuple(labels)) if c.kind == "string" else c for c in cols]


def _select(condition, then, other):
    """np.where without its branches: much faster on masks that change from row to row."""
    if np.ndim(condition) == 0:
        return then if condition else other
    if np.asarray(then).dtype == bool and np.asarray(other).dtype == bool:
        if np.ndim(other) == 0:
            return condition & then if not other else then | ~condition
        if np.ndim(then) == 0:
            return condition | other if then else ~condition & other
        return (condition & then) | (~condition & other)
    return other + condition * (np.subtract(then, other))


def _choose(condition, then: Col, other: Col) -> Col:
    """Where `condition` (a NumPy mask) holds `then`, else `other`."""
    then, other = _unify([then, other])
    data = _select(condition, then.data, other.data)
    if then.valid is None and other.valid is None:
        valid = None
    else:
        valid = _select(condition, then.known(), other.known())
    return Col(data, valid, then.labels or other.labels, then.kind or other.kind)


def _compare(fn, a: Col, b: Col) -> Col:
    if a.kind == "string" or b.kind == "string":
        if fn not in (np.equal, np.not_equal):
            raise Unsupported("ordering strings")
        a, b = _unify([a, b])
    return Col(fn(a.data, b.data), _and_valid(a, b))


_COMPARE = {ops.Equals: np.equal, ops.NotEquals: np.not_equal, ops.Greater: np.greater,
            ops.GreaterEqual: np.greater_equal, ops.Less: np.less, ops.LessEqual: np.less_equal}
_ARITHMETIC = {ops.Add: np.add, ops.Subtract: np.subtract, ops.Multiply: np.multiply, ops.FloorDivide: np.floor_divide}
_EXTRACT = {ops.ExtractYear: "Y", ops.ExtractMonth: "M", ops.ExtractDay: "D"}


def _extract(col: Col, unit: str) -> Col:
    """Year, month or day of days since 1970, in integer arithmetic (H. Hinnant's civil_from_days)."""
    z = np.asarray(col.data).astype(np.int64) + 719468
    era = np.floor_divide(z, 146097)
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    if unit == "D":
        return Col(day, col.valid)
    if unit == "M":
        return Col(month, col.valid)
    return Col(yoe + era * 400 + (month <= 2), col.valid)


class Evaluator:
    """Evaluates the nodes of one expression over one set of input columns, each node once."""

    def __init__(self, table: pa.Table):
        self.table = table
        self.inputs: dict[str, Col] = {}
        self.memo: dict[ops.Node, Col] = {}

    def __call__(self, node: ops.Node) -> Col:
        found = self.memo.get(node)
        if found is None:
            found = self.memo[node] = self._eval(node)
        return found

    def _eval(self, node: ops.Node) -> Col:  # noqa: C901 - one branch per operation
        kind = type(node)
        if kind is ops.Field:
            rel = node.rel
            if isinstance(rel, (ops.UnboundTable, ops.InMemoryTable, ops.DatabaseTable)):
                if node.name not in self.table.column_names:
                    raise Unsupported(f"no input column {node.name}")
                if node.name not in self.inputs:
                    self.inputs[node.name] = _from_arrow(self.table[node.name])
                return self.inputs[node.name]
            if isinstance(rel, ops.Project):
                return self(rel.values[node.name])
            raise Unsupported(type(rel).__name__)
        if kind is ops.Literal:
            return _literal(node)
        if kind is ops.And:
            a, b = self(node.left), self(node.right)
            t = a.true() & b.true()
            if a.valid is None and b.valid is None:
                return Col(t)
            return Col(t, t | a.false() | b.false())
        if kind is ops.Or:
            a, b = self(node.left), self(node.right)
            t = a.true() | b.true()
            if a.valid is None and b.valid is None:
                return Col(t)
            return Col(t, t | (a.false() & b.false()))
        if kind is ops.Not:
            a = self(node.arg)
            return Col(~a.data, a.valid)
        if kind is ops.IsNull:
            a = self(node.arg)
            return Col(np.bool_(False) if a.valid is None else ~a.valid)
        if kind is ops.NotNull:
            a = self(node.arg)
            return Col(np.bool_(True) if a.valid is None else a.valid)
        if kind is ops.Coalesce:
            out = self(node.arg[-1])
            for arg in reversed(node.arg[:-1]):
                a = self(arg)
                out = a if a.valid is None else _choose(a.valid, a, out)
            return out
        if kind is ops.IfElse:
            return _choose(self(node.bool_expr).true(), self(node.true_expr), self(node.false_null_expr))
        if kind is ops.SearchedCase:
            out = self(node.default)
            for case, result in reversed(list(zip(node.cases, node.results, strict=True))):
                out = _choose(self(case).true(), self(result), out)
            return out
        if kind in _COMPARE:
            return _compare(_COMPARE[kind], self(node.left), self(node.right))
        if kind in _ARITHMETIC:
            a, b = self(node.left), self(node.right)
            if a.kind or b.kind:
                raise Unsupported("arithmetic on dates or strings")
            return Col(_ARITHMETIC[kind](a.data, b.data), _and_valid(a, b))
        if kind in _EXTRACT:
            a = self(node.arg)
            if a.kind != "date":
                raise Unsupported("extracting from a non-date")
            return _extract(a, _EXTRACT[kind])
        if kind is ops.Cast:
            return self._cast(self(node.arg), node.to)
        if kind in (ops.Greatest, ops.Least):
            # DuckDB's GREATEST and LEAST skip NULLs
            fn, fill = (np.maximum, np.iinfo(np.int64).min) if kind is ops.Greatest else (np.minimum, np.iinfo(np.int64).max)
            cols = [self(a) for a in node.arg]
            if any(c.kind for c in cols):
                raise Unsupported("greatest/least of dates or strings")
            data = None
            for c in cols:
                x = c.data if c.valid is None else np.where(c.valid, c.data, fill)
                data = x if data is None else fn(data, x)
            valid = None
            if all(c.valid is not None for c in cols):
                valid = cols[0].known()
                for c in cols[1:]:
                    valid = valid | c.known()
            return Col(data, valid)
        if kind is ops.InValues:
            a = self(node.value)
            options = [self(o) for o in node.options]
            hit = np.bool_(False)
            for o in options:
                hit = hit | _compare(np.equal, a, o).true()
            return Col(hit, a.valid)
        if kind is ops.IntervalFromInteger:
            if node.unit.short != "D":
                raise Unsupported(f"interval in {node.unit}")
            return self(node.arg)
        if kind is ops.DateAdd:
            a, b = self(node.left), self(node.right)
            if a.kind != "date":
                raise Unsupported("adding to a non-date")
            return Col(a.data + b.data, _and_valid(a, b), kind="date")
        raise Unsupported(kind.__name__)

    @staticmethod
    def _cast(a: Col, to) -> Col:
        if a.valid is not None and np.ndim(a.valid) == 0 and not a.valid:  # NULL as another type
            return _literal(ops.Literal(None, to))
        if to.is_string():
            if a.kind == "string":
                return a
            if a.kind or not np.issubdtype(np.asarray(a.data).dtype, np.integer):
                raise Unsupported("casting this to a string")
            values = pa.array(np.asarray(a.data), mask=None if a.valid is None else ~np.asarray(a.valid))
            encoded = pc.dictionary_encode(values)
            labels = tuple(str(v) for v in encoded.dictionary.to_pylist())
            return Col(pc.fill_null(encoded.indices, 0).to_numpy(zero_copy_only=False).astype(np.int32), a.valid,
                       labels, "string")
        if to.is_integer() and not a.kind:
            return Col(np.asarray(a.data).astype(np.int64), a.valid)
        if to.is_boolean() and not a.kind and np.asarray(a.data).dtype == bool:
            return a
        raise Unsupported(f"cast to {to}")


def evaluate(expr: ir.Table, table: pa.Table) -> pa.Table:
    """The rows of a row-by-row expression over one table, computed here instead of in SQL."""
    root = expr.op()
    if not isinstance(root, ops.Project):
        raise Unsupported(type(root).__name__)
    run = Evaluator(table)
    schema = expr.schema().to_pyarrow()
    n = table.num_rows
    columns = [_to_arrow(run(value), n, schema.field(name).type) for name, value in root.values.items()]
    return pa.table(columns, names=list(root.values))

"""Row-by-row Ibis expressions (the rules of `columnar.rules_table`) compiled to one native loop.

The rules are one expression; SQL engines run it anywhere, but over ten million rows of facts held
in memory a SQL engine, or NumPy computing one whole column per node, spends its time moving columns
through memory. Here the expression tree is translated, node by node and each node once, into the
body of one loop over the rows (Python source compiled by Numba), so every row's facts go through
every rule while they sit in registers. The meaning is SQL's: NULL propagates through comparisons
and arithmetic, AND/OR/NOT follow Kleene's logic, CASE takes the first branch whose condition is
TRUE, COALESCE the first value known, GREATEST/LEAST skip NULLs (as DuckDB does).

Numbers and dates in the expression are passed to the loop as arguments and strings become integer
codes: no value of a policy file is written into the generated source, and the compiled loop depends
only on the shape of the rules: another date or another
parameter value reuses it. Compiled loops are cached on disk (`cache_dir`), so a process compiles a
given shape once per machine. Strings are small integer codes into one table of labels and come out
as dictionary columns.

Only the operations the rules use are known here; any other raises `Unsupported`, and the caller
runs the expression on DuckDB instead. tests/test_sorted_facts.py holds this evaluator to DuckDB
on the same expressions.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import tempfile
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import ibis.expr.operations as ops
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hukou.store.fact_kernels import readonly

EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


class Unsupported(Exception):
    """The expression uses an operation this compiler does not know."""


@dataclass(frozen=True)
class Col:
    """A node's value in the loop: Python source for its value and for whether it is known (None:
    always), and its kind: bool, int, date (days since 1970), str (a code into the labels) or
    int_as_str (an integer that the output turns into its decimal string)."""

    val: str
    known: str | None
    kind: str


_DTYPES = {"bool": np.bool_, "int": np.int64, "date": np.int32, "int_as_str": np.int64}  # strings: Kernel.code_type
_COMPARE = {ops.Equals: "==", ops.NotEquals: "!=", ops.Greater: ">", ops.GreaterEqual: ">=", ops.Less: "<",
            ops.LessEqual: "<="}
_ARITHMETIC = {ops.Add: "+", ops.Subtract: "-", ops.Multiply: "*", ops.FloorDivide: "//"}
_EXTRACT = {ops.ExtractYear: "year", ops.ExtractMonth: "month", ops.ExtractDay: "day"}


def _kind(dtype) -> str:
    if dtype.is_boolean():
        return "bool"
    if dtype.is_integer():
        return "int"
    if dtype.is_date():
        return "date"
    if dtype.is_string():
        return "str"
    if dtype.is_null():
        return "null"
    raise Unsupported(f"values of type {dtype}")


def _band(a: str, b: str) -> str:
    """Source for a AND b on booleans known to be TRUE or FALSE, folding constants."""
    if "False" in (a, b):
        return "False"
    if a == "True" or a == b:
        return b
    return a if b == "True" else f"({a} & {b})"


def _bor(a: str, b: str) -> str:
    if "True" in (a, b):
        return "True"
    if a == "False" or a == b:
        return b
    return a if b == "False" else f"({a} | {b})"


def _bnot(a: str) -> str:
    return {"True": "False", "False": "True"}.get(a, f"(not {a})")


def _bchoose(condition: str, then: str, other: str) -> str:
    """Source for: `then` where the condition holds, else `other`, on booleans, without a branch."""
    if then == other:
        return then
    return _bor(_band(condition, then), _band(_bnot(condition), other))


def _and(*parts: str | None) -> str | None:
    known = [p for p in parts if p is not None]
    if not known:
        return None
    return known[0] if len(known) == 1 else "(" + " & ".join(known) + ")"


class _Compiler:
    """Translates one Project expression into the source of a loop; each node becomes a local name."""

    def __init__(self, schema: dict[str, tuple[str, bool]]):
        self.schema = schema  # input column → (kind, nullable)
        self.lines: list[str] = []
        self.memo: dict[ops.Node, Col] = {}
        self.inputs: list[str] = []  # input columns read, in argument order
        self.literals: list[int] = []  # numbers and dates, passed as an argument
        self.labels: list[str] = []  # every string the expression can produce or compare
        self.read: dict[str, str] = {}  # the local that holds an input column's value → the column

    def code(self, label: str) -> int:
        if label not in self.labels:
            self.labels.append(label)
        return self.labels.index(label)

    def emit(self, kind: str, val: str, known: str | None) -> Col:
        """Names a node's value (and known flag) so later nodes read a local, not the expression."""
        i = len(self.lines)
        self.lines.append(f"v{i} = {val}")
        if known is not None and known not in ("True", "False"):
            self.lines.append(f"k{i} = {known}")
            known = f"k{i}"
        return Col(f"v{i}", known, kind)

    def __call__(self, node: ops.Node) -> Col:
        found = self.memo.get(node)
        if found is None:
            found = self.memo[node] = self._node(node)
        return found

    @staticmethod
    def true(c: Col) -> str:
        """Source for: the boolean is TRUE (NULL is not)."""
        return c.val if c.known is None else _band(c.val, c.known)

    @staticmethod
    def false(c: Col) -> str:
        return _bnot(c.val) if c.known is None else _band(_bnot(c.val), c.known)

    def choose(self, condition: str, then: Col, other: Col) -> Col:
        """`then` where the condition holds, else `other` (booleans without a branch)."""
        kind = _unify_kinds(then, other)
        if then.known is None and other.known is None:
            known = None
        else:
            known = _bchoose(condition, then.known or "True", other.known or "True")
        if kind == "bool":
            return self.emit(kind, _bchoose(condition, then.val, other.val), known)
        if condition in ("True", "False"):
            return then if condition == "True" else other
        return self.emit(kind, f"({then.val} if {condition} else {other.val})", known)

    def _node(self, node: ops.Node) -> Col:  # noqa: C901 - one branch per operation
        kind = type(node)
        if kind is ops.Field:
            rel = node.rel
            if isinstance(rel, (ops.UnboundTable, ops.InMemoryTable, ops.DatabaseTable)):
                if node.name not in self.schema:
                    raise Unsupported(f"no input column {node.name}")
                column_kind, nullable = self.schema[node.name]
                j = len(self.inputs)
                self.inputs.append(node.name)
                col = self.emit(column_kind, f"in{j}[i]", f"in{j}_known[i]" if nullable else None)
                self.read[col.val] = node.name
                return col
            if isinstance(rel, ops.Project):
                return self(rel.values[node.name])
            raise Unsupported(type(rel).__name__)
        if kind is ops.Literal:
            return self._literal(node)
        if kind is ops.And or kind is ops.Or:
            a, b = self(node.left), self(node.right)
            if kind is ops.And:
                t, decided = _band(self.true(a), self.true(b)), _bor(self.false(a), self.false(b))
            else:
                t, decided = _bor(self.true(a), self.true(b)), _band(self.false(a), self.false(b))
            if a.known is None and b.known is None:
                return self.emit("bool", t, None)
            value = self.emit("bool", t, None)
            return self.emit("bool", value.val, _bor(value.val, decided))
        if kind is ops.Not:
            a = self(node.arg)
            return self.emit("bool", _bnot(a.val), a.known)
        if kind is ops.IsNull:
            a = self(node.arg)
            return Col("False", None, "bool") if a.known is None else self.emit("bool", f"(not {a.known})", None)
        if kind is ops.NotNull:
            a = self(node.arg)
            return Col("True", None, "bool") if a.known is None else self.emit("bool", a.known, None)
        if kind is ops.Coalesce:
            out = self(node.arg[-1])
            for arg in reversed(node.arg[:-1]):
                a = self(arg)
                if a.known is None:
                    out = a
                elif out.known is None:  # known either way
                    out = self.choose(a.known, Col(a.val, None, a.kind), out)
                else:
                    out = self.choose(a.known, a, out)
            return out
        if kind is ops.IfElse:
            return self.choose(self.true(self(node.bool_expr)), self(node.true_expr), self(node.false_null_expr))
        if kind is ops.SearchedCase:
            out = self(node.default)
            for case, result in reversed(list(zip(node.cases, node.results, strict=True))):
                out = self.choose(self.true(self(case)), self(result), out)
            return out
        if kind in _COMPARE:
            a, b = self(node.left), self(node.right)
            if "int_as_str" in (a.kind, b.kind) or (a.kind == "str") != (b.kind == "str"):
                raise Unsupported("comparing these kinds")
            if a.kind == "str" and kind not in (ops.Equals, ops.NotEquals):
                raise Unsupported("ordering strings")
            return self.emit("bool", f"({a.val} {_COMPARE[kind]} {b.val})", _and(a.known, b.known))
        if kind in _ARITHMETIC:
            a, b = self(node.left), self(node.right)
            if a.kind != "int" or b.kind != "int":
                raise Unsupported("arithmetic on these kinds")
            return self.emit("int", f"({a.val} {_ARITHMETIC[kind]} {b.val})", _and(a.known, b.known))
        if kind in _EXTRACT:
            a = self(node.arg)
            if a.kind != "date":
                raise Unsupported("extracting from a non-date")
            return self.emit("int", f"_civil({a.val})[{('year', 'month', 'day').index(_EXTRACT[kind])}]", a.known)
        if kind is ops.Cast:
            return self._cast(self(node.arg), node.to)
        if kind in (ops.Greatest, ops.Least):
            fn = "max" if kind is ops.Greatest else "min"
            cols = [self(a) for a in node.arg]
            if any(c.kind != "int" for c in cols):
                raise Unsupported("greatest/least of these kinds")
            out = cols[0]
            for c in cols[1:]:
                if out.known is None and c.known is None:
                    out = self.emit("int", f"{fn}({out.val}, {c.val})", None)
                    continue
                ka, kb = out.known or "True", c.known or "True"
                val = f"({fn}({out.val}, {c.val}) if ({ka} & {kb}) else ({out.val} if {ka} else {c.val}))"
                known = None if out.known is None or c.known is None else f"({ka} | {kb})"
                out = self.emit("int", val, known)
            return out
        if kind is ops.InValues:
            a = self(node.value)
            hits = []
            for o in node.options:
                b = self(o)
                if (a.kind == "str") != (b.kind == "str"):
                    raise Unsupported("comparing these kinds")
                hits.append(f"({a.val} == {b.val})" if b.known is None else f"(({a.val} == {b.val}) & {b.known})")
            return self.emit("bool", "(" + " | ".join(hits) + ")" if hits else "False", a.known)
        if kind is ops.IntervalFromInteger:
            if node.unit.short != "D":
                raise Unsupported(f"interval in {node.unit}")
            return self(node.arg)
        if kind is ops.DateAdd:
            a, b = self(node.left), self(node.right)
            if a.kind != "date" or b.kind != "int":
                raise Unsupported("adding to a non-date")
            return self.emit("date", f"({a.val} + {b.val})", _and(a.known, b.known))
        raise Unsupported(kind.__name__)

    def _literal(self, op: ops.Literal) -> Col:
        v, dtype = op.value, op.dtype
        if v is None:
            return Col("False" if dtype.is_boolean() else "0", "False", _kind(dtype))
        if dtype.is_string():
            return Col(str(self.code(str(v))), None, "str")
        if dtype.is_boolean():
            return Col("True" if v else "False", None, "bool")
        if dtype.is_date():
            day = date.fromisoformat(str(v)) if not isinstance(v, date) else v
            value, kind = day.toordinal() - EPOCH_ORDINAL, "date"
        elif dtype.is_integer():
            value, kind = int(v), "int"
        else:
            raise Unsupported(f"literal of type {dtype}")
        self.literals.append(value)
        return Col(f"lit{len(self.literals) - 1}", None, kind)

    def _cast(self, a: Col, to) -> Col:
        if a.known == "False":  # NULL as another type
            return Col("False" if to.is_boolean() else "0", "False", _kind(to))
        if to.is_string():
            if a.kind == "str":
                return a
            if a.kind == "int":
                return Col(a.val, a.known, "int_as_str")
            raise Unsupported(f"casting {a.kind} to a string")
        if to.is_integer() and a.kind in ("int", "bool"):
            return self.emit("int", f"np.int64({a.val})", a.known)
        if to.is_boolean() and a.kind == "bool":
            return a
        raise Unsupported(f"cast to {to}")


def _unify_kinds(a: Col, b: Col) -> str:
    if a.kind == b.kind:
        return a.kind
    if {a.kind, b.kind} <= {"int", "date"} and ("False" in (a.known, b.known)):
        return b.kind if a.known == "False" else a.kind  # a NULL of the other kind
    if a.known == "False":
        return b.kind
    if b.known == "False":
        return a.kind
    raise Unsupported(f"choosing between {a.kind} and {b.kind}")


_SOURCE = '''"""Generated by hukou.store.rule_kernel from a rule expression: do not edit."""
import numpy as np
from numba import njit


@njit(cache=True)
def _civil(z):
    """Year, month, day of days since 1970 (H. Hinnant's civil_from_days)."""
    z = np.int64(z) + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (month <= 2), month, day


@njit(nogil=True, cache=True, error_model="numpy")
def kernel(n, {args}):
{prologue}
    for i in range(n):
{body}
'''


@dataclass
class Kernel:
    """A compiled rule loop and what it needs: the input columns in argument order (with whether
    each may be NULL), the literal values, the outputs' names and kinds, and the string labels."""

    function: object
    inputs: list[tuple[str, bool]]
    literals: list[int]
    outputs: list[tuple[str, str, bool, str | None]]  # name, kind, nullable, the input it repeats
    labels: list[str]
    code_type: type  # of the strings' codes


_compiled: dict[str, object] = {}
_lock = threading.Lock()


def cache_dir() -> Path:
    """Where compiled rule loops are kept: $HUKOU_CACHE_DIR, else the user's cache directory."""
    base = os.environ.get("HUKOU_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "hukou")
    path = Path(base) / "rule-kernels"
    try:
        path.mkdir(parents=True, exist_ok=True)
        if os.access(path, os.W_OK):
            return path
    except OSError:
        pass
    path = Path(tempfile.gettempdir()) / f"hukou-rule-kernels-{os.getuid() if hasattr(os, 'getuid') else 0}"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _load(source: str):
    """The compiled function of a generated module, compiled once per process (and cached on disk)."""
    key = hashlib.sha256(source.encode()).hexdigest()[:20]
    with _lock:
        if key not in _compiled:
            path = cache_dir() / f"rules_{key}.py"
            if not path.exists() or path.read_text() != source:
                tmp = path.with_suffix(f".{os.getpid()}.tmp")
                tmp.write_text(source)
                tmp.replace(path)
            name = f"hukou_rules_{key}"
            spec = importlib.util.spec_from_file_location(name, path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module  # Numba's disk cache finds the loop's helpers through it
            spec.loader.exec_module(module)
            _compiled[key] = module.kernel
        return _compiled[key]


def compile_rules(expr: ir.Table, schema: dict[str, tuple[str, bool]]) -> Kernel:
    """The loop of a row-by-row expression (a Project over one table) for inputs of the given kinds
    (`schema`: column → (kind, may be NULL))."""
    root = expr.op()
    if not isinstance(root, ops.Project):
        raise Unsupported(type(root).__name__)
    c = _Compiler(schema)
    results = [(name, c(value)) for name, value in root.values.items()]
    outputs, written = [], 0
    for name, col in results:
        if col.val in c.read:  # an input column as it is: no copy
            outputs.append((name, col.kind, col.known is not None, c.read[col.val]))
            continue
        c.lines.append(f"out{written}[i] = {col.val}")
        if col.known is not None:
            c.lines.append(f"out{written}_known[i] = {col.known}")
        outputs.append((name, col.kind, col.known is not None, None))
        written += 1
    args = [f"in{j}" + (f", in{j}_known" if schema[name][1] else "") for j, name in enumerate(c.inputs)]
    args += [f"out{m}" + (f", out{m}_known" if nullable else "")
             for m, (*_, nullable, _) in enumerate(o for o in outputs if o[3] is None)]
    args.append("literals")
    source = _SOURCE.format(
        args=", ".join(args),
        prologue="\n".join(f"    lit{j} = literals[{j}]" for j in range(len(c.literals))) or "    pass",
        body="\n".join(f"        {line}" for line in c.lines))
    # strings of the expression's own labels as small codes, unless input strings may add labels
    code_type = np.int8 if len(c.labels) < 128 and all(kind != "str" for kind, _ in schema.values()) else np.int32
    return Kernel(_load(source), [(name, schema[name][1]) for name in c.inputs], c.literals, outputs, c.labels,
                  code_type)


def schema_of(columns: dict[str, tuple[np.ndarray, np.ndarray | None]]) -> dict[str, tuple[str, bool]]:
    """The kinds of input columns given as NumPy arrays (values, and a mask of the known rows or
    None): booleans, int64 numbers, int32 days since 1970, strings as object arrays."""
    def kind(values: np.ndarray) -> str:
        if values.dtype == object:
            return "str"
        if values.dtype == bool:
            return "bool"
        return "date" if values.dtype == np.int32 else "int"
    return {name: (kind(values), known is not None) for name, (values, known) in columns.items()}


def ibis_schema(schema: dict[str, tuple[str, bool]]):
    """The Ibis schema of such columns, to state expressions over them."""
    import ibis

    names = {"bool": "boolean", "int": "int64", "date": "date", "str": "string"}
    return ibis.schema({name: names[kind] for name, (kind, _) in schema.items()})


def evaluate(expr: ir.Table, columns: dict[str, tuple[np.ndarray, np.ndarray | None]], n: int) -> pa.Table:
    """The rows of a row-by-row expression over input columns given as NumPy arrays (`schema_of`).
    Strings come out as dictionary columns."""
    return to_table(run_arrays(compile_rules(expr, schema_of(columns)), columns, n))


@dataclass
class Output:
    name: str
    kind: str
    values: np.ndarray
    known: np.ndarray | None
    labels: list[str]

    def take(self, rows: np.ndarray) -> "Output":
        return Output(self.name, self.kind, self.values[rows], None if self.known is None else self.known[rows],
                      self.labels)


def run_arrays(kernel: Kernel, columns: dict[str, tuple[np.ndarray, np.ndarray | None]], n: int) -> list[Output]:
    """A compiled loop over n rows of input columns (`schema_of`), the outputs as NumPy arrays."""
    labels = list(kernel.labels)
    args = []
    for name, nullable in kernel.inputs:
        values, known = columns[name]
        if values.dtype == object:
            values = _codes(values, labels)
        args.append(values)
        if nullable:
            args.append(known)
    out, outputs = [], []
    for name, kind, nullable, source in kernel.outputs:
        if source is not None:
            values, known = columns[source]
        else:
            values = np.empty(n, kernel.code_type if kind == "str" else _DTYPES[kind])
            known = np.empty(n, np.bool_) if nullable else None
            outputs += [values] if known is None else [values, known]
        out.append(Output(name, kind, values, known, labels))
    kernel.function(n, *readonly(*args), *outputs, np.array(kernel.literals or [0], np.int64))
    return out


def to_table(outputs: list[Output]) -> pa.Table:
    return pa.table([_to_arrow(o.kind, o.values, o.known, o.labels) for o in outputs], names=[o.name for o in outputs])


def _codes(values, labels: list[str]) -> np.ndarray:
    """String values as codes into `labels` (values the expression never names get codes of their own:
    they can only compare unequal to its literals)."""
    array = pa.array(values, pa.string()) if not isinstance(values, pa.Array) else values.cast(pa.string())
    encoded = pc.dictionary_encode(array)
    for v in encoded.dictionary.to_pylist():
        if v not in labels:
            labels.append(v)
    mapping = np.array([labels.index(v) for v in encoded.dictionary.to_pylist()] or [0], np.int32)
    return mapping[pc.fill_null(encoded.indices, 0).to_numpy(zero_copy_only=False)]


def _bitmap(mask: np.ndarray) -> pa.Buffer:
    return pa.py_buffer(np.packbits(mask, bitorder="little"))


def _to_arrow(kind: str, values: np.ndarray, known: np.ndarray | None, labels: list[str]) -> pa.Array:
    n = len(values)
    validity = None if known is None else _bitmap(known)
    if kind == "bool":
        return pa.Array.from_buffers(pa.bool_(), n, [validity, _bitmap(values)])
    if kind == "int":
        return pa.Array.from_buffers(pa.int64(), n, [validity, pa.py_buffer(values)])
    if kind == "date":
        return pa.Array.from_buffers(pa.date32(), n, [validity, pa.py_buffer(values)])
    if kind == "str":
        codes = pa.Array.from_buffers(pa.from_numpy_dtype(values.dtype), n, [validity, pa.py_buffer(values)])
        return pa.DictionaryArray.from_arrays(codes, pa.array(labels, pa.string()), safe=False)  # codes are ours
    # an integer shown as its decimal string: few distinct values, so as a dictionary of them
    encoded = pc.dictionary_encode(pa.Array.from_buffers(pa.int64(), n, [validity, pa.py_buffer(values)]))
    return pa.DictionaryArray.from_arrays(encoded.indices, encoded.dictionary.cast(pa.string()), safe=False)

"""The verdict table's columns as every engine returns them: its lists built after the query.

Lists are the costliest thing to build per row in SQL, so the rule expressions
(`columnar.rules_table`) give each list of a verdict as one integer per person, `<list>_bits`, and
this module reads them (`with_lists`): the key groups (a bit for each group), and the keys
settlement and the permit still ask (a bit for each condition and for each gate it waits on,
`missing_keys`). An engine that writes its result where it runs builds the lists in the query
instead, from `item_flags` (`columnar.verdict_rows`).
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numba import njit
OUTPUT_COLUMNS = ("person_id", "township", "settlement", "settlement_reason", "route", "household",
                  "route_talent", "route_student", "route_general", "key_groups", "followers", "settlement_missing",
                  "residence_permit", "permit_reason", "permit_missing", "guardian_required", "failed_rule")
LISTS = ("key_groups", "settlement_missing", "permit_missing")
MAX_BITS = 63


def bits_column(name: str) -> str:
    return f"{name}_bits"


@dataclass(frozen=True)
class BitList:
    """A list read from the bits of one integer: item j (bit j) is (a name, its gate, its label),
    listed when its bit is set and, if it has a gate, the gate's bit too (bits after the items', in
    `gates` order); each label once, in item order."""

    items: tuple[tuple[str, str | None, str], ...]
    gates: tuple[str, ...] = ()

    def __post_init__(self):
        assert len(self.items) + len(self.gates) <= MAX_BITS, "more items than bits"

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(label for *_, label in self.items))

    def gate_bit(self, gate: str | None) -> int:
        return -1 if gate is None else len(self.items) + self.gates.index(gate)

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Each item's gate bit (-1: none) and label (an index into `labels`), for the reader."""
        labels = self.labels
        return (np.array([self.gate_bit(g) for _, g, _ in self.items], np.int64),
                np.array([labels.index(label) for *_, label in self.items], np.int64))


def bits(conditions: list[ir.BooleanValue]) -> ir.IntegerValue:
    """Conditions known to be TRUE or FALSE as the bits of one integer (bit j: condition j)."""
    total = ibis.literal(0, "int64")
    for bit, condition in enumerate(conditions):
        total = total + ibis.ifelse(condition, ibis.literal(1 << bit, "int64"), ibis.literal(0, "int64"))
    return total


def item_flags(value: ir.IntegerValue, listed: BitList) -> list[tuple[str, ir.BooleanValue]]:
    """The labels in list order, each with whether it is listed at that place (set only at its first
    place), from the integer: for an engine that builds the list itself."""
    def is_set(bit: int) -> ir.BooleanValue:
        return (value & ibis.literal(1 << bit, "int64")) != 0

    flags = []
    earlier: dict[str, ir.BooleanValue] = {}
    for bit, (_, gate, label) in enumerate(listed.items):
        on = is_set(bit) if gate is None else is_set(bit) & is_set(listed.gate_bit(gate))
        flags.append((label, on if label not in earlier else on & ~earlier[label]))
        earlier[label] = on if label not in earlier else earlier[label] | on
    return flags


@njit(nogil=True, cache=True)
def _read_bits(values, gates, labels):
    """Offsets and entries of a list column whose row i lists, in item order and each once, the labels
    of the items j whose bit j is set in values[i] and whose gate bit (if any) is too. (Without
    branches on the bits: each label is written where the next one goes, and kept by moving on.)"""
    n, m = len(values), len(labels)
    offsets = np.zeros(n + 1, np.int32)
    entries = np.empty(0, np.int32)
    for counting in (True, False):
        if not counting:
            entries = np.empty(offsets[n] + m, np.int32)
        for i in range(n):
            b = values[i]
            at = offsets[i]
            if b != 0:
                seen = 0
                for j in range(m):
                    on = (b >> j) & 1
                    if gates[j] >= 0:
                        on &= (b >> gates[j]) & 1
                    on &= ~(seen >> labels[j]) & 1
                    seen |= on << labels[j]
                    if not counting:
                        entries[at] = labels[j]
                    at += on
            if counting:
                offsets[i + 1] = at
    return offsets, entries[:offsets[n]]


def with_lists(table: pa.Table, lists: dict[str, BitList]) -> pa.Table:
    """The verdicts in `OUTPUT_COLUMNS`: each list read from its bits (`lists`: how, from
    `columnar.verdict_lists`), and every string column as a dictionary of its few values (as the
    in-memory engine returns them: one schema for every engine; a township's code may need more than
    a byte, the rules' words never do)."""
    built = {}
    for name, listed in lists.items():
        values = pc.fill_null(table[bits_column(name)], 0).to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
        offsets, entries = _read_bits(values, *listed.arrays())
        built[name] = pa.ListArray.from_arrays(pa.array(offsets), pa.array(listed.labels, pa.string()).take(pa.array(entries)))
    out = table.select([c for c in table.column_names if c not in {bits_column(name) for name in lists}])
    for i, field in enumerate(out.schema):
        wanted = pa.dictionary(pa.int32() if field.name == "township" else pa.int8(), pa.string())
        if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
            out = out.set_column(i, field.name, out[field.name].cast(pa.string()).dictionary_encode().cast(wanted))
        elif pa.types.is_dictionary(field.type) and field.type != wanted:
            out = out.set_column(i, field.name, out[field.name].cast(wanted))
    for name, column in built.items():
        out = out.append_column(name, column)
    return out.select(list(OUTPUT_COLUMNS))

"""The questions an undetermined verdict asks (`missing`, RULEBOOK §1), for the bulk engines.

The single-person engine lists the top-level keys behind each unknown condition of each unknown
route (settlement) or of the permit rule, in the order the conditions are reported, each key once
(`hukou.policy.trace.Trace.missing`). A bulk engine gives, per person and verdict part, one integer
whose bits say which conditions are unknown and which routes (for the permit: the basis) are unknown,
zero unless the part is undetermined (`asked_bits`); the list is read from those bits after the query
(`verdict_lists`), or by the engine itself from `asked_flags` (Spark writing its own result). A
condition asks its key only while its gate (its route; for the permit's basis conditions, the basis)
is unknown too.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import numpy as np

from hukou.policy.errors import InputError
from hukou.policy.extra_conditions import fact_key
from hukou.policy.policy_file import Policy

ROUTES = ("talent", "student", "general")
# Each route's built-in conditions (columns of the rules' first stage) in reporting order
# (settlement.ROUTE_RULES), with the key each leaves unknown; the rural-hukou condition never is.
ROUTE_CONDITIONS = {
    "talent": (("graduate", "education"), ("vocational", "education"), ("skilled", "qualifications"),
               ("overseas", "education")),
    "student": (("enrolled", "education"),),
    "general": (("lsr_housing", "housing"), ("lsr_residence", "residence"), ("urban_place", "residence"),
                ("si_ok", "social_insurance"), ("emp_ok", "employment")),
}
PERMIT_CONDITIONS = (("duration", None, "residence"), ("employed", "basis", "employment"),
                     ("lsr_housing", "basis", "housing"), ("lsr_residence", "basis", "residence"),
                     ("studying", "basis", "education"))
MAX_BITS = 63


@dataclass(frozen=True)
class Questions:
    """One verdict part's questions: each (condition, gate, key) in reporting order, a bit for each
    condition (its place in `asked`) and then for each gate, and the keys in order of first mention."""

    asked: tuple[tuple[str, str | None, str], ...]
    gates: tuple[str, ...]
    labels: tuple[str, ...]

    def gate_bit(self, gate: str | None) -> int:
        return -1 if gate is None else len(self.asked) + self.gates.index(gate)

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Each condition's gate bit (-1: none) and key (an index into `labels`), for the list builder."""
        return (np.array([self.gate_bit(g) for _, g, _ in self.asked], np.int64),
                np.array([self.labels.index(k) for *_, k in self.asked], np.int64))


def _questions(asked: list[tuple[str, str | None, str]]) -> Questions:
    gates = tuple(dict.fromkeys(g for _, g, _ in asked if g is not None))
    if len(asked) + len(gates) > MAX_BITS:
        raise InputError("extra_conditions", f"the register engine compiles at most {MAX_BITS - 13} extra conditions")
    return Questions(tuple(asked), gates, tuple(dict.fromkeys(k for *_, k in asked)))


def settlement_questions(policy: Policy) -> Questions:
    asked = []
    for route in ROUTES:
        asked += [(condition, route, key) for condition, key in ROUTE_CONDITIONS[route]]
        asked += [(f"x{i}", route, fact_key(c.require.fact)) for i, c in enumerate(policy.extra_conditions)
                  if c.route == route]
    return _questions(asked)


def permit_questions() -> Questions:
    return _questions(list(PERMIT_CONDITIONS))


def _unknown(r: ir.Table, condition: str) -> ir.BooleanValue:
    """The condition is unknown. A part of the legal stable residence asks its key only while the
    whole is unknown (a false part decides it: conditions.legal_stable_residence)."""
    if condition.startswith("lsr_"):
        return r.lsr.isnull() & r[condition].isnull()
    return r[condition].isnull()


def asked_bits(r: ir.Table, undetermined: ir.BooleanValue, questions: Questions) -> ir.IntegerValue:
    """The part's unknown conditions and gates as bits of one integer, 0 unless it is undetermined."""
    unknown = [_unknown(r, c) for c, _, _ in questions.asked] + [r[g].isnull() for g in questions.gates]
    total = ibis.literal(0, "int64")
    for bit, is_unknown in enumerate(unknown):
        total = total + ibis.ifelse(is_unknown, ibis.literal(1 << bit, "int64"), ibis.literal(0, "int64"))
    return ibis.ifelse(undetermined, total, ibis.literal(0, "int64"))


def asked_flags(bits: ir.IntegerValue, questions: Questions) -> list[tuple[str, ir.BooleanValue]]:
    """The keys in list order, each with whether this person is asked it at that place (set only at
    its first place), from the integer of `asked_bits`: for an engine that builds the list itself."""
    def is_set(bit: int) -> ir.BooleanValue:
        return (bits & ibis.literal(1 << bit, "int64")) != 0

    flags = []
    earlier: dict[str, ir.BooleanValue] = {}
    for bit, (_, gate, key) in enumerate(questions.asked):
        ask = is_set(bit) if gate is None else is_set(bit) & is_set(questions.gate_bit(gate))
        flags.append((key, ask if key not in earlier else ask & ~earlier[key]))
        earlier[key] = ask if key not in earlier else earlier[key] | ask
    return flags


def questions(policy: Policy) -> dict[str, Questions]:
    """The questions of each list column of the verdicts."""
    return {"settlement_missing": settlement_questions(policy), "permit_missing": permit_questions()}

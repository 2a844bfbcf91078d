"""The questions an undetermined verdict asks (`missing`, RULEBOOK §1) as flags, for the bulk engines.

The single-person engine lists the top-level keys behind each unknown condition of each unknown
route (settlement) or of the permit rule, in the order the conditions are reported, each key once
(`hukou.policy.trace.Trace.missing`). Here every (condition, key) in that order is one boolean
column, set only where the key is not already asked by an earlier condition: the keys of the set
flags, in column order, are the single engine's list, and nothing is left to deduplicate after the
query. The flags are named `<prefix><n>_<key>` (`ms3_social_insurance`); `verdict_lists` turns them
into the list columns `settlement_missing` and `permit_missing`.
"""

from __future__ import annotations

import ibis.expr.types as ir

from hukou.policy.extra_conditions import fact_key
from hukou.policy.policy_file import Policy

SETTLEMENT_FLAGS, PERMIT_FLAGS = "ms", "mp"

# Each route's built-in conditions (columns of the rules' first stage) in reporting order
# (settlement.ROUTE_RULES), with the key each leaves unknown; the rural-hukou condition never is.
ROUTE_CONDITIONS = {
    "talent": (("graduate", "education"), ("vocational", "education"), ("skilled", "qualifications"),
               ("overseas", "education")),
    "student": (("enrolled", "education"),),
    "general": (("lsr_housing", "housing"), ("lsr_residence", "residence"), ("urban_place", "residence"),
                ("si_ok", "social_insurance"), ("emp_ok", "employment")),
}
PERMIT_BASIS = (("employed", "employment"), ("lsr_housing", "housing"), ("lsr_residence", "residence"),
                ("studying", "education"))


def _unknown(r: ir.Table, condition: str) -> ir.BooleanValue:
    """The condition is unknown. A part of the legal stable residence asks its key only while the
    whole is unknown (a false part decides it: conditions.legal_stable_residence)."""
    if condition.startswith("lsr_"):
        return r.lsr.isnull() & r[condition].isnull()
    return r[condition].isnull()


def _first_of_each_key(prefix: str, asked: list[tuple[str, ir.BooleanValue]]) -> dict[str, ir.BooleanValue]:
    flags: dict[str, ir.BooleanValue] = {}
    earlier: dict[str, ir.BooleanValue] = {}
    for n, (key, ask) in enumerate(asked):
        flags[f"{prefix}{n}_{key}"] = ask if key not in earlier else ask & ~earlier[key]
        earlier[key] = ask if key not in earlier else earlier[key] | ask
    return flags


def settlement_flags(r: ir.Table, undetermined: ir.BooleanValue, extras: dict[str, list[str]],
                     policy: Policy) -> dict[str, ir.BooleanValue]:
    """`settlement.missing` as flags: `extras` names each route's extra-condition columns (`x<i>`)."""
    asked = []
    for route, conditions in ROUTE_CONDITIONS.items():
        open_route = undetermined & r[route].isnull()
        asked += [(key, open_route & _unknown(r, condition)) for condition, key in conditions]
        asked += [(fact_key(policy.extra_conditions[int(x[1:])].require.fact), open_route & r[x].isnull())
                  for x in extras[route]]
    return _first_of_each_key(SETTLEMENT_FLAGS, asked)


def permit_flags(r: ir.Table, undetermined: ir.BooleanValue) -> dict[str, ir.BooleanValue]:
    """`residence_permit.missing` as flags: the residence duration's key, then the basis's keys while
    the basis is unknown (residence_permit.evaluate_permit)."""
    open_basis = undetermined & r.basis.isnull()
    asked = [("residence", undetermined & r.duration.isnull())]
    asked += [(key, open_basis & _unknown(r, condition)) for condition, key in PERMIT_BASIS]
    return _first_of_each_key(PERMIT_FLAGS, asked)

"""The questions an undetermined verdict asks (`missing`, RULEBOOK §1), for the bulk engines.

The single-person engine lists the top-level keys behind each unknown condition of each unknown
route (settlement) or of the permit rule, in the order the conditions are reported, each key once
(`hukou.policy.trace.Trace.missing`). A bulk engine gives, per person and verdict part, one integer
whose bits say which conditions and which of their gates (a condition's route; for the permit's
basis conditions, the basis) are unknown, zero unless the part is undetermined (`asked_bits`): a
condition asks its key only while its gate is unknown too, and `verdict_lists` reads the list.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from hukou.policy.errors import InputError
from hukou.policy.extra_conditions import fact_key
from hukou.policy.policy_file import Policy
from hukou.store.verdict_lists import MAX_BITS, BitList, bits

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
PERMIT = BitList((("duration", None, "residence"), ("employed", "basis", "employment"),
                  ("lsr_housing", "basis", "housing"), ("lsr_residence", "basis", "residence"),
                  ("studying", "basis", "education")), ("basis",))


def settlement(policy: Policy) -> BitList:
    """settlement.missing: each route's conditions, then its extra conditions (`x<i>`), gated by the route."""
    if len(policy.extra_conditions) > MAX_BITS - 13:  # (10 built-in conditions and 3 routes)
        raise InputError("extra_conditions", f"the register engine compiles at most {MAX_BITS - 13} extra conditions")
    items = []
    for route in ROUTES:
        items += [(condition, route, key) for condition, key in ROUTE_CONDITIONS[route]]
        items += [(f"x{i}", route, fact_key(c.require.fact)) for i, c in enumerate(policy.extra_conditions)
                  if c.route == route]
    return BitList(tuple(items), ROUTES)


def _unknown(r: ir.Table, condition: str) -> ir.BooleanValue:
    """The condition is unknown. A part of the legal stable residence asks its key only while the
    whole is unknown (a false part decides it: conditions.legal_stable_residence)."""
    if condition.startswith("lsr_"):
        return r.lsr.isnull() & r[condition].isnull()
    return r[condition].isnull()


def asked_bits(r: ir.Table, undetermined: ir.BooleanValue, asked: BitList) -> ir.IntegerValue:
    """The part's unknown conditions and gates as one integer, 0 unless it is undetermined."""
    unknown = [_unknown(r, c) for c, _, _ in asked.items] + [r[g].isnull() for g in asked.gates]
    return ibis.ifelse(undetermined, bits(unknown), ibis.literal(0, "int64"))

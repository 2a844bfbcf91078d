"""A rejection is checked against the rules, not against what the client says the rules said.

The server computes the verdict on the case's facts at the date of the rejection and writes its
status into the action (`verdict`, with `verdict_date` and `verdict_policy`); a `verdict` sent by the
client is overwritten. The part of the verdict that counts is the permit's for a residence-permit
case and the settlement's for every other kind.

`failed_rule` must be grounded in that verdict. We chose the strict reading:
- when the person is not eligible, it is a condition whose result is `false` or `unknown` in the
  verdict's reasons (key-group flags are not conditions), or the verdict's own `failed_rule` or `reason` code (`no_route`, `local_hukou`, …);
- when the person is eligible, no rule failed, so the rejection overrides the rules: it names the
  rule whose facts the officer disputes, which must be among the verdict's reasons (any result), and
  it needs a written reason and a prior second approval by another approver (`case.append`). Such
  rejections are reported (§五: no hidden thresholds).
A case with no facts at all (none given, no register person) cannot be rejected: there is no rule to
name. Facts can be given first, by the applicant or the police station, as materials.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from hukou.cases.case import CaseError

OVERRIDE = "eligible"  # a rejection of a person with this verdict status overrides the rules
NOT_CONDITIONS = ("key_groups.",)  # flags for priority and statistics (RULEBOOK §3), never grounds to reject


def verdict_part(kind: str, verdict: dict[str, Any]) -> dict[str, Any]:
    """The part of a §7 verdict that decides a case of this kind."""
    return verdict["residence_permit" if kind == "residence_permit" else "settlement"]


def grounds(kind: str, verdict: dict[str, Any]) -> frozenset[str]:
    """The ids a rejection may name as its `failed_rule`, given the verdict."""
    part = verdict_part(kind, verdict)
    conditions = [r for r in part["reasons"] if not r["rule"].startswith(NOT_CONDITIONS)]
    if part["status"] == OVERRIDE:
        return frozenset(r["rule"] for r in conditions)
    ids = {r["rule"] for r in conditions if r["result"] in ("false", "unknown")}
    ids |= {code for code in (part.get("failed_rule"), part.get("reason")) if code}
    return frozenset(ids)


def checked_rejection(kind: str, data: dict[str, Any], verdict: dict[str, Any] | None, on: date) -> dict[str, Any]:
    """The rejection's data with the server's verdict written in; raises CaseError when `failed_rule`
    is not grounded in it."""
    if verdict is None:
        raise CaseError("facts", "the case has no facts (none given, no person of the register): give them as "
                                 "materials first, so the rejection can name the rule the applicant fails")
    status = verdict_part(kind, verdict)["status"]
    checked = {**data, "verdict": status, "verdict_date": on.isoformat(), "verdict_policy": verdict["policy"]}
    rule = data.get("failed_rule")
    allowed = grounds(kind, verdict)
    if rule and rule not in allowed:
        which = "among the verdict's reasons" if status == OVERRIDE else "a rule that fails or stays unknown in the verdict"
        raise CaseError("data.failed_rule", f"{rule!r} is not {which} on {on.isoformat()} "
                                            f"(status {status}; possible: {', '.join(sorted(allowed)) or 'none'})")
    return checked

"""A decision is checked against the rules, and records what it was made on (pure).

The service computes the verdict on the case's facts at the date of the decision and passes both
here; `decision_record` returns the action's data with `verdict` (status, route, failed rule, date,
policy), `facts` (the facts it was made on) and `override` written in. A client never sends these.
Once decided, the case says what it was decided on from this record, whatever materials follow.

The part of the verdict that counts is the permit's for a residence-permit case and the
settlement's for every other kind. An *override* goes against that verdict: rejecting a person the
rules find eligible, or approving one they do not (ineligible, or undetermined). It needs a written
reason and a second county approver (`cases.case`), and is reported (§五: no hidden thresholds).

A rejection's `failed_rule` must be grounded in the verdict. We chose the strict reading:
- when the person is not eligible, it is a condition whose result is `false` or `unknown` in the
  verdict's reasons (key-group flags are not conditions), or the verdict's own `failed_rule` or
  `reason` code (`no_route`, `local_hukou`, …);
- when the person is eligible, no rule failed, so it names the rule whose facts the officer
  disputes, which must be among the verdict's reasons (any result).
A case with no facts at all (none given, no register person) cannot be decided: there is nothing to
decide on. Facts can be given first, by the applicant or the police station, as materials.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from hukou.cases.errors import CaseError
from hukou.i18n import Msg

ELIGIBLE = "eligible"
NOT_CONDITIONS = ("key_groups.",)  # flags for priority and statistics (RULEBOOK §3), never grounds to reject


def verdict_part(kind: str, verdict: dict[str, Any]) -> dict[str, Any]:
    """The part of a §7 verdict that decides a case of this kind."""
    return verdict["residence_permit" if kind == "residence_permit" else "settlement"]


def grounds(kind: str, verdict: dict[str, Any]) -> frozenset[str]:
    """The ids a rejection may name as its `failed_rule`, given the verdict."""
    part = verdict_part(kind, verdict)
    conditions = [r for r in part["reasons"] if not r["rule"].startswith(NOT_CONDITIONS)]
    if part["status"] == ELIGIBLE:
        return frozenset(r["rule"] for r in conditions)
    ids = {r["rule"] for r in conditions if r["result"] in ("false", "unknown")}
    ids |= {code for code in (part.get("failed_rule"), part.get("reason")) if code}
    return frozenset(ids)


def is_override(type_: str, status: str) -> bool:
    return (type_ == "rejected") == (status == ELIGIBLE)


def decision_record(type_: str, kind: str, data: dict[str, Any], verdict: dict[str, Any] | None,
                    facts: dict[str, Any] | None, on: date) -> dict[str, Any]:
    """The decision's data with what it was made on; CaseError when there is nothing to decide on or
    a rejection's `failed_rule` is not grounded in the verdict."""
    if verdict is None:
        raise CaseError("facts", Msg("the case has no facts (none given, no person of the register): give them as "
                                     "materials first, so the decision has something to rest on"))
    part = verdict_part(kind, verdict)
    status = part["status"]
    if type_ == "rejected":
        allowed = grounds(kind, verdict)
        if data["failed_rule"] not in allowed:
            values = {"rule": data["failed_rule"], "date": on.isoformat(), "status": status,
                      "possible": ", ".join(sorted(allowed)) or "none"}
            raise CaseError("data.failed_rule", Msg("{rule!r} is not among the verdict's reasons on {date} (status "
                                                    "{status}; possible: {possible})", **values)
                            if status == ELIGIBLE else
                            Msg("{rule!r} is not a rule that fails or stays unknown in the verdict on {date} (status "
                                "{status}; possible: {possible})", **values))
    summary = {"status": status, "route": part.get("route"), "household": part.get("household"),
               "failed_rule": part.get("failed_rule"),
               "date": on.isoformat(), "policy": verdict["policy"]}
    return {**data, "override": is_override(type_, status), "verdict": {k: v for k, v in summary.items() if v is not None},
            "facts": facts}

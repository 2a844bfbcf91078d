"""Case files (RULEBOOK §6): YAML lists of a person, a date and the expected verdict.

`run_cases(cases, load_policy)` checks each case and returns one CaseResult per case; a case with
`expect: {error: PATH}` expects an input error naming that field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable

from hukou.policy.errors import InputError
from hukou.policy.facts import parse_date
from hukou.policy.policy_file import Policy
from hukou.policy.verdict import check

EXPECT_KEYS = ("settlement", "route", "household", "key_groups", "followers", "residence_permit",
               "guardian_required", "missing", "permit_missing", "endorsement", "residence_counted_from", "error")
CASE_KEYS = ("name", "date", "person", "expect", "policy")


@dataclass
class CaseResult:
    name: str
    passed: bool
    failures: list[str] = field(default_factory=list)


def _observed(verdict: dict[str, Any]) -> dict[str, Any]:
    s, p = verdict["settlement"], verdict["residence_permit"]
    endorsement = p.get("endorsement") or {}
    return {
        "settlement": s["status"], "route": s["route"], "household": s["household"],
        "key_groups": sorted(s["key_groups"]), "followers": s["followers"],
        "residence_permit": p["status"], "guardian_required": p["guardian_required"],
        "missing": s["missing"], "permit_missing": p["missing"],
        "endorsement": endorsement.get("status"), "residence_counted_from": endorsement.get("residence_counted_from"),
    }


def _compare(expect: dict[str, Any], got: dict[str, Any]) -> list[str]:
    failures = []
    for key, want in expect.items():
        have = got[key]
        if key in ("missing", "permit_missing"):
            lacking = [k for k in (want or []) if k not in have]
            if lacking:
                failures.append(f"{key}: expected to include {lacking}, got {have}")
            continue
        if key == "key_groups":
            want = sorted(want or [])
        if isinstance(want, date):
            want = want.isoformat()
        if want != have:
            failures.append(f"{key}: expected {want!r}, got {have!r}")
    return failures


def validate_case(case: Any, index: int) -> None:
    where = f"[{index}]"
    if not isinstance(case, dict):
        raise InputError(where, "expected a mapping with name, date, person, expect")
    for key in case:
        if key not in CASE_KEYS:
            raise InputError(f"{where}.{key}", f"unknown key (expected one of {', '.join(CASE_KEYS)})")
    for key in ("date", "person", "expect"):
        if key not in case:
            raise InputError(f"{where}.{key}", "required")
    if not isinstance(case["expect"], dict):
        raise InputError(f"{where}.expect", "expected a mapping")
    for key in case["expect"]:
        if key not in EXPECT_KEYS:
            raise InputError(f"{where}.expect.{key}", f"unknown key (expected one of {', '.join(EXPECT_KEYS)})")


def run_case(case: dict[str, Any], index: int, load_policy: Callable[[str | None], Policy]) -> CaseResult:
    name = str(case.get("name") or f"case {index + 1}")
    expect = case["expect"]
    try:
        d = parse_date(case["date"])
    except ValueError as exc:
        raise InputError(f"[{index}].date", str(exc)) from None
    try:
        verdict = check(case["person"], d, load_policy(case.get("policy")))
    except InputError as exc:
        if "error" in expect and exc.path == expect["error"]:
            return CaseResult(name, True)
        return CaseResult(name, False, [f"input error: {exc.line()}"])
    if "error" in expect:
        return CaseResult(name, False, [f"expected an input error at {expect['error']}, got a verdict"])
    failures = _compare(expect, _observed(verdict))
    return CaseResult(name, not failures, failures)


def run_cases(cases: Any, load_policy: Callable[[str | None], Policy]) -> list[CaseResult]:
    if not isinstance(cases, list):
        raise InputError("", "expected a list of cases")
    for i, case in enumerate(cases):
        validate_case(case, i)
    return [run_case(case, i, load_policy) for i, case in enumerate(cases)]

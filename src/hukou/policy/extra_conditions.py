"""A city's `extra_conditions` (RULEBOOK §5): a fact path, an operator and a value, read at D.

A path names a §2 fact (`housing.kind`, `education.level`) or a derived fact (`age`,
`residence_months`, `employment_months`, `social_insurance_months`). A path through a list holds
when some record dated on or before D satisfies it. An unknown fact makes the condition unknown.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Callable

from hukou.policy.calendar import age_on, clip, covered_days, distinct_months, full_months_between
from hukou.policy.calendar import DAYS_PER_EMPLOYMENT_MONTH
from hukou.policy.conditions import current_residence_start
from hukou.policy.errors import InputError
from hukou.policy.facts import Person, TOP_LEVEL_KEYS
from hukou.policy.explain import extra_sentence
from hukou.policy.situation import Situation
from hukou.policy.trace import Trace, Tri, all_of, any_of
from hukou.policy.policy_file import ExtraCondition

_UNKNOWN = object()
_NONE_MEANS_ABSENT = frozenset({"military", "family"})


def _residence_months(p: Person, d: date) -> Any:
    if p.residence is None:
        return _UNKNOWN
    start = current_residence_start(p, d)
    return 0 if start is None else full_months_between(start, d)


def _employment_months(p: Person, d: date) -> Any:
    if p.employment is None:
        return _UNKNOWN
    return covered_days(clip(((e.start, e.end) for e in p.employment), d)) // DAYS_PER_EMPLOYMENT_MONTH


def _social_insurance_months(p: Person, d: date) -> Any:
    if p.social_insurance is None:
        return _UNKNOWN
    return distinct_months(((s.start, s.end) for s in p.social_insurance), d)


DERIVED: dict[str, tuple[str, Callable[[Person, date], Any]]] = {
    "age": ("birth_date", lambda p, d: age_on(p.birth_date, d)),
    "residence_months": ("residence", _residence_months),
    "employment_months": ("employment", _employment_months),
    "social_insurance_months": ("social_insurance", _social_insurance_months),
}


def _dated_on_or_before(record: Any, d: date) -> bool:
    """Records dated after D are ignored (RULEBOOK §1)."""
    for attr in ("start", "admitted", "obtained", "birth_date", "issued"):
        when = getattr(record, attr, _UNKNOWN)
        if when is _UNKNOWN:
            continue
        if when is None:
            return attr != "obtained"
        if isinstance(when, tuple):  # a social-insurance month
            return when <= (d.year, d.month)
        return when <= d
    return True


def _attr_name(segment: str) -> str:
    return {"from": "start", "to": "end"}.get(segment, segment)


def _resolve(node: Any, parts: list[str], d: date) -> list[Any]:
    """All values at the path (one per list element reached), `_UNKNOWN` where a fact is unknown."""
    if not parts:
        return [node]
    if isinstance(node, list):
        out: list[Any] = []
        for item in node:
            if _dated_on_or_before(item, d):
                out.extend(_resolve(item, parts, d))
        return out
    if node is None:
        return [_UNKNOWN]
    value = getattr(node, _attr_name(parts[0]), _UNKNOWN)
    return _resolve(value, parts[1:], d) if value is not _UNKNOWN else [_UNKNOWN]


def _compare(actual: Any, op: str, expected: Any) -> bool:
    if op == "==":
        return actual == expected
    if op == "!=":
        return actual != expected
    if op == "in":
        return actual in expected
    if op == "not_in":
        return actual not in expected
    if op == "startswith":
        return str(actual).startswith(str(expected))
    if op == "<":
        return actual < expected
    if op == "<=":
        return actual <= expected
    if op == ">":
        return actual > expected
    return actual >= expected


def fact_key(fact: str) -> str:
    """The top-level §2 key a fact path reads (derived facts map to the key they are counted from)."""
    if fact in DERIVED:
        return DERIVED[fact][0]
    return fact.split(".", 1)[0]


def is_known_fact(fact: str) -> bool:
    return fact in DERIVED or fact_key(fact) in TOP_LEVEL_KEYS


def _evaluate(condition: ExtraCondition, index: int, person: Person, d: date) -> tuple[Tri, dict, dict, str]:
    req = condition.require
    key = fact_key(req.fact)
    if req.fact in DERIVED:
        values = [DERIVED[req.fact][1](person, d)]
    else:
        top, *rest = req.fact.split(".")
        if top not in TOP_LEVEL_KEYS:
            values = [_UNKNOWN]  # a fact no input carries (lint reports it)
        else:
            root = getattr(person, top)
            if root is None and top in _NONE_MEANS_ABSENT:
                values = []
            else:
                values = _resolve(root, rest, d) if root is not None else [_UNKNOWN]
    results: list[Tri] = []
    for v in values:
        if v is _UNKNOWN or (v is None and key not in _NONE_MEANS_ABSENT):
            results.append(None)
        elif v is None:
            results.append(False)
        else:
            try:
                results.append(bool(_compare(v, req.op, req.value)))
            except TypeError:
                raise InputError(f"extra_conditions[{index}].require.value",
                                 f"cannot compare {req.fact} ({type(v).__name__}) with {req.value!r}") from None
    shown = [v if not isinstance(v, date) else v.isoformat() for v in values if v is not _UNKNOWN]
    used = {req.fact: shown[0] if len(shown) == 1 else shown} if shown else {}
    params = {"fact": req.fact, "op": req.op,
              "value": req.value if not isinstance(req.value, date) else req.value.isoformat()}
    return any_of(results), used, params, key


def evaluate_extras(conditions: list[ExtraCondition], route: str, sit: Situation, trace: Trace) -> tuple[Tri, list[str]]:
    """The city's extra conditions for one route, recorded as `ROUTE.extra.N` (N counts all conditions)."""
    results: list[Tri] = []
    rules: list[str] = []
    for i, c in enumerate(conditions):
        if c.route != route:
            continue
        result, used, params, key = _evaluate(c, i, sit.person, sit.d)
        rule = f"{route}.extra.{i + 1}"
        text = extra_sentence(result, c.require.fact, c.require.op, params["value"], c.text)
        results.append(trace.add(rule, result, c.cite.clause if c.cite else "", used, params, (key,), text))
        rules.append(rule)
    return all_of(results), rules

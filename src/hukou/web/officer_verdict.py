"""The rules' verdict on a case as an officer reads it (pure): in the third person, the part that
decides the case (settlement, or the residence permit), each condition by its plain name with its
result and legal basis, the conditions not met and not known first, then those that hold.

The citizen's page words the same verdict to the citizen ("您可以…", `web/verdict_view.py`); an
officer needs to see which condition carries the answer and which fact is missing or fails, so
every condition of every route is listed, the route that holds first. Key-group flags are not
conditions: the groups the person belongs to are named in one line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hukou.cases.decisions import verdict_part
from hukou.policy.catalog import RULES
from hukou.policy.labels import KEY_GROUP_NAMES, WORDS
from hukou.web.i18n import text
from hukou.web.verdict_view import ANY_OF, ROUTES, already_settled

_NAMES = {r.rule: (r.zh, r.en) for r in RULES}
RESULT_ORDER = {"false": 0, "unknown": 1, "true": 2}


@dataclass(frozen=True)
class Condition:
    rule: str
    name: str  # the condition's plain name (the catalogue's), never its id
    result: str  # false | unknown | true
    basis: dict[str, Any] | None


@dataclass(frozen=True)
class ConditionGroup:
    title: str
    conditions: list[Condition]
    holds: bool = False  # the route the answer rests on
    any_of: bool = False  # one condition that holds is enough (the talent route)


@dataclass(frozen=True)
class OfficerVerdict:
    part: str  # settlement | residence_permit
    status: str  # eligible | ineligible | undetermined
    answer: str
    tone: str  # ok | no | ask
    route: str  # the route that holds, in words ("" when none)
    groups: list[ConditionGroup] = field(default_factory=list)
    key_groups: list[str] = field(default_factory=list)


def condition_name(reason: dict[str, Any], lang: str) -> str:
    """A condition as an officer names it: the catalogue's name, else (a city's extra condition) its sentence."""
    rule = str(reason.get("rule") or "")
    if rule in _NAMES:
        return _NAMES[rule][0 if lang == "zh" else 1]
    return str((reason.get("text") or {}).get(lang) or rule)


def _conditions(reasons: list[dict[str, Any]], lang: str) -> list[Condition]:
    ordered = sorted(reasons, key=lambda r: RESULT_ORDER.get(str(r.get("result")), 3))
    return [Condition(str(r.get("rule")), condition_name(r, lang), str(r.get("result")), r.get("basis"))
            for r in ordered]


def _route_of(reason: dict[str, Any]) -> str:
    return str(reason.get("rule") or "").split(".")[0]


def _said(key: str, lang: str, **values: str) -> str:
    words = text("ov_" + key, lang)
    return words.format(**values) if values else words


def officer_verdict(kind: str, verdict: dict[str, Any], lang: str) -> OfficerVerdict:
    """The part of `verdict` that decides a case of `kind`, for an officer reading in `lang`."""
    part = verdict_part(kind, verdict)
    status = str(part.get("status"))
    reasons = [r for r in part.get("reasons") or () if _route_of(r) != "key_groups"]
    tone = {"eligible": "ok", "undetermined": "ask"}.get(status, "no")
    if kind == "residence_permit":
        key = "permit_local_hukou" if part.get("reason") == "local_hukou" else "permit_" + status
        return OfficerVerdict("residence_permit", status, _said(key, lang), "ok" if key == "permit_local_hukou" else tone,
                              "", [ConditionGroup("", _conditions(reasons, lang), status == "eligible")] if reasons else [])
    words = WORDS[lang]
    if already_settled(part):
        return OfficerVerdict("settlement", status, _said("already_settled", lang), "ok")
    route = part.get("route") if status == "eligible" else None
    groups = []
    others = [r for r in reasons if _route_of(r) not in ROUTES]  # preconditions, said first
    if others:
        groups.append(ConditionGroup(_said("preconditions", lang), _conditions(others, lang)))
    for name in sorted(ROUTES, key=lambda n: n != route):  # the route that holds first
        listed = [r for r in reasons if _route_of(r) == name]
        if listed:
            groups.append(ConditionGroup(_said("route", lang, route=words[name]), _conditions(listed, lang),
                                         holds=name == route, any_of=name in ANY_OF))
    answer = _said("eligible", lang, route=words[route]) if route in words else _said(status, lang)
    groups_named = [KEY_GROUP_NAMES[g][0 if lang == "zh" else 1] for g in part.get("key_groups") or ()
                    if g in KEY_GROUP_NAMES]
    return OfficerVerdict("settlement", status, answer, tone, words.get(route, "") if route else "", groups,
                          groups_named)

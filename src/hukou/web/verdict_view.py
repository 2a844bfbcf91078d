"""A verdict as a person reads it: the answer in one sentence, then the reasons that matter to it.

The rule engine's verdict lists every reason of every route (a dozen or more, true, false and
unknown alike). A page answers first ("您可以按“学生落户”途径在本市落户。"), then shows:

- when a route holds: that route's conditions, as met (for the talent route, any one of whose
  conditions is enough, only those that hold); the other routes folded away, as neutral
  information rather than failures;
- when none holds: each route with its conditions, the unmet and unknown ones first;
- a hukou already in the city: that alone, and no application is offered.

Key-group flags are not conditions of any route: the groups a person belongs to are named once, in
a line of their own, and the groups they do not belong to are not listed. A reason said twice in the
same words (two rules unknown for want of the same fact) is shown once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hukou.web.i18n import text

ROUTES = ("talent", "student", "general")
ANY_OF = frozenset({"talent"})  # routes that hold when one of their conditions holds
_ORDER = {"false": 0, "unknown": 1, "true": 2}


@dataclass
class Group:
    title: str
    reasons: list[dict[str, Any]]
    neutral: bool = False  # information, not a failure: no red crosses
    folded: bool = False


@dataclass
class SettlementView:
    answer: str
    tone: str  # ok | no | ask
    groups: list[Group] = field(default_factory=list)
    may_apply: bool = True


def already_settled(part: dict[str, Any]) -> bool:
    """The settlement part of a verdict says the hukou is already in an urban place of the city:
    nothing to settle, no application to offer."""
    return part.get("reason") == "already_settled"


def _said(key: str, lang: str, **values: str) -> str:
    """The page's words for an answer (web/i18n.py, keys `answer_…`)."""
    words = text("answer_" + key, lang)
    return words.format(**values) if values else words


def _route_of(reason: dict[str, Any]) -> str:
    return str(reason.get("rule") or "").split(".")[0]


def _once(reasons: list[dict[str, Any]], lang: str, seen: set[str]) -> list[dict[str, Any]]:
    out = []
    for r in reasons:
        said = (r.get("text") or {}).get(lang)
        if said and said not in seen:
            seen.add(said)
            out.append(r)
    return out


def settlement(part: dict[str, Any], words: dict[str, str], lang: str) -> SettlementView:
    """The settlement part of a verdict, answered and grouped for `lang`."""
    reasons = [r for r in part.get("reasons", []) if _route_of(r) != "key_groups"]
    if already_settled(part):
        return SettlementView(_said("already_settled", lang), "ok", [], may_apply=False)
    seen: set[str] = set()
    by_route = {route: [r for r in reasons if _route_of(r) == route] for route in ROUTES}
    others = [r for r in reasons if _route_of(r) not in ROUTES]  # preconditions: always said
    route = part.get("route")
    if part.get("status") == "eligible" and route in by_route:
        held = [r for r in by_route[route] if r.get("result") == "true" or route not in ANY_OF]
        groups = [Group(_said("conditions_met", lang, route=words[route]), _once(others + held, lang, seen))]
        rest = [r for name in ROUTES if name != route for r in by_route[name]]
        rest += [r for r in by_route[route] if r not in held]
        if rest:
            groups.append(Group(_said("other_routes", lang), _once(rest, lang, seen), neutral=True, folded=True))
        return SettlementView(_said("eligible", lang, route=words[route]), "ok", groups)
    status = part.get("status")
    groups = [Group("", _once(others, lang, seen))] if others else []
    for name in ROUTES:
        listed = sorted(by_route[name], key=lambda r: _ORDER.get(str(r.get("result")), 3))
        if listed:
            groups.append(Group(_said("route_conditions", lang, route=words[name]), _once(listed, lang, seen)))
    return SettlementView(_said("undetermined" if status == "undetermined" else "ineligible", lang),
                          "ask" if status == "undetermined" else "no", [g for g in groups if g.reasons])


def permit_answer(part: dict[str, Any], lang: str) -> tuple[str, str]:
    """(the answer, its tone) for the residence-permit part."""
    status = part.get("status")
    if status == "eligible":
        return _said("permit_eligible", lang), "ok"
    if part.get("reason") == "local_hukou":
        return _said("permit_local_hukou", lang), "ok"
    if status == "undetermined":
        return _said("permit_undetermined", lang), "ask"
    return _said("permit_ineligible", lang), "no"

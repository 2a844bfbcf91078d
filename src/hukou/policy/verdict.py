"""One person, one date, one policy: the verdict of RULEBOOK §7 with its full explanation.

`evaluate(person, d, policy)` is the single-person engine: a Verdict holding every reason.
`check(data, d, policy)` validates raw facts first (every input error names its field) and returns
the verdict as JSON-ready data.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import ValidationError

from hukou.policy.citations import bases
from hukou.policy.errors import InputError, every_error, from_validation
from hukou.policy.facts import Person, hukou_place_error
from hukou.policy.key_groups import evaluate_key_groups
from hukou.policy.policy_file import Policy
from hukou.policy.residence_permit import PermitResult, evaluate_permit
from hukou.policy.settlement import SettlementResult, evaluate_settlement
from hukou.policy.situation import Situation
from hukou.policy.trace import TRI_TEXT, Trace, reason_dict


def parse_person(data: Any) -> Person:
    """Validate §2 facts; unknown keys are ignored, errors name the field path."""
    if not isinstance(data, dict):
        raise InputError("", f"expected a mapping of facts about a person (got {type(data).__name__})")
    try:
        return Person.model_validate(data)
    except ValidationError as exc:
        raise from_validation(exc) from None


def place_errors(person: Person, city: str, city_name: str = "the city") -> list[InputError]:
    """The hukou is in a place that exists (GB/T 2260, or the city's own code); residence records are
    periods lived in the city (GB/T 2260 code `city`): a place outside it is an input error."""
    errors = []
    unknown = hukou_place_error(person.hukou.place, city)
    if unknown:
        errors.append(InputError("hukou.place", unknown))
    for i, r in enumerate(person.residence or ()):
        if not r.place.startswith(city):
            errors.append(InputError(f"residence[{i}].place",
                                     f"expected a place in {city_name} ({city}…) (got {r.place!r})"))
    return errors


def check_places(person: Person, city: str, city_name: str = "the city") -> None:
    """The first of `place_errors`, raised."""
    errors = place_errors(person, city, city_name)
    if errors:
        raise errors[0]


def every_problem(data: Any, city: str, today: date | None = None) -> list[InputError]:
    """Every input error of raw §2 facts at once, each naming its field (a form lists them all): the
    model's and the places', and with `today` the events dated after it (facts.PastDate)."""
    if not isinstance(data, dict):
        return [InputError("", f"expected a mapping of facts about a person (got {type(data).__name__})")]
    try:
        person = Person.model_validate(data, context={"city": city, "today": today})
    except ValidationError as exc:
        return every_error(exc)
    return place_errors(person, city)


def parse_person_today(data: Any, city: str, today: date) -> Person:
    """`parse_person` for facts a person gives about themselves on `today`: also a hukou place that is
    no place, and an event dated after today, are input errors (the first, naming its field)."""
    errors = every_problem(data, city, today)
    if errors:
        raise errors[0]
    return parse_person(data)


class Verdict:
    """The verdicts for one person at D, with every reason: `as_dict()` gives RULEBOOK §7."""

    __slots__ = ("date", "policy", "settlement", "key_groups", "permit", "bases")

    def __init__(self, d: date, policy: str, settlement: SettlementResult, key_groups: list[str], permit: PermitResult,
                 bases: dict[str, dict[str, str]] | None = None):
        self.date = d
        self.policy = policy
        self.settlement = settlement
        self.key_groups = key_groups
        self.permit = permit
        self.bases = bases or {}  # each reason's legal basis, by rule id (citations.bases)

    def _reasons(self, reasons) -> list[dict[str, Any]]:
        out = []
        for r in reasons:
            d = reason_dict(r)
            b = self.bases.get(r[0])
            d["basis"] = dict(b) if b is not None else None
            out.append(d)
        return out

    def as_dict(self) -> dict[str, Any]:
        s, p = self.settlement, self.permit
        permit = {
            "status": p.status,
            "reason": p.reason,
            "guardian_required": p.guardian_required,
            "missing": p.missing,
            "entitlements": p.entitlements,
            "reasons": self._reasons(p.reasons),
        }
        if p.endorsement is not None:
            permit["endorsement"] = p.endorsement.as_dict()
        return {
            "date": self.date.isoformat(),
            "policy": self.policy,
            "settlement": {
                "status": s.status,
                "reason": s.reason,
                "route": s.route,
                "household": s.household,
                "routes": {name: TRI_TEXT[r] for name, r in s.routes.items()},
                "key_groups": list(self.key_groups),
                "followers": s.followers,
                "missing": s.missing,
                "failed_rule": s.failed_rule,
                "reasons": self._reasons(s.reasons),
            },
            "residence_permit": permit,
        }


def evaluate(person: Person, d: date, policy: Policy) -> Verdict:
    """The single-person engine: both verdicts for one person at D, with every reason explained."""
    values = policy.values_at(d)
    cites = policy.clauses_of_rules()
    check_places(person, policy.city.code, policy.city.name)
    sit = Situation(person, d)
    settlement_trace = Trace()  # the key groups' reasons follow the routes'
    settlement = evaluate_settlement(sit, policy, values, cites, settlement_trace)
    key_groups = evaluate_key_groups(sit, values, cites, settlement_trace)
    permit = evaluate_permit(sit, policy, values, Trace())
    return Verdict(d, policy.id, settlement, key_groups, permit, bases(policy))


def check(data: Any, d: date, policy: Policy) -> dict[str, Any]:
    """Validate raw §2 facts, evaluate them, and return the §7 verdict as plain JSON-ready data."""
    return evaluate(parse_person(data), d, policy).as_dict()

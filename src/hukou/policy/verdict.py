"""One person, one date, one policy: the verdict of RULEBOOK §7 with its full explanation.

`evaluate(person, d, policy)` is the single-person engine. `check(data, d, policy)` validates raw
facts first, so every input error names its field.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import ValidationError

from hukou.policy.errors import InputError, from_validation
from hukou.policy.explain import reason
from hukou.policy.facts import Person
from hukou.policy.findings import TRI_TEXT
from hukou.policy.key_groups import evaluate_key_groups
from hukou.policy.policy_file import Policy
from hukou.policy.residence_permit import evaluate_permit
from hukou.policy.settlement import evaluate_settlement


def parse_person(data: Any) -> Person:
    """Validate §2 facts; unknown keys are ignored, errors name the field path."""
    if not isinstance(data, dict):
        raise InputError("", f"expected a mapping of facts about a person (got {type(data).__name__})")
    try:
        return Person.model_validate(data)
    except ValidationError as exc:
        raise from_validation(exc) from None


def check_places(person: Person, policy: Policy) -> None:
    """Residence records are periods lived in the city: a place outside it is an input error."""
    for i, r in enumerate(person.residence or ()):
        if not r.place.startswith(policy.city.code):
            raise InputError(f"residence[{i}].place",
                             f"expected a place in {policy.city.name} ({policy.city.code}…) (got {r.place!r})")


def evaluate(person: Person, d: date, policy: Policy) -> dict[str, Any]:
    policy.check_date(d)
    check_places(person, policy)
    s = evaluate_settlement(person, d, policy)
    flags, group_findings = evaluate_key_groups(person, d, policy)
    p = evaluate_permit(person, d, policy)
    extra_texts = {f"{c.route}.extra.{i + 1}": c.text for i, c in enumerate(policy.extra_conditions) if c.text}
    permit = {
        "status": p.status,
        "reason": p.reason,
        "guardian_required": p.guardian_required,
        "missing": p.missing,
        "entitlements": p.entitlements,
        "reasons": [reason(f) for f in p.findings],
    }
    if p.endorsement is not None:
        permit["endorsement"] = p.endorsement.as_dict()
    return {
        "date": d.isoformat(),
        "policy": policy.id,
        "settlement": {
            "status": s.status,
            "reason": s.reason,
            "route": s.route,
            "household": s.household,
            "routes": {name: TRI_TEXT[r] for name, r in s.routes.items()},
            "key_groups": flags,
            "followers": s.followers,
            "missing": s.missing,
            "reasons": [reason(f, extra_texts.get(f.rule)) for f in s.findings]
                       + [reason(f) for f in group_findings],
        },
        "residence_permit": permit,
    }


def check(data: Any, d: date, policy: Policy) -> dict[str, Any]:
    return evaluate(parse_person(data), d, policy)

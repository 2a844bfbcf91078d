"""Helpers to make policy-file variants for tests: the shipped Changji file, changed in one place."""

from __future__ import annotations

import copy
from datetime import date
from importlib import resources
from pathlib import Path

import yaml

from hukou.policies import merged_document

_CHANGJI = merged_document("changji-2018")  # the city's file on the national layer, as one document


def changji_dict() -> dict:
    return copy.deepcopy(_CHANGJI)


def write_policy(tmp_path: Path, data: dict, name: str = "policy.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def cite(clause: str = "§五", quote: str = "引文") -> dict:
    return {"clause": clause, "quote": quote}


def variant_policy():
    """Changji with non-zero minimums and one extra condition on every fact the register engine compiles."""
    from hukou.policy.policy_file import parse_policy

    data = changji_dict()
    data["parameters"]["settlement.general.min_social_insurance_months"]["values"] = {"2018-12-05": 12}
    data["parameters"]["settlement.general.min_employment_months"]["values"] = {"2018-12-05": 6}
    data["extra_conditions"] = [
        {"route": "general", "require": {"fact": "age", "op": ">=", "value": 18}, "cite": cite()},
        {"route": "talent", "require": {"fact": "residence_months", "op": ">=", "value": 3}, "cite": cite("§四")},
        {"route": "general", "require": {"fact": "employment_months", "op": ">=", "value": 2}, "cite": cite()},
        {"route": "student", "require": {"fact": "social_insurance_months", "op": "<", "value": 100}, "cite": cite("§四")},
        {"route": "general", "require": {"fact": "housing.kind", "op": "in", "value": ["owned", "rented", "employer"]},
         "cite": cite()},
        {"route": "talent", "require": {"fact": "hukou.urban", "op": "==", "value": False}, "cite": cite("§四")},
        {"route": "student", "require": {"fact": "education.certified", "op": "!=", "value": True}, "cite": cite("§四")},
        {"route": "talent", "require": {"fact": "residence.urban", "op": "==", "value": True}, "cite": cite("§四")},
        {"route": "general", "require": {"fact": "employment.from", "op": "<=", "value": date(2019, 2, 28)},
         "cite": cite()},
        {"route": "general", "require": {"fact": "housing.registered", "op": "!=", "value": False}, "cite": cite()},
        {"route": "talent", "require": {"fact": "qualifications.kind", "op": "in",
                                        "value": ["skill_certificate", "vocational_qualification"]}, "cite": cite("§四")},
        {"route": "student", "require": {"fact": "military.discharged", "op": ">=", "value": date(2000, 1, 1)},
         "cite": cite("§四")},
    ]
    return parse_policy(data)

"""What a department may see of a task: the field vocabulary's meanings, and the projection onto
exactly the fields a task type declares (the purpose limit of §十–§十五, as data in the policy file).

A task carries nothing else about the person: never the facts a decision rested on (jobs,
insurance, income), never another case. `person.*` is the task's subject (the applicant, or each
person who moved); `child.*` is the child a schooling task is about.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Iterable, Mapping

from hukou.cases.case import Action, Case, state
from hukou.cases.parties import Party, masked
from hukou.policy.policy_file import TASK_FIELDS


def field_values(case: Case, action: Action, subject: Party, names: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Every field of the vocabulary for one task's subject, from the case and its deciding action
    (`names`: the register's names of places, by code). Values are text, a number or None (unknown)."""
    s = state(case)
    record = action.data if isinstance(action.data, dict) else {}
    place = record.get("place")
    facts = (s.decision.data.get("facts") if s.decision else None) or {}
    hukou = facts.get("hukou") if isinstance(facts.get("hukou"), dict) else {}
    applicant = subject.key == "applicant"
    on = action.at.date().isoformat()
    registered = action.type == "registered"
    values: dict[str, Any] = {
        "case.number": case.number or case.id,
        "person.name": subject.name,
        "person.id_number": subject.id_number,
        "person.id_number_masked": masked(subject.id_number),
        "person.birth_date": subject.birth_date.isoformat(),
        "person.relation": subject.relation,
        "person.hukou_before": hukou.get("place") if applicant else None,  # the decided facts are the applicant's
        "household.address": _address(place, names or {}) if registered and isinstance(place, str) else None,
        "household.registered_on": on if registered else None,
        "household.size": len(record.get("moved") or ()) if registered else None,
        "child.name": subject.name,
        "child.id_number_masked": masked(subject.id_number),
        "child.birth_date": subject.birth_date.isoformat(),
        "permit.issued_on": on if action.type == "issued" else None,
    }
    assert set(values) == set(TASK_FIELDS), "every name of the vocabulary has a meaning here"
    return values


def _address(place: str, names: Mapping[str, str]) -> str:
    """The new household's place as people read it: the township's name and the community's (the code
    where the register has no name)."""
    township, community = names.get(place[:9], ""), names.get(place, place)
    return community if community.startswith(township) else township + community


def project(values: Mapping[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """Exactly the declared fields, in their declared order; nothing else passes."""
    return {name: values.get(name) for name in fields}


def rural_origin(case: Case) -> bool | None:
    """Whether the applicant's hukou was rural before (the decided facts), None when they do not say."""
    s = state(case)
    facts = (s.decision.data.get("facts") if s.decision else None) or {}
    hukou = facts.get("hukou")
    urban = hukou.get("urban") if isinstance(hukou, dict) else None
    return None if not isinstance(urban, bool) else not urban


def age_at(subject: Party, on: date) -> int:
    from hukou.policy.calendar import age_on

    return age_on(subject.birth_date, on)

"""The self-check form, field by field, translated into RULEBOOK §2 facts (pure: no I/O).

Each section of facts a rule may ask about has a three-way answer on the form: not answered yet
(the key is left out, so it is *unknown*), "none" (an empty list: *known: none*), or rows. The form
never asks for anything the rules do not read (no tax, investment, ethnicity or religion).

Field names are dotted paths (`residence.0.from`), so an input error's path from the rule engine
(`residence[0].from`) names the form field to mark.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# rows offered per repeated section (empty rows are ignored)
ROWS = {"residence": 3, "employment": 3, "social_insurance": 3, "education": 3, "qualifications": 2,
        "children": 3, "parents": 2}
# sections in the order the form asks them; birth date and hukou are always asked
SECTIONS = ("residence", "housing", "employment", "social_insurance", "education", "qualifications",
            "military", "family")
_ROW_FIELDS = {
    "residence": ("from", "to", "place", "urban"),
    "employment": ("from", "to"),
    "social_insurance": ("from", "to"),
    "education": ("level", "admitted", "graduated", "institution_in_city", "abroad", "certified"),
    "qualifications": ("kind", "obtained"),
}
_TRI = {"yes": True, "no": False}


def _get(form: Mapping[str, str], name: str) -> str:
    return (form.get(name) or "").strip()


def _rows(form: Mapping[str, str], section: str) -> list[dict[str, Any]]:
    rows = []
    for i in range(ROWS[section]):
        raw = {f: _get(form, f"{section}.{i}.{f}") for f in _ROW_FIELDS[section]}
        if not any(v for f, v in raw.items() if f not in ("institution_in_city", "abroad")):
            continue
        row: dict[str, Any] = {}
        for f, v in raw.items():
            if f in ("institution_in_city", "abroad"):
                row[f] = v == "on"
            elif f in ("urban", "certified"):
                if v in _TRI:
                    row[f] = _TRI[v]
            elif f == "to":
                row[f] = v or None
            elif v or f in ("from", "place", "level", "admitted", "kind"):
                row[f] = v  # an empty required field stays, so the engine names it
        rows.append(row)
    return rows


def facts_from_form(form: Mapping[str, str]) -> tuple[dict[str, Any], set[str]]:
    """The §2 facts the form holds, and the sections answered (including "none")."""
    facts: dict[str, Any] = {}
    answered: set[str] = set()
    if _get(form, "birth_date"):
        facts["birth_date"] = _get(form, "birth_date")
    hukou: dict[str, Any] = {"place": _get(form, "hukou.place")}
    if _get(form, "hukou.urban") in ("urban", "rural"):
        hukou["urban"] = _get(form, "hukou.urban") == "urban"
    facts["hukou"] = hukou
    for section in ("residence", "employment", "social_insurance", "education", "qualifications"):
        answer = _get(form, f"{section}.state")
        if answer == "none":
            facts[section] = []
        elif answer == "some":
            facts[section] = _rows(form, section)
        if answer in ("none", "some"):
            answered.add(section)
    kind = _get(form, "housing.kind")
    if kind:
        facts["housing"] = {"kind": kind}
        if _get(form, "housing.registered") in _TRI:
            facts["housing"]["registered"] = _TRI[_get(form, "housing.registered")]
        answered.add("housing")
    if _get(form, "military.state") == "some":
        facts["military"] = {k: v for k in ("enlisted", "discharged") if (v := _get(form, f"military.{k}"))}
        answered.add("military")
    elif _get(form, "military.state") == "none":
        answered.add("military")
    family = _family(form)
    if family:
        facts["family"] = family
        answered.add("family")
    return facts, answered


def _family(form: Mapping[str, str]) -> dict[str, Any]:
    family: dict[str, Any] = {}
    spouse = _get(form, "family.spouse")
    if spouse in ("moving", "staying"):
        family["spouse"] = {"moving": spouse == "moving"}
    children = []
    for i in range(ROWS["children"]):
        born = _get(form, f"family.children.{i}.birth_date")
        if born:
            children.append({"birth_date": born, "moving": _get(form, f"family.children.{i}.moving") == "on"})
    parents = []
    for i in range(ROWS["parents"]):
        answer = _get(form, f"family.parents.{i}")
        if answer in ("moving", "staying"):
            parents.append({"moving": answer == "moving"})
    if children:
        family["children"] = children
    if parents:
        family["parents"] = parents
    return family


_INDEX = re.compile(r"\[(\d+)\]")


def form_field(path: str) -> str:
    """The form field for an engine error path: `residence[0].from` → `residence.0.from`;
    `family.children[1].birth_date` → `family.children.1.birth_date`."""
    return _INDEX.sub(r".\1", path)


def section_of(field: str) -> str:
    """The section a form field belongs to (birth date and hukou are sections of their own)."""
    return field.split(".", 1)[0] if field else ""

"""The self-check form, field by field, translated into RULEBOOK §2 facts (pure: no I/O).

Each section of facts a rule may ask about has a three-way answer on the form: not answered yet
(the key is left out, so it is *unknown*), "none" (an empty list: *known: none*), or rows. The form
never asks for anything the rules do not read (no tax, investment, ethnicity or religion).

Military service and family have the same three answers (not answered is not "none", even where
the rules read an absent key as none: the page then says nothing about them). The hukou place is
chosen province → city → county (`hukou.province`, `hukou.city`, `hukou.place`); the facts take
the county's 6-digit code, or a city's where no county lies below it.

Field names are dotted paths (`residence.0.from`), so an input error's path from the rule engine
(`residence[0].from`) names the form field to mark. `form_problems` finds what only the form can
get wrong (a value too long, rows under "none"); every other check is the facts' own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from hukou.i18n import Msg
from hukou.policy import places

# rows offered per repeated section (empty rows are ignored)
ROWS = {"residence": 3, "employment": 3, "social_insurance": 3, "education": 3, "qualifications": 2,
        "children": 3, "parents": 2}
# sections in the order the form asks them; birth date and hukou are always asked (the rules need them)
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
STATES = ("", "none", "some")  # not answered, none, the rows below
MAX_VALUE = {"date": 10, "month": 7, "code": 12, "choice": 20}
_MONTH_FIELDS = re.compile(r"social_insurance\.\d+\.(from|to)")
_CODE_FIELDS = re.compile(r"hukou\.(province|city|place)|residence\.\d+\.place")
_DATE_FIELDS = re.compile(r"date|birth_date|.*\.(from|to|admitted|graduated|obtained|enlisted|discharged|birth_date)")


def _get(form: Mapping[str, str], name: str) -> str:
    return (form.get(name) or "").strip()


def _kept(form: Mapping[str, str], section: str) -> list[int]:
    """The form's rows of a section that hold an answer (empty rows are left out of the facts)."""
    return [i for i in range(ROWS[section])
            if any(_get(form, f"{section}.{i}.{f}") for f in _ROW_FIELDS[section] if f not in ("institution_in_city", "abroad"))]


def row_numbers(form: Mapping[str, str]) -> dict[str, list[int]]:
    """For each repeated section, the form's row of each record of the facts: an error of `employment[0]`
    is about the form's `employment.1` when its first row was left empty."""
    rows = {section: _kept(form, section) for section in _ROW_FIELDS}
    rows["family.children"] = [i for i in range(ROWS["children"]) if _get(form, f"family.children.{i}.birth_date")]
    return rows


def _rows(form: Mapping[str, str], section: str) -> list[dict[str, Any]]:
    rows = []
    for i in _kept(form, section):
        raw = {f: _get(form, f"{section}.{i}.{f}") for f in _ROW_FIELDS[section]}
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


def hukou_place(form: Mapping[str, str]) -> str:
    """The place the three choices name: the county when it lies in the chosen city and province (a
    county left over from an earlier city is no choice), else a city with no county below it, else ""."""
    province, city, county = (_get(form, f"hukou.{k}") for k in ("province", "city", "place"))
    if county and county.startswith(city[:4]) and county.startswith(province[:2]):
        return county
    if city and city.startswith(province[:2]) and places.choosable(city):
        return city
    return ""


def section_state(form: Mapping[str, str], section: str) -> str:
    """The section's answer: "none", "some", or "" (not answered). Rows filled in without an answer
    (a form sent by hand) answer "some"."""
    answer = _get(form, f"{section}.state")
    if answer in ("none", "some"):
        return answer
    return "some" if _filled(form, section) else ""


def _filled(form: Mapping[str, str], section: str) -> bool:
    if section == "housing":
        return bool(_get(form, "housing.kind"))
    if section == "military":
        return any(_get(form, f"military.{k}") for k in ("enlisted", "discharged"))
    if section == "family":
        return bool(_get(form, "family.spouse")) or any(
            v.strip() for k, v in form.items() if k.startswith(("family.children.", "family.parents.")) and k.count(".") >= 2
            and not k.endswith(".moving"))
    return any(v.strip() for k, v in form.items() if k.startswith(section + ".") and k != section + ".state"
               and not k.endswith((".institution_in_city", ".abroad")))


def facts_from_form(form: Mapping[str, str]) -> tuple[dict[str, Any], set[str]]:
    """The §2 facts the form holds, and the sections answered (including "none")."""
    facts: dict[str, Any] = {}
    answered: set[str] = set()
    if _get(form, "birth_date"):
        facts["birth_date"] = _get(form, "birth_date")
    hukou: dict[str, Any] = {"place": hukou_place(form)}
    if _get(form, "hukou.urban") in ("urban", "rural"):
        hukou["urban"] = _get(form, "hukou.urban") == "urban"
    facts["hukou"] = hukou
    for section in ("residence", "employment", "social_insurance", "education", "qualifications"):
        answer = section_state(form, section)
        if answer == "none":
            facts[section] = []
        elif answer == "some":
            facts[section] = _rows(form, section)
        if answer:
            answered.add(section)
    kind = _get(form, "housing.kind")
    if kind:
        facts["housing"] = {"kind": kind}
        if _get(form, "housing.registered") in _TRI:
            facts["housing"]["registered"] = _TRI[_get(form, "housing.registered")]
        answered.add("housing")
    military = section_state(form, "military")
    if military == "some":
        facts["military"] = {k: v for k in ("enlisted", "discharged") if (v := _get(form, f"military.{k}"))}
    if military:  # "none" is no record, as the rules read an absent one; the page knows it was answered
        answered.add("military")
    family = section_state(form, "family")
    if family:
        facts["family"] = _family(form) if family == "some" else {}
        answered.add("family")
    return facts, answered


def form_problems(form: Mapping[str, str]) -> dict[str, Msg]:
    """What only the form can get wrong, by field: a value longer than any answer to it (refused before
    it is read), rows filled in under "none", a family listed without saying whether there is a spouse."""
    problems: dict[str, Msg] = {}
    for name, value in form.items():
        if not (name in ("birth_date", "date") or name.split(".", 1)[0] in ("hukou", *SECTIONS)):
            continue  # not a question of the form: never read
        limit = MAX_VALUE["month" if _MONTH_FIELDS.fullmatch(name) else "code" if _CODE_FIELDS.fullmatch(name)
                          else "date" if _DATE_FIELDS.fullmatch(name) else "choice"]
        if len(value) > limit:
            problems[name] = Msg("at most {max} characters", max=limit)
    for section in SECTIONS:
        if _get(form, f"{section}.state") == "none" and _filled(form, section):
            problems.setdefault(section, Msg("you answered “none” but filled in details: choose “yes” or clear them"))
    if section_state(form, "family") == "some" and _get(form, "family.spouse") not in SPOUSE:
        problems.setdefault("family.spouse", Msg("say whether you have a spouse, and whether they move with you"))
    return problems


SPOUSE = ("none", "moving", "staying")  # the spouse's answer when the family is listed


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

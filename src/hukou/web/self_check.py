"""The self-check's page logic: the hukou place chosen by name, every problem of the form at once
(each naming its field), the answers in plain words for "check your answers", and the places as
JSON for the page's script (`GET /places?parent=65`, `GET /places?q=昌吉`).

The checks are the facts' own (`policy.verdict.every_problem`: the model, the places, and no event
after today), plus what only the form can get wrong (`facts_form.form_problems`); nothing is
checked here alone. The pages are in `web/pages.py`.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Mapping

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from hukou.policy import places
from hukou.policy.facts import parse_date
from hukou.policy.verdict import every_problem
from hukou.registry.divisions import township_names
from hukou.web.facts_form import (SECTIONS, facts_from_form, form_field, form_problems, hukou_place, row_numbers,
                                  section_state)
from hukou.web.i18n import text
from hukou.web.refusals import said

router = APIRouter(include_in_schema=False)

# where a record-level error (`residence[0]`: 'to' before 'from') is marked
_ORDERING = {"'to' must not be before 'from'": "to", "'graduated' must not be before 'admitted'": "graduated",
             "'discharged' must not be before 'enlisted'": "discharged"}
_ROW_LABELS = {"from": "from", "to": "sc_to", "place": "township", "urban": "place_kind", "level": "level",
               "admitted": "admitted", "graduated": "sc_graduated", "institution_in_city": "institution_in_city",
               "abroad": "abroad", "certified": "certified", "kind": "qualification_kind", "obtained": "obtained",
               "birth_date": "child_birth_date", "enlisted": "enlisted", "discharged": "sc_discharged"}
_MONTH_LABELS = {"from": "from_month", "to": "to_month"}
_TOP_LABELS = {"birth_date": "birth_date", "hukou.province": "sc_province", "hukou.city": "sc_city",
               "hukou.place": "sc_hukou_place", "hukou.urban": "sc_hukou_kind", "date": "check_date",
               "housing.kind": "housing_kind", "housing.registered": "housing_registered", "family.spouse": "spouse"}
_CHOOSE = {"hukou.place": "sc_choose_county", "hukou.urban": "sc_choose_kind"}
_ORDER = ("birth_date", "hukou", *SECTIONS, "date")
_ROW = re.compile(r"^(?P<section>[a-z_]+(?:\.children|\.parents)?)\.(?P<i>\d+)(?:\.(?P<field>\w+))?$")


# --- the hukou place, by name ------------------------------------------------------------------------

def place_choices(form: Mapping[str, str], lang: str) -> dict[str, Any]:
    """The three selects of the hukou place: the options of each and what is chosen. A place given
    whole (a code from an earlier page) shows as its province, city and county."""
    chosen = hukou_place(form)
    province, city, county = places.chain(chosen) if chosen else ("", "", "")
    province = province or (form.get("hukou.province") or "").strip()
    city = city or (form.get("hukou.city") or "").strip()
    if not city.startswith(province[:2]):
        city = ""
    blank = [("", text("choose", lang))]
    cities = places.children(province) if places.is_known(province) else []
    counties = (places.children(city) or ([places.place(city)] if places.choosable(city) else [])) \
        if places.is_known(city) else []
    if county and county not in {p.code for p in counties} and places.place(county):  # a code since renamed
        counties = [*counties, places.place(county)]
    if city and city not in {p.code for p in cities} and places.place(city):
        cities = [*cities, places.place(city)]
    return {
        "province_options": blank + [(p.code, p.name) for p in places.provinces()],
        "city_options": blank + [(p.code, p.name) for p in cities],
        "county_options": blank + [(p.code, p.name) for p in counties if p],
        "hukou_chosen": {"hukou.province": province, "hukou.city": city, "hukou.place": county},
    }


@router.get("/places")
def places_json(parent: str = Query("", max_length=6), q: str = Query("", max_length=20)) -> JSONResponse:
    """The places below `parent` (no parent: the provinces), or those whose name holds `q`, with their
    full names: for the self-check's script."""
    if q.strip():
        found = [{"code": p.code, "name": p.name, "full_name": full, "chain": places.chain(p.code)}
                 for p, full in places.search(q)]
    else:
        below = places.children(parent) if parent else places.provinces()
        found = [{"code": p.code, "name": p.name, "leaf": not places.children(p.code)} for p in below]
    return JSONResponse({"places": found}, headers={"Cache-Control": "public, max-age=86400"})


# --- every problem at once -----------------------------------------------------------------------------

def field_label(field: str, lang: str) -> str:
    """A form field as the page names it: "出生日期", "工作（第2条）开始日期"."""
    if field in _TOP_LABELS:
        return text(_TOP_LABELS[field], lang)
    if field in SECTIONS:
        return text("s_" + field, lang)
    m = _ROW.match(field)
    if m:
        section, n, name = m["section"], int(m["i"]) + 1, m["field"]
        top = section.split(".")[0]
        if section == "family.parents":
            name = "parent"
        elif section == "family.children":
            name = name or "child_birth_date"
        labels = _MONTH_LABELS if top == "social_insurance" else _ROW_LABELS
        part = text(labels.get(name, name), lang) if name else ""
        return text("sc_row", lang).format(section=text("s_" + top, lang), n=n, field=part).rstrip(" ,，")
    if field.startswith("military."):
        return text("s_military", lang) + " " + text(_ROW_LABELS.get(field.split(".")[1], ""), lang)
    return text("s_" + field.split(".")[0], lang) if field.split(".")[0] in SECTIONS else ""


PUNCT = {"zh": "：", "en": ": "}


def anchor(field: str) -> str:
    """The id in the page of a field's input (a section's answer: its fieldset)."""
    return "s-" + field if field in SECTIONS or field == "person" else field


def _mark(field: str, message: str, rows: Mapping[str, list[int]]) -> str:
    """The input to mark for an error of the facts: the form's row of the record (empty rows are left
    out of the facts), and for a record's order error its later date."""
    m = _ROW.match(field)
    if m and m["section"] in rows and int(m["i"]) < len(rows[m["section"]]):
        field = f"{m['section']}.{rows[m['section']][int(m['i'])]}" + (f".{m['field']}" if m["field"] else "")
    template = getattr(message, "template", message)
    if template in _ORDERING:
        if field == "military":
            return "military.discharged"
        return f"{field}.{_ORDERING[template]}"
    if field in ("hukou", ""):
        return "hukou.place"
    return field


def _order(field: str) -> tuple:
    top = field.split(".")[0]
    rank = _ORDER.index(top) if top in _ORDER else len(_ORDER)
    return (rank, [int(p) if p.isdigit() else 0 for p in field.split(".")[1:]])


def problems(form: Mapping[str, str], city: str, today: date, lang: str) -> dict[str, str]:
    """Every problem of the form at once, field by field in the form's order, said in the page's
    language: the form's own (a value too long is refused unread) and then the facts' of the rest."""
    found: dict[str, str] = {}
    own = form_problems(form)
    for field, message in own.items():
        found[field] = said(field, message, lang)
    rest = {k: ("" if k in own else v) for k, v in form.items()}
    d = (rest.get("date") or "").strip()
    if d:
        try:
            parse_date(d)
        except ValueError as exc:
            found["date"] = said("date", exc.args[0], lang)
    rows = row_numbers(rest)
    for error in every_problem(facts_from_form(rest)[0], city, today):
        field = _mark(form_field(error.path), error.message, rows)
        if field in _CHOOSE and error.message == "required":  # a choice not made: say which
            found.setdefault(field, text(_CHOOSE[field], lang))
        else:
            found.setdefault(field, said(error.path, error.message, lang))
    return dict(sorted(found.items(), key=lambda kv: _order(kv[0])))


def summary_items(errors: Mapping[str, str], lang: str) -> list[tuple[str, str]]:
    """(anchor, "label: message") for the error summary: each names its field."""
    out = []
    for field, message in errors.items():
        label = field_label(field, lang)
        out.append((anchor(field), f"{label}{PUNCT[lang]}{message}" if label else message))
    return out


# --- check your answers --------------------------------------------------------------------------------

def _words(key: str, lang: str, **values: Any) -> str:
    return text(key, lang).format(**values) if values else text(key, lang)


def _period(row: dict[str, Any], lang: str) -> str:
    end = row.get("to") or _words("sc_ongoing", lang)
    return f"{row.get('from') or '?'} – {end}"


def _yes_no(value: Any, lang: str) -> str:
    return text("yes", lang) if value is True else text("no", lang) if value is False else text("unknown", lang)


def _rows_said(section: str, rows: list[dict[str, Any]], lang: str) -> list[str]:
    sep = "，" if lang == "zh" else ", "
    towns = township_names()
    out = []
    for row in rows:
        if section == "residence":
            bits = [_period(row, lang), towns.get(row.get("place", ""), row.get("place", "")),
                    text("urban_place" if row.get("urban") else "rural_place", lang) if "urban" in row
                    else text("place_kind", lang) + PUNCT[lang] + text("unknown", lang)]
        elif section in ("employment", "social_insurance"):
            bits = [_period(row, lang)]
        elif section == "education":
            bits = [text("level_" + row["level"], lang) if row.get("level") else "?",
                    text("admitted", lang) + " " + str(row.get("admitted") or "?"),
                    text("sc_graduated", lang) + " " + str(row["graduated"]) if row.get("graduated")
                    else _words("sc_not_graduated", lang)]
            if row.get("institution_in_city"):
                bits.append(text("institution_in_city", lang))
            if row.get("abroad"):
                bits += [text("abroad", lang), text("certified", lang) + " " + _yes_no(row.get("certified"), lang)]
        else:  # qualifications
            bits = [text("qualification_" + row["kind"], lang) if row.get("kind") else "?"]
            if row.get("obtained"):
                bits.append(text("obtained", lang) + " " + str(row["obtained"]))
        out.append(sep.join(b for b in bits if b))
    return out


def _family_said(family: dict[str, Any], form: Mapping[str, str], lang: str) -> list[str]:
    spouse = (form.get("family.spouse") or "").strip()
    lines = [text("spouse", lang) + PUNCT[lang] + text("sc_spouse_" + spouse, lang)] if spouse else []
    for child in family.get("children", []):
        lines.append(text("sc_child", lang).format(born=child["birth_date"]) + PUNCT[lang]
                     + text("moving" if child.get("moving") else "staying", lang))
    for parent in family.get("parents", []):
        lines.append(text("parent", lang) + PUNCT[lang] + text("moving" if parent["moving"] else "staying", lang))
    return lines


def answers(form: Mapping[str, str], facts: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    """Every answer of the form in plain words, in the form's order: [{label, lines, target}], where
    `target` is the field (its id) a "change" goes back to. A section not answered says so."""
    hukou = facts.get("hukou", {})
    urban = hukou.get("urban")
    out = [
        {"label": text("birth_date", lang), "lines": [facts.get("birth_date", "")], "target": "birth_date"},
        {"label": text("sc_hukou_place", lang), "lines": [places.full_name(hukou.get("place", ""))],
         "target": "hukou.place"},
        {"label": text("sc_hukou_kind", lang),
         "lines": [text("hukou_urban" if urban else "hukou_rural", lang) if urban is not None else ""],
         "target": "hukou.urban"},
    ]
    for section in SECTIONS:
        state = "some" if section == "housing" and form.get("housing.kind") else \
            "" if section == "housing" else section_state(form, section)
        if not state:
            lines = [text("sc_not_answered", lang)]
        elif state == "none":
            lines = [text("sc_none_" + section, lang) if text("sc_none_" + section, lang) != "sc_none_" + section
                     else text("state_none", lang)]
        elif section == "housing":
            h = facts["housing"]
            lines = [text("housing_" + h["kind"], lang) + ("" if h["kind"] != "rented" else
                     ("，" if lang == "zh" else ", ") + text("housing_registered", lang) + " "
                     + _yes_no(h.get("registered"), lang))]
        elif section == "military":
            m = facts.get("military", {})
            lines = [text("sc_served", lang) + PUNCT[lang] + text("enlisted", lang) + " " + (m.get("enlisted") or "?")
                     + ("，" if lang == "zh" else ", ") + (text("sc_discharged", lang) + " " + m["discharged"]
                                                          if m.get("discharged") else text("sc_serving", lang))]
        elif section == "family":
            lines = _family_said(facts.get("family", {}), form, lang)
        else:
            lines = _rows_said(section, facts.get(section, []), lang) or [text("sc_no_rows", lang)]
        out.append({"label": text("s_" + section, lang), "lines": lines, "target": "s-" + section})
    d = (form.get("date") or "").strip()
    out.append({"label": text("check_date", lang), "lines": [d or text("sc_today", lang)], "target": "date"})
    return out


def carried(form: Mapping[str, str]) -> list[tuple[str, str]]:
    """The answers the "check your answers" page sends on, as hidden fields (empty ones left out)."""
    return [(k, v) for k, v in form.items() if v.strip() and k not in ("action", "change", "csrf")
            and (k in ("birth_date", "date") or k.split(".", 1)[0] in ("hukou", *SECTIONS))]

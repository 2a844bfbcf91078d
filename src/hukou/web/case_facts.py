"""The facts an officer checks, side by side (pure): what was given on the case and what the register
holds, one row per fact the rules read (RULEBOOK §2), with the difference said in words.

Absent is not none (RULEBOOK §2): a fact nobody gave reads "未填写（不清楚）", a fact known to be
none reads "无". Both sides are compared in the canonical form of the facts (`cases.facts`), so a
register row and a submission that say the same thing in different shapes (an open end left out or
written as null) are the same.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hukou.cases.facts import canonical_facts
from hukou.policy import places
from hukou.policy.errors import InputError
from hukou.registry.divisions import township_names
from hukou.web.i18n import text

# the facts the rules read, in the order an officer goes through them (RULEBOOK §2)
FACTS = ("birth_date", "hukou", "residence", "housing", "employment", "social_insurance", "education",
         "qualifications", "military", "family")
ABSENT_IS_NONE = frozenset({"military", "family"})  # RULEBOOK §2: for these two, absent means none
SAME, DIFFERS, ONLY_CASE, ONLY_REGISTER, NEITHER = "same", "differs", "only_case", "only_register", "neither"
_SEP = {"zh": "，", "en": ", "}
_COLON = {"zh": "：", "en": ": "}


@dataclass(frozen=True)
class FactRow:
    fact: str  # a key of FACTS
    label: str
    given: list[str]  # lines; [] never: unknown and none are said in words
    register: list[str]
    compared: str  # SAME | DIFFERS | ONLY_CASE | ONLY_REGISTER | NEITHER
    said: str  # the comparison in words ("" when neither side knows it)

    @property
    def differs(self) -> bool:
        return self.compared in (DIFFERS, ONLY_CASE, ONLY_REGISTER)


def _canonical(facts: dict[str, Any] | None, city: str) -> dict[str, Any] | None:
    if facts is None:
        return None
    try:
        return canonical_facts(facts, city)
    except InputError:  # the register's own record, not valid as facts: shown as it is
        return facts


def _place(code: Any, names: dict[str, str]) -> str:
    code = str(code or "")
    if code in names:  # a community or village the register names
        town, name = township_names().get(code[:9], ""), names[code]
        return name if name.startswith(town) else f"{town} {name}".strip()
    if len(code) == 9 and code in township_names():
        return township_names()[code]
    return places.full_name(code[:6]) or code


def _period(row: dict[str, Any], lang: str) -> str:
    return f"{row.get('from') or '?'} – {row.get('to') or text('sc_ongoing', lang)}"


def _yes_no(value: Any, lang: str) -> str:
    return text("yes", lang) if value is True else text("no", lang) if value is False else text("ov_unknown", lang)


def _residence(rows: list[dict[str, Any]], lang: str, names: dict[str, str]) -> list[str]:
    out = []
    for r in rows:
        kind = (text("cf_urban", lang) if r.get("urban") else text("cf_rural", lang)) if r.get("urban") is not None \
            else text("cf_urban_unknown", lang)
        out.append(_SEP[lang].join([_period(r, lang), _place(r.get("place"), names), kind]))
    return out


def _education(rows: list[dict[str, Any]], lang: str) -> list[str]:
    out = []
    for r in rows:
        bits = [text("level_" + str(r.get("level")), lang), f"{text('admitted', lang)} {r.get('admitted') or '?'}",
                f"{text('sc_graduated', lang)} {r['graduated']}" if r.get("graduated") else text("sc_not_graduated", lang)]
        if r.get("institution_in_city"):
            bits.append(text("institution_in_city", lang))
        if r.get("abroad"):
            bits += [text("abroad", lang), f"{text('cf_certified', lang)}{_COLON[lang]}{_yes_no(r.get('certified'), lang)}"]
        out.append(_SEP[lang].join(bits))
    return out


def _family(family: dict[str, Any], lang: str) -> list[str]:
    def moves(record: dict[str, Any]) -> str:
        return text("cf_moves" if record.get("moving") else "cf_stays", lang)

    out = []
    if family.get("spouse") is not None:
        out.append(f"{text('spouse', lang)}{_COLON[lang]}{moves(family['spouse'])}")
    for c in family.get("children") or ():
        out.append(f"{text('cf_child', lang).format(born=c.get('birth_date', '?'))}{_COLON[lang]}{moves(c)}")
    for p in family.get("parents") or ():
        out.append(f"{text('parent', lang)}{_COLON[lang]}{moves(p)}")
    return out


def _said(fact: str, value: Any, lang: str, names: dict[str, str]) -> list[str]:
    """A known fact in plain words (one line per record; "无" for a known none)."""
    if fact == "birth_date":
        return [str(value)]
    if fact == "hukou":
        kind = text("hukou_urban" if value.get("urban") else "hukou_rural", lang)
        return [f"{_place(value.get('place'), names)}{_SEP[lang]}{kind}"]
    if fact == "housing":
        kind = str(value.get("kind"))
        line = text("housing_" + kind, lang)
        if kind == "rented":
            line += _SEP[lang] + text("cf_lease_registered", lang) + _COLON[lang] + _yes_no(value.get("registered"), lang)
        return [line]
    if fact == "military":
        if not value.get("enlisted") and not value.get("discharged"):
            return [text("cf_none", lang)]
        return [_SEP[lang].join([f"{text('enlisted', lang)} {value.get('enlisted') or '?'}",
                                 f"{text('sc_discharged', lang)} {value['discharged']}" if value.get("discharged")
                                 else text("sc_serving", lang)])]
    if fact == "family":
        return _family(value, lang) or [text("cf_none", lang)]
    lines: Callable[..., list[str]] = {
        "residence": lambda: _residence(value, lang, names),
        "employment": lambda: [_period(r, lang) for r in value],
        "social_insurance": lambda: [_period(r, lang) for r in value],
        "education": lambda: _education(value, lang),
        "qualifications": lambda: [_SEP[lang].join([text("qualification_" + str(r.get("kind")), lang)]
                                                   + ([f"{text('obtained', lang)} {r['obtained']}"] if r.get("obtained") else []))
                                   for r in value],
    }[fact]
    return lines() or [text("cf_none", lang)]


def _plain(value: Any) -> Any:
    """A value for comparing: inside a record, an absent field, a null and an empty list are the same."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None and v != []}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _compared(given: Any, register: Any, have_given: bool, have_register: bool) -> str:
    if given is None and register is None:
        return NEITHER
    if given is None:
        return ONLY_REGISTER if have_given else NEITHER
    if register is None:
        return ONLY_CASE if have_register else NEITHER
    return SAME if _plain(given) == _plain(register) else DIFFERS


def facts_table(given: dict[str, Any] | None, register: dict[str, Any] | None, city: str, lang: str,
                names: dict[str, str] | None = None) -> list[FactRow]:
    """One row per fact: the case's side, the register's, and how they compare. `given` None: no facts
    were given on the case; `register` None: the register holds no record of the person."""
    names = names or {}
    g, r = _canonical(given, city), _canonical(register, city)
    rows = []
    for fact in FACTS:
        gv = g.get(fact) if g is not None else None
        rv = r.get(fact) if r is not None else None
        if fact in ABSENT_IS_NONE:
            gv = {} if g is not None and gv is None else gv
            rv = {} if r is not None and rv is None else rv
        compared = _compared(gv, rv, g is not None, r is not None)
        rows.append(FactRow(
            fact, text("cf_" + fact, lang),
            _said(fact, gv, lang, names) if gv is not None else
            [text("cf_unknown" if g is not None else "cf_no_facts_given", lang)],
            _said(fact, rv, lang, names) if rv is not None else
            [text("cf_unknown_register" if r is not None else "cf_not_in_register", lang)],
            compared, text("cf_" + compared, lang) if compared != NEITHER else ""))
    return rows

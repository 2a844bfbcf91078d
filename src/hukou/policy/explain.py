"""Sentences a citizen can read, in Chinese and English, for every rule's result.

Each rule has a sentence for true, false and unknown, written here in English; the Chinese is in the
message catalogue (hukou/i18n, beside every other message people read), and the sentences in every
language are made once, when this module is loaded. Placeholders name a value the rule used
(`{education_level}`) or `{param}`, the rule's parameter value.
"""

from __future__ import annotations

from string import Formatter
from typing import Any

from hukou.i18n import LANGS, Msg, translate


# rule: (true, false, unknown) in English; the Chinese is in the message catalogue (hukou.po)
TEXTS: dict[str, tuple[str, str, str]] = {
    "precondition.already_settled": (
        "",
        Msg("Your hukou is already registered in an urban place of this city; there is nothing to settle."),
        "",
    ),
    "talent.graduate": (
        Msg("You graduated from a domestic college or university ({education_level}): settlement is fully open to "
            "graduates."),
        Msg("No domestic college or university graduation (associate degree or higher) is on record."),
        Msg("Your education is not known yet."),
    ),
    "talent.vocational_graduate": (
        Msg("You graduated from a domestic vocational school: settlement is fully open to vocational graduates."),
        Msg("No domestic vocational-school graduation is on record."),
        Msg("Your education is not known yet."),
    ),
    "talent.skilled_worker": (
        Msg("You hold a {qualifications_kind}: settlement is fully open to skilled workers."),
        Msg("No skill certificate or vocational qualification is on record."),
        Msg("Whether you hold a skill certificate or vocational qualification is not known yet."),
    ),
    "talent.returned_overseas": (
        Msg("Your foreign degree is certified: settlement is fully open to returned overseas graduates."),
        Msg("No certified foreign degree is on record."),
        Msg("Whether your foreign degree is certified (or your education) is not known yet."),
    ),
    "student.rural_hukou": (
        Msg("Your hukou is rural."),
        Msg("Your hukou is not rural; the student route is for students with a rural hukou."),
        "",
    ),
    "student.enrolled_in_city": (
        Msg("You are studying at a college in this city ({education_level}); your hukou may move to its collective "
            "household, and after graduation back to your place of origin or to where you work, as you choose."),
        Msg("You are not studying at a college (associate level or higher) in this city now."),
        Msg("Whether you are studying at a college in this city is not known yet."),
    ),
    "general.legal_stable_residence": (
        Msg("You have a legal stable residence in the city (owned, registered rented, employer's or school "
            "housing)."),
        Msg("You have no legal stable residence in the city: owned housing, registered rented housing, or housing "
            "from an employer or school, while living here."),
        Msg("Your housing or residence is not known yet."),
    ),
    "general.urban_place": (
        Msg("You live in an urban place now."),
        Msg("You do not live in an urban place now (or no current residence is on record)."),
        Msg("Whether you live in an urban place now is not known yet."),
    ),
    "general.social_insurance": (
        Msg("The social-insurance requirement ({param} months) is met."),
        Msg("{social_insurance_months} months of social insurance, short of the {param} required."),
        Msg("Your social insurance is not known yet ({param} months required)."),
    ),
    "general.employment": (
        Msg("The employment requirement ({param} months) is met."),
        Msg("{employment_months} months of employment, short of the {param} required."),
        Msg("Your employment is not known yet ({param} months required)."),
    ),
    "key_groups.student_or_military": (
        Msg("Key group: rural student in higher education or discharged soldier."),
        Msg("Not in the key group of rural students and soldiers."),
        Msg("Not known yet whether in the key group of rural students and soldiers."),
    ),
    "key_groups.long_term_urban": (
        Msg("Key group: lived and worked in urban places for {param} years or more."),
        Msg("Not in the key group of {param} years of urban residence and work."),
        Msg("Not known yet whether {param} years of urban residence and work are reached."),
    ),
    "key_groups.whole_family": (
        Msg("Key group: the whole family moves."),
        Msg("Not in the whole-family key group (spouse and minor children must move too)."),
        "",
    ),
    "key_groups.new_generation": (
        Msg("Key group: new-generation migrant worker."),
        Msg("Not a new-generation migrant worker (born {param} or later and employed)."),
        Msg("Whether you are employed now is not known yet."),
    ),
    "permit.hukou_elsewhere": (
        Msg("Your hukou is outside the city, so you may apply for a residence permit."),
        Msg("Your hukou is in this city; a residence permit is for people whose hukou is elsewhere."),
        "",
    ),
    "permit.residence_duration": (
        Msg("You have lived in the city for {param} months or more."),
        Msg("You have not lived in the city for {param} months yet (residence must have begun by "
            "{required_start_by})."),
        Msg("How long you have lived in the city is not known yet ({param} months are required)."),
    ),
    "permit.employed": (
        Msg("You have lawful stable employment."),
        Msg("You are not employed now."),
        Msg("Whether you are employed now is not known yet."),
    ),
    "permit.legal_stable_residence": (
        Msg("You have a legal stable residence in the city."),
        Msg("You have no legal stable residence in the city."),
        Msg("Your housing or residence is not known yet."),
    ),
    "permit.studying": (
        Msg("You are studying."),
        Msg("You are not studying now."),
        Msg("Whether you are studying now is not known yet."),
    ),
}

EXTRA_TEXT = (Msg("Extra condition {fact} {op} {value}: met."), Msg("Extra condition {fact} {op} {value}: not met."),
              Msg("Extra condition {fact} {op} {value}: not known yet."))

LEVEL_NAMES = {
    "vocational": Msg("vocational school"),
    "associate": Msg("associate degree"),
    "bachelor": Msg("bachelor's degree"),
    "master": Msg("master's degree"),
    "doctor": Msg("doctorate"),
}

QUALIFICATION_NAMES = {
    "skill_certificate": Msg("skill certificate"),
    "vocational_qualification": Msg("vocational qualification"),
}

_INDEX = {True: 0, False: 1, None: 2}
_RESULTS = (Msg("met"), Msg("not met"), Msg("not known yet"))


def _value(key: str):
    return lambda values, params, lang: (values or {}).get(key, "—")


# Where each placeholder takes its value from: the values a rule used, or its parameter; a name (a
# level of education, a kind of certificate) is given in the sentence's language.
SLOTS = {
    "param": lambda values, params, lang: next(iter(params.values())),
    "education_level": lambda values, params, lang: translate(LEVEL_NAMES[values["education.level"]], lang),
    "qualifications_kind": lambda values, params, lang: translate(QUALIFICATION_NAMES[values["qualifications.kind"]],
                                                                  lang),
    "social_insurance_months": _value("social_insurance_months"),
    "employment_months": _value("employment_months"),
    "required_start_by": _value("required_start_by"),
}
_BY_LANGUAGE = frozenset({"education_level", "qualifications_kind"})


def _placeholders(template: str) -> tuple[str, ...]:
    names: list[str] = []
    for _, name, _, _ in Formatter().parse(template):
        if name and name not in names:
            names.append(name)
    return tuple(names)


def _both(english: str) -> dict[str, str]:
    return {lang: translate(english, lang) for lang in LANGS}


# result -> rule -> a ready sentence {"zh", "en"}, or ({lang: template}, placeholder names), made once
_COMPILED: dict[Any, dict[str, Any]] = {True: {}, False: {}, None: {}}
for _rule, _english in TEXTS.items():
    for _result, _i in _INDEX.items():
        _names = _placeholders(_english[_i])
        _COMPILED[_result][_rule] = (_both(_english[_i]), _names) if _names else _both(_english[_i])
# a requirement of 0 months is no requirement: "社会保险缴费要求（0个月）已满足" puzzled people
_NONE_REQUIRED: dict[tuple[str, Any], dict[str, str]] = {
    ("general.social_insurance", True): _both(Msg("No minimum period of social insurance is required to settle.")),
    ("general.employment", True): _both(Msg("No minimum period of employment is required to settle.")),
}
_FILLED: dict[tuple, dict[str, str]] = {}  # sentences already filled in, by rule, result and slot values
_FILLED_MAX = 100_000


def sentence(rule: str, result: Any, values: dict | None, params: dict | None) -> dict[str, str]:
    """The sentence for a rule's result, in Chinese and English, filled in with the values it used.

    The dict returned is shared: callers copy it before handing it out."""
    compiled = _COMPILED[result][rule]
    if type(compiled) is dict:
        return compiled
    templates, names = compiled
    if names == ("param",):
        value = next(iter(params.values()))
        if value == 0 and (rule, result) in _NONE_REQUIRED:
            return _NONE_REQUIRED[(rule, result)]
        key: tuple = (rule, result, value)
    else:
        key = (rule, result, *(SLOTS[name](values, params, "en") for name in names))
    filled = _FILLED.get(key)
    if filled is None:
        if len(_FILLED) >= _FILLED_MAX:
            _FILLED.clear()
        filled = _FILLED[key] = {lang: template.format_map({name: SLOTS[name](values, params, lang) for name in names})
                                 for lang, template in templates.items()}
    return filled


def extra_sentence(result: Any, fact: str, op: str, value: Any, own: Any = None) -> dict[str, str]:
    """A city's extra condition: its own sentence (`text` in the policy file) or a generic one."""
    i = _INDEX[result]
    if own is not None:
        return {"zh": f"{own.zh}（{translate(_RESULTS[i], 'zh')}）", "en": f"{own.en} ({_RESULTS[i]})"}
    return {lang: translate(EXTRA_TEXT[i], lang).format(fact=fact, op=op, value=value) for lang in LANGS}

"""Sentences a citizen can read, in Chinese and English, for every rule's result.

Each rule has a sentence for true, false and unknown. Placeholders name a value the rule used
(`{housing_kind}` for `housing.kind`) or `{param}`, the rule's parameter value.
"""

from __future__ import annotations

from string import Formatter
from typing import Any


# rule: ((zh_true, zh_false, zh_unknown), (en_true, en_false, en_unknown))
TEXTS: dict[str, tuple[tuple[str, str, str], tuple[str, str, str]]] = {
    "precondition.already_settled": (
        ("", "您的户口已在本市城镇，无需再办理落户。", ""),
        ("", "Your hukou is already registered in an urban place of this city; there is nothing to settle.", ""),
    ),
    "talent.graduate": (
        ("您已从国内高校毕业（{education_level_zh}），属于全面放开落户的高校毕业生。",
         "没有国内大专及以上学历的毕业记录。",
         "尚不清楚您的学历情况。"),
        ("You graduated from a domestic college or university ({education_level_en}): settlement is fully open to graduates.",
         "No domestic college or university graduation (associate degree or higher) is on record.",
         "Your education is not known yet."),
    ),
    "talent.vocational_graduate": (
        ("您已从国内职业院校毕业，属于全面放开落户的职业院校毕业生。",
         "没有国内职业院校的毕业记录。",
         "尚不清楚您的学历情况。"),
        ("You graduated from a domestic vocational school: settlement is fully open to vocational graduates.",
         "No domestic vocational-school graduation is on record.",
         "Your education is not known yet."),
    ),
    "talent.skilled_worker": (
        ("您持有{qualifications_kind_zh}，属于全面放开落户的技术工人。",
         "没有职业技能等级证书或职业资格证书。",
         "尚不清楚您是否持有职业技能等级证书或职业资格证书。"),
        ("You hold a {qualifications_kind_en}: settlement is fully open to skilled workers.",
         "No skill certificate or vocational qualification is on record.",
         "Whether you hold a skill certificate or vocational qualification is not known yet."),
    ),
    "talent.returned_overseas": (
        ("您的境外学历已经认证，属于全面放开落户的留学归国人员。",
         "没有经过认证的境外学历。",
         "尚不清楚您的境外学历是否已经认证（或学历情况未知）。"),
        ("Your foreign degree is certified: settlement is fully open to returned overseas graduates.",
         "No certified foreign degree is on record.",
         "Whether your foreign degree is certified (or your education) is not known yet."),
    ),
    "student.rural_hukou": (
        ("您的户口在农村。", "您的户口不在农村，学生来去自由的落户方式只适用于农村籍学生。", ""),
        ("Your hukou is rural.", "Your hukou is not rural; the student route is for students with a rural hukou.", ""),
    ),
    "student.enrolled_in_city": (
        ("您正在本市高校就读（{education_level_zh}），可将户口迁入学校集体户，毕业后可自主选择迁回原籍或迁往就业地。",
         "您目前不在本市高校（大专及以上）就读。",
         "尚不清楚您是否正在本市高校就读。"),
        ("You are studying at a college in this city ({education_level_en}); your hukou may move to its collective household, "
         "and after graduation back to your place of origin or to where you work, as you choose.",
         "You are not studying at a college (associate level or higher) in this city now.",
         "Whether you are studying at a college in this city is not known yet."),
    ),
    "general.legal_stable_residence": (
        ("您在本市有合法稳定住所（自有、租赁登记、单位或学校住房）。",
         "您在本市没有合法稳定住所：需要自有住房、已登记的租赁住房、单位或学校提供的住房，并在本市居住。",
         "尚不清楚您的住房或居住情况。"),
        ("You have a legal stable residence in the city (owned, registered rented, employer's or school housing).",
         "You have no legal stable residence in the city: owned housing, registered rented housing, or housing from an employer or school, while living here.",
         "Your housing or residence is not known yet."),
    ),
    "general.urban_place": (
        ("您现在居住的地方属于城镇。", "您现在居住的地方不属于城镇（或没有当前居住记录）。", "尚不清楚您现在居住的地方是否属于城镇。"),
        ("You live in an urban place now.", "You do not live in an urban place now (or no current residence is on record).",
         "Whether you live in an urban place now is not known yet."),
    ),
    "general.social_insurance": (
        ("社会保险缴费要求（{param}个月）已满足。", "社会保险缴费{social_insurance_months}个月，未达到要求的{param}个月。",
         "尚不清楚您的社会保险缴费情况（要求{param}个月）。"),
        ("The social-insurance requirement ({param} months) is met.",
         "{social_insurance_months} months of social insurance, short of the {param} required.",
         "Your social insurance is not known yet ({param} months required)."),
    ),
    "general.employment": (
        ("就业年限要求（{param}个月）已满足。", "就业{employment_months}个月，未达到要求的{param}个月。",
         "尚不清楚您的就业情况（要求{param}个月）。"),
        ("The employment requirement ({param} months) is met.", "{employment_months} months of employment, short of the {param} required.",
         "Your employment is not known yet ({param} months required)."),
    ),
    "key_groups.student_or_military": (
        ("属于重点群体：农村学生升学或参军进入城镇。", "不属于农村学生升学或参军进入城镇的重点群体。", "尚不清楚是否属于升学或参军的重点群体。"),
        ("Key group: rural student in higher education or discharged soldier.", "Not in the key group of rural students and soldiers.",
         "Not known yet whether in the key group of rural students and soldiers."),
    ),
    "key_groups.long_term_urban": (
        ("属于重点群体：在城镇就业居住{param}年以上。", "不属于在城镇就业居住{param}年以上的重点群体。",
         "尚不清楚是否在城镇就业居住{param}年以上。"),
        ("Key group: lived and worked in urban places for {param} years or more.",
         "Not in the key group of {param} years of urban residence and work.",
         "Not known yet whether {param} years of urban residence and work are reached."),
    ),
    "key_groups.whole_family": (
        ("属于重点群体：举家迁徙。", "不属于举家迁徙的重点群体（配偶和未成年子女须一同迁移）。", ""),
        ("Key group: the whole family moves.", "Not in the whole-family key group (spouse and minor children must move too).", ""),
    ),
    "key_groups.new_generation": (
        ("属于重点群体：新生代农民工。", "不属于新生代农民工重点群体（{param}及以后出生且正在就业）。", "尚不清楚您目前是否就业。"),
        ("Key group: new-generation migrant worker.", "Not a new-generation migrant worker (born {param} or later and employed).",
         "Whether you are employed now is not known yet."),
    ),
    "permit.hukou_elsewhere": (
        ("您的户口不在本市，可以申领居住证。", "您的户口在本市，不需要申领本市居住证。", ""),
        ("Your hukou is outside the city, so you may apply for a residence permit.",
         "Your hukou is in this city; a residence permit is for people whose hukou is elsewhere.", ""),
    ),
    "permit.residence_duration": (
        ("您在本市已连续居住{param}个月以上。", "您在本市连续居住未满{param}个月（须在{required_start_by}或以前开始居住）。",
         "尚不清楚您在本市居住了多久（须满{param}个月）。"),
        ("You have lived in the city for {param} months or more.",
         "You have not lived in the city for {param} months yet (residence must have begun by {required_start_by}).",
         "How long you have lived in the city is not known yet ({param} months are required)."),
    ),
    "permit.employed": (
        ("您在本市有合法稳定就业。", "您目前没有就业。", "尚不清楚您目前是否就业。"),
        ("You have lawful stable employment.", "You are not employed now.", "Whether you are employed now is not known yet."),
    ),
    "permit.legal_stable_residence": (
        ("您在本市有合法稳定住所。", "您在本市没有合法稳定住所。", "尚不清楚您的住房或居住情况。"),
        ("You have a legal stable residence in the city.", "You have no legal stable residence in the city.",
         "Your housing or residence is not known yet."),
    ),
    "permit.studying": (
        ("您正在连续就读。", "您目前没有在读。", "尚不清楚您目前是否在读。"),
        ("You are studying.", "You are not studying now.", "Whether you are studying now is not known yet."),
    ),
}

EXTRA_TEXT = (
    ("附加条件 {fact} {op} {value}：满足。", "附加条件 {fact} {op} {value}：不满足。", "附加条件 {fact} {op} {value}：尚不清楚。"),
    ("Extra condition {fact} {op} {value}: met.", "Extra condition {fact} {op} {value}: not met.",
     "Extra condition {fact} {op} {value}: not known yet."),
)

LEVEL_NAMES = {
    "vocational": ("职业院校", "vocational school"),
    "associate": ("大专", "associate degree"),
    "bachelor": ("本科", "bachelor's degree"),
    "master": ("硕士研究生", "master's degree"),
    "doctor": ("博士研究生", "doctorate"),
}

QUALIFICATION_NAMES = {
    "skill_certificate": ("职业技能等级证书", "skill certificate"),
    "vocational_qualification": ("职业资格证书", "vocational qualification"),
}

_INDEX = {True: 0, False: 1, None: 2}
_RESULT_ZH = ("满足", "不满足", "尚不清楚")
_RESULT_EN = ("met", "not met", "not known yet")


def _value(key: str):
    return lambda values, params: (values or {}).get(key, "—")


# Where each placeholder takes its value from: the values a rule used, or its parameter.
SLOTS = {
    "param": lambda values, params: next(iter(params.values())),
    "education_level_zh": lambda values, params: LEVEL_NAMES[values["education.level"]][0],
    "education_level_en": lambda values, params: LEVEL_NAMES[values["education.level"]][1],
    "qualifications_kind_zh": lambda values, params: QUALIFICATION_NAMES[values["qualifications.kind"]][0],
    "qualifications_kind_en": lambda values, params: QUALIFICATION_NAMES[values["qualifications.kind"]][1],
    "social_insurance_months": _value("social_insurance_months"),
    "employment_months": _value("employment_months"),
    "required_start_by": _value("required_start_by"),
}


def _placeholders(*templates: str) -> tuple[str, ...]:
    names: list[str] = []
    for t in templates:
        for _, name, _, _ in Formatter().parse(t):
            if name and name not in names:
                names.append(name)
    return tuple(names)


# result -> rule -> a ready sentence {"zh", "en"}, or (zh template, en template, placeholder names)
_COMPILED: dict[Any, dict[str, Any]] = {True: {}, False: {}, None: {}}
for _rule, (_zh, _en) in TEXTS.items():
    for _result, _i in _INDEX.items():
        _names = _placeholders(_zh[_i], _en[_i])
        _COMPILED[_result][_rule] = (_zh[_i], _en[_i], _names) if _names else {"zh": _zh[_i], "en": _en[_i]}
# a requirement of 0 months is no requirement: "社会保险缴费要求（0个月）已满足" puzzled people
_NONE_REQUIRED: dict[tuple[str, Any], dict[str, str]] = {
    ("general.social_insurance", True): {"zh": "本市落户对社会保险缴费年限没有要求。",
                                         "en": "No minimum period of social insurance is required to settle."},
    ("general.employment", True): {"zh": "本市落户对就业年限没有要求。",
                                   "en": "No minimum period of employment is required to settle."},
}
_FILLED: dict[tuple, dict[str, str]] = {}  # sentences already filled in, by rule, result and slot values
_FILLED_MAX = 100_000


def sentence(rule: str, result: Any, values: dict | None, params: dict | None) -> dict[str, str]:
    """The sentence for a rule's result, in Chinese and English, filled in with the values it used.

    The dict returned is shared: callers copy it before handing it out."""
    compiled = _COMPILED[result][rule]
    if type(compiled) is dict:
        return compiled
    zh, en, names = compiled
    if len(names) == 1:
        name = names[0]
        value = next(iter(params.values())) if name == "param" else SLOTS[name](values, params)
        if value == 0 and (rule, result) in _NONE_REQUIRED:
            return _NONE_REQUIRED[(rule, result)]
        slots = {name: value}
        key = (rule, result, value)
    else:
        slots = {name: SLOTS[name](values, params) for name in names}
        key = (rule, result, *slots.values())
    filled = _FILLED.get(key)
    if filled is None:
        if len(_FILLED) >= _FILLED_MAX:
            _FILLED.clear()
        filled = _FILLED[key] = {"zh": zh.format_map(slots), "en": en.format_map(slots)}
    return filled


def extra_sentence(result: Any, fact: str, op: str, value: Any, own: Any = None) -> dict[str, str]:
    """A city's extra condition: its own sentence (`text` in the policy file) or a generic one."""
    i = _INDEX[result]
    if own is not None:
        return {"zh": f"{own.zh}（{_RESULT_ZH[i]}）", "en": f"{own.en} ({_RESULT_EN[i]})"}
    zh, en = (t[i].replace("{fact}", fact).replace("{op}", op).replace("{value}", str(value)) for t in EXTRA_TEXT)
    return {"zh": zh, "en": en}

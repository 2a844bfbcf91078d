"""Residence permit (居住证), RULEBOOK §4 and 《居住证暂行条例》(State Council order 663).

Eligible when the hukou is outside the city (else `local_hukou`), the current residence run began at
least six months before D (第二条 居住半年以上), and at D the person is employed, has a legal stable
residence, or is studying (第二条). Under 16 a guardian applies (第九条). Entitlements: 第十二条, 第十三条.
"""

from __future__ import annotations

from dataclasses import dataclass

from hukou.policy.calendar import age_on, months_before
from hukou.policy.conditions import current_residence_start, employed, legal_stable_residence, studying
from hukou.policy.endorsement import Endorsement, endorsement_status
from hukou.policy.policy_file import Policy
from hukou.policy.situation import Situation
from hukou.policy.trace import Reason, Trace, Tri, all_of, any_of

REGULATION = "居住证暂行条例"
CITE = f"{REGULATION} 第二条"
BASIS_RULES = ("permit.employed", "permit.legal_stable_residence", "permit.studying")
P_RESIDENCE_MONTHS = "residence_permit.min_residence_months"
P_GUARDIAN_AGE = "residence_permit.guardian_age"

# 第十二条: six basic public services; 第十三条: seven conveniences.
ENTITLEMENTS: dict[str, tuple[str, str, str]] = {
    "compulsory_education": ("第十二条", "义务教育", "Compulsory education"),
    "public_employment_services": ("第十二条", "基本公共就业服务", "Basic public employment services"),
    "public_health_and_family_planning": ("第十二条", "基本公共卫生服务和计划生育服务", "Basic public health and family-planning services"),
    "public_culture_and_sports": ("第十二条", "公共文化体育服务", "Public cultural and sports services"),
    "legal_aid": ("第十二条", "法律援助和其他法律服务", "Legal aid and other legal services"),
    "other_basic_public_services": ("第十二条", "国家规定的其他基本公共服务", "Other basic public services set by the state"),
    "exit_entry_documents": ("第十三条", "按照国家有关规定办理出入境证件", "Exit-entry documents"),
    "identity_card_renewal": ("第十三条", "按照国家有关规定换领、补领居民身份证", "Renewal and replacement of the resident identity card"),
    "vehicle_registration": ("第十三条", "机动车登记", "Motor-vehicle registration"),
    "driving_licence": ("第十三条", "申领机动车驾驶证", "Driving licence"),
    "vocational_qualification_exams": ("第十三条", "报名参加职业资格考试、申请授予职业资格", "Vocational-qualification exams and awards"),
    "birth_services_registration": ("第十三条", "办理生育服务登记和其他计划生育证明材料", "Birth-service registration and family-planning papers"),
    "other_conveniences": ("第十三条", "国家规定的其他便利", "Other conveniences set by the state"),
}


@dataclass
class PermitResult:
    status: str
    reason: str | None
    guardian_required: bool
    missing: list[str]
    entitlements: list[str]
    reasons: list[Reason]
    endorsement: Endorsement | None = None


def _residence_duration(sit: Situation, trace: Trace, months: int) -> Tri:
    """The current residence run began on or before D minus `months` calendar months (居住半年以上)."""
    rule = "permit.residence_duration"
    params = {P_RESIDENCE_MONTHS: months}
    latest_start = months_before(sit.d, months)
    values = {"required_start_by": latest_start.isoformat()}
    if months <= 0:
        return trace.add(rule, True, CITE, values, params)
    if sit.covering is None:
        return trace.add(rule, None, CITE, values, params, ("residence",))
    start = current_residence_start(sit.person, sit.d) if sit.covering else None
    values["residence_counted_from"] = start.isoformat() if start else None
    return trace.add(rule, start is not None and start <= latest_start, CITE, values, params)


def evaluate_permit(sit: Situation, policy: Policy, values: dict, trace: Trace) -> PermitResult:
    person, d = sit.person, sit.d
    guardian = age_on(person.birth_date, d) < values[P_GUARDIAN_AGE]
    endorsement = None
    if person.permit is not None and person.permit.issued <= d:
        endorsement = endorsement_status(person.permit.issued, person.permit.endorsements, d)

    local = person.hukou.place.startswith(policy.city.code)
    trace.add("permit.hukou_elsewhere", not local, CITE, {"hukou.place": person.hukou.place})
    if local:
        return PermitResult("ineligible", "local_hukou", guardian, [], [], trace.reasons, endorsement)

    duration = _residence_duration(sit, trace, values[P_RESIDENCE_MONTHS])
    basis = any_of((
        employed(sit, trace, "permit.employed", CITE),
        legal_stable_residence(sit, trace, "permit.legal_stable_residence", CITE),
        studying(sit, trace, "permit.studying", CITE),
    ))
    result = all_of((duration, basis))
    if result is True:
        return PermitResult("eligible", None, guardian, [], list(ENTITLEMENTS), trace.reasons, endorsement)
    if result is False:
        reason = "short_residence" if duration is False else "no_employment_housing_or_study"
        return PermitResult("ineligible", reason, guardian, [], [], trace.reasons, endorsement)
    rules = ["permit.residence_duration"] + (list(BASIS_RULES) if basis is None else [])
    return PermitResult("undetermined", None, guardian, trace.missing(rules), [], trace.reasons, endorsement)

"""Residence permit (居住证), RULEBOOK §4 and 《居住证暂行条例》(State Council order 663).

Eligible when the hukou is outside the city (else `local_hukou`), the current residence run began at
least six months before D (第二条 居住半年以上), and at D the person is employed, has a legal stable
residence, or is studying (第二条). Under 16 a guardian applies (第九条). Entitlements: 第十二条, 第十三条.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from hukou.policy.calendar import add_months, age_on
from hukou.policy.conditions import current_residence_start, employed_at, legal_stable_residence, studying_at
from hukou.policy.endorsement import Endorsement, endorsement_status
from hukou.policy.facts import Person
from hukou.policy.findings import Finding, Tri, all_of, any_of, unknown_keys
from hukou.policy.policy_file import Policy

REGULATION = "居住证暂行条例"
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
    findings: list[Finding] = field(default_factory=list)
    endorsement: Endorsement | None = None


def _half_year(person: Person, d: date, months: int) -> Finding:
    rule = "permit.residence_duration"
    cite = f"{REGULATION} 第二条"
    params = {P_RESIDENCE_MONTHS: months}
    latest_start = add_months(d, -months)
    values = {"required_start_by": latest_start.isoformat()}
    if months <= 0:
        return Finding(rule, True, values, params, cite=cite)
    if person.residence is None:
        return Finding(rule, None, values, params, unknown=("residence",), cite=cite)
    start = current_residence_start(person, d)
    values["residence_counted_from"] = start.isoformat() if start else None
    return Finding(rule, start is not None and start <= latest_start, values, params, cite=cite)


def evaluate_permit(person: Person, d: date, policy: Policy) -> PermitResult:
    guardian_age = policy.value(P_GUARDIAN_AGE, d)
    guardian = age_on(person.birth_date, d) < guardian_age
    endorsement = None
    if person.permit is not None and person.permit.issued <= d:
        endorsement = endorsement_status(person.permit.issued, person.permit.endorsements, d)

    local = person.hukou.place.startswith(policy.city.code)
    hukou_elsewhere = Finding("permit.hukou_elsewhere", not local, {"hukou.place": person.hukou.place},
                              cite=f"{REGULATION} 第二条")
    if local:
        return PermitResult("ineligible", "local_hukou", guardian, [], [], [hukou_elsewhere], endorsement)

    duration = _half_year(person, d, policy.value(P_RESIDENCE_MONTHS, d))
    basis = [
        employed_at(person, d, "permit.employed", f"{REGULATION} 第二条"),
        legal_stable_residence(person, d, "permit.legal_stable_residence", f"{REGULATION} 第二条"),
        studying_at(person, d, "permit.studying", f"{REGULATION} 第二条"),
    ]
    any_basis: Tri = any_of(f.result for f in basis)
    result = all_of((duration.result, any_basis))
    findings = [hukou_elsewhere, duration, *basis]
    if result is True:
        return PermitResult("eligible", None, guardian, [], list(ENTITLEMENTS), findings, endorsement)
    if result is False:
        reason = "short_residence" if duration.result is False else "no_employment_housing_or_study"
        return PermitResult("ineligible", reason, guardian, [], [], findings, endorsement)
    unknown = [duration] if duration.result is None else []
    if any_basis is None:
        unknown += basis
    return PermitResult("undetermined", None, guardian, unknown_keys(unknown), [], findings, endorsement)

"""The catalogue of built-in rules: what each checks, and which clause it answers to.

A rule bound to a city rule (`talent`, `key_groups.whole_family`, …) takes its citation from the
city's policy file; a residence-permit rule cites the national regulation directly.
"""

from __future__ import annotations

from dataclasses import dataclass

from hukou.policy.policy_file import Policy

REGULATION = "居住证暂行条例"


@dataclass(frozen=True)
class RuleEntry:
    rule: str
    binding: str  # a CITY_RULES key, or "regulation:第N条"
    zh: str
    en: str


RULES: tuple[RuleEntry, ...] = (
    RuleEntry("precondition.already_settled", "precondition.already_settled",
              "户口已在本市城镇的，不再办理落户", "A hukou already in an urban place of the city has nothing to settle"),
    RuleEntry("talent.graduate", "talent", "国内高校（大专及以上）毕业生", "Domestic college graduates (associate degree or higher)"),
    RuleEntry("talent.vocational_graduate", "talent", "国内职业院校毕业生", "Domestic vocational-school graduates"),
    RuleEntry("talent.skilled_worker", "talent", "取得职业技能等级证书或职业资格证书的技术工人",
              "Skilled workers with a skill certificate or vocational qualification"),
    RuleEntry("talent.returned_overseas", "talent", "境外学历经认证的留学归国人员", "Returned overseas graduates with a certified degree"),
    RuleEntry("student.rural_hukou", "student", "农村籍", "Rural hukou"),
    RuleEntry("student.enrolled_in_city", "student", "在本市高校（大专及以上）就读，迁入学校集体户",
              "Enrolled at a college in the city; hukou moves to its collective household"),
    RuleEntry("general.legal_stable_residence", "general", "有合法稳定住所（自有、登记租赁、单位或学校住房）并在本市居住",
              "A legal stable residence (owned, registered rented, employer's or school housing) while living in the city"),
    RuleEntry("general.urban_place", "general", "现居住地属于城镇", "The current residence is in an urban place"),
    RuleEntry("general.social_insurance", "general", "社会保险缴费月数不少于参数要求", "Social-insurance months at least the parameter"),
    RuleEntry("general.employment", "general", "就业月数不少于参数要求", "Employment months at least the parameter"),
    RuleEntry("followers", "followers", "配偶、未成年子女、父母可随迁", "Spouse, minor children and parents may follow"),
    RuleEntry("key_groups.student_or_military", "key_groups.student_or_military",
              "农村学生升学和参军进入城镇的人口", "Rural students in higher education and discharged soldiers"),
    RuleEntry("key_groups.long_term_urban", "key_groups.long_term_urban",
              "在城镇就业居住满参数年数", "Urban residence and employment of the parameter's years"),
    RuleEntry("key_groups.whole_family", "key_groups.whole_family",
              "举家迁徙：配偶和未成年子女一同迁移", "Whole family moving: spouse and minor children move too"),
    RuleEntry("key_groups.new_generation", "key_groups.new_generation",
              "新生代农民工：参数日期及以后出生且在就业", "New-generation migrant workers: born on or after the parameter date and employed"),
    RuleEntry("permit.hukou_elsewhere", "regulation:第二条", "户口不在本市", "Hukou outside the city"),
    RuleEntry("permit.residence_duration", "regulation:第二条", "在本市连续居住满半年", "Six months of current residence in the city"),
    RuleEntry("permit.employed", "regulation:第二条", "有合法稳定就业", "Lawful stable employment"),
    RuleEntry("permit.legal_stable_residence", "regulation:第二条", "有合法稳定住所", "A legal stable residence"),
    RuleEntry("permit.studying", "regulation:第二条", "连续就读", "Continuous study"),
    RuleEntry("permit.guardian", "regulation:第九条", "未满16周岁由监护人代为申领", "Under 16: a guardian applies"),
    RuleEntry("permit.endorsement", "regulation:第十条", "每年签注一次；逾期中止，补签后恢复并重新起算居住年限",
              "Endorsed yearly; lapses suspend the permit until a late endorsement restarts the count"),
    RuleEntry("permit.entitlements", "regulation:第十二条", "六项基本公共服务", "Six basic public services"),
    RuleEntry("permit.conveniences", "regulation:第十三条", "七项便利", "Seven conveniences"),
)


def clause_of(entry: RuleEntry, policy: Policy) -> str:
    """The clause mark a rule answers to under this policy ("" when the policy leaves it unbound)."""
    if entry.binding.startswith("regulation:"):
        return entry.binding.split(":", 1)[1]
    cite = policy.rules.get(entry.binding)
    return cite.clause if cite is not None else ""

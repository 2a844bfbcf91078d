"""What implements each clause of the plan, and of the other documents a policy cites: one registry.

Importing this module imports nothing of the domain (the functions do, when called), so any module
may name it and it may name any module.

Two sorts of implementation, so that the map cannot drift from the code:

- **Derived from the policy, never listed by hand**: each rule of the catalogue
  (`hukou.policy.catalog.RULES`) under the clause its policy file binds it to (`rules:`, and the
  binding's `basis` when it has one) or under the regulation's article (`regulation:第N条`); each
  parameter under its `cite`; each of the city's `extra_conditions` under its `cite`; each lint code
  under the clause it cites (`hukou.policy.lint.CODES`). Their code and tests come from three tables:
  RULE_SITES (by rule id, else by the rule's family, the part of the id before its first dot),
  PARAMETER_SITES (by parameter name) and LINT_SITES (by code). A rule, parameter or code without a
  row has no test, and tests/test_plan_map.py fails; it fails too when a `test_l<n>_…` test of
  tests/test_lint.py or a bad policy file tests/policies/L<n>-… is not listed under its code.
- **Declared in FEATURES**: everything else that implements a clause (casework, the register, the
  bulk engines, the API, the web pages, properties the rules keep). A new feature adds one
  Implementation there: its id, kind (KINDS), the clauses it implements, where it lives
  (`module:qualname`), one line in Chinese and one in English, and the tests that show it works.

The tests of an implementation are pytest node ids (`tests/test_casework.py::test_x`) or files a test
runs whole (case files under tests/cases/, bad policy files under tests/policies/).

A clause is named by a mark: `§四` or `§二(二)2` is a clause (or an item of a clause) of the plan;
`国发〔2014〕25号 二(四)` or `居住证暂行条例 第九条` is a clause of another document, named by its
number or title as the policy's `sources` give it, then a space and its own mark (WHOLE, `全文`, for
a document cited as a whole: `国办发〔2016〕72号 全文`). A bare mark in
FEATURES or in a lint code's `cite` is a clause of PLAN, the plan these features were built against;
another city's map places them only by the national documents they also name, and lists the rest as
not tied to a clause of its documents, until its own marks are declared.

`implementations(policy)` gives every clause of the policy's plan, in the plan's order (from the
notice through §十九 when its text ships, else the clauses its file quotes), then every clause of
another document the policy cites, each with what implements it (possibly nothing).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hukou.policy.policy_file import Policy

PLAN = "昌市政办发〔2018〕67号"
WHOLE = "全文"  # the mark of a document cited as a whole (`国办发〔2016〕72号 全文`)

# What an implementation is, for a reader: Chinese, English. The last three are for later work.
KINDS: dict[str, tuple[str, str]] = {
    "rule": ("规则", "Rule"),
    "parameter": ("参数", "Parameter"),
    "condition": ("附加条件", "Extra condition"),
    "lint": ("政策文件检查", "Policy-file check"),
    "property": ("规则的性质", "Property of the rules"),
    "casework": ("办件", "Casework"),
    "register": ("户籍登记册", "Register"),
    "engine": ("批量测算", "Bulk engine"),
    "api": ("接口", "API"),
    "web": ("网页", "Web page"),
    "task": ("部门任务", "Department task"),
    "indicator": ("指标", "Indicator"),
    "measure": ("措施", "Measure"),
}


@dataclass(frozen=True)
class Implementation:
    id: str
    kind: str
    clauses: tuple[str, ...]  # marks, as the module docstring says
    where: str  # module:qualname
    zh: str
    en: str
    tests: tuple[str, ...]
    quotes: tuple[str, ...] = ()  # the words it cites, one per clause (derived entries), "" for none


FEATURES: tuple[Implementation, ...] = (
    Implementation(
        "casework.consent", "casework", ("§二(二)2",), "hukou.cases.parties:consent_needed",
        "落户完全自愿：申请人和每名随迁的成年人各自确认同意（本人账号或到派出所签字并核验身份证），未同意的成年人不随迁",
        "Settling is voluntary: the applicant and each adult who moves consent themselves (under their own account, "
        "or signed at the station with the ID card checked); an adult who has not consented does not move",
        ("tests/test_cases_domain.py::test_each_adult_consents_under_their_own_account",
         "tests/test_cases_domain.py::test_consent_at_the_counter_is_signed_and_the_id_card_checked",
         "tests/test_cases_domain.py::test_no_registration_without_the_applicants_consent",
         "tests/test_cases_domain.py::test_a_follower_who_turns_18_consents_for_themselves",
         "tests/test_cases_domain.py::test_a_registration_moves_exactly_the_consenting_adults_and_the_minors_listed",
         "tests/test_casework.py::test_only_the_consenting_adults_and_the_minor_children_move")),
    Implementation(
        "api.consent", "api", ("§二(二)2",), "hukou.api.applications:act",
        "接口：随迁人员在申请时确定，每名成年人只能用自己的账号表示同意",
        "API: the people who move are fixed when the application is made; each adult consents only under their own account",
        ("tests/test_api_applications.py::test_finding_2_followers_are_fixed_and_each_adult_consents_under_their_own_account",)),
    Implementation(
        "web.consent", "web", ("§二(二)2",), "hukou.web.case_pages:case_page",
        "网页：申请人勾选同意；随迁人员登录后只看到表示同意所需的内容，并自己表示同意",
        "Web: the applicant ticks their consent; a person moving with them sees only what their consent needs, and gives it",
        ("tests/test_web.py::test_applying_is_idempotent_needs_the_token_and_records_the_ticked_consent_with_it",
         "tests/test_web.py::test_without_the_tick_the_case_page_asks_the_applicant_to_consent",
         "tests/test_web.py::test_a_follower_sees_only_what_their_consent_needs_and_consents_under_their_own_account")),
    Implementation(
        "casework.registration", "casework", ("§四", "国发〔2014〕25号 二(四)"), "hukou.cases.consequences:registration",
        "登记落户：申请人与随迁的配偶、未成年子女、父母在本乡镇的社区或村一同登记常住户口，立为一户；城镇或农村由登记册确定",
        "Registration: the applicant and the spouse, minor children and parents who move are registered together in one "
        "household, at a community or village of the township; whether it is urban is the register's",
        ("tests/test_casework.py::test_a_migrant_not_in_the_register_settles_with_a_spouse_who_consents_herself",
         "tests/test_casework.py::test_the_place_and_its_urban_class_come_from_the_register",
         "tests/test_web.py::test_the_station_registers_at_a_place_of_the_township_and_the_page_says_who_moved")),
    Implementation(
        "casework.overrides", "casework", ("§五",), "hukou.cases.decisions:decision_record",
        "不设“暗门槛”：与规则结论相反的决定（不批准符合条件的人，或批准不符合条件的人）须写明理由，并由另一名审批人复核",
        "No hidden thresholds: a decision against the rules' verdict (refusing an eligible person, or approving one who "
        "is not) needs a written reason and a second approver",
        ("tests/test_cases_domain.py::test_a_decision_against_the_verdict_needs_a_reason_and_a_second_approver_who_names_it",
         "tests/test_cases_domain.py::test_a_rejection_names_a_failed_rule",
         "tests/test_casework.py::test_overrides_need_a_second_approver_who_names_them_and_are_reported")),
    Implementation(
        "api.overrides_report", "api", ("§五",), "hukou.api.reports:overrides",
        "接口：与规则结论相反的每一个决定及其理由和复核人，供领导、审计和审批人员查阅",
        "API: every decision against the rules' verdict, with its reason and second approver, for oversight",
        ("tests/test_api_applications.py::test_finding_6_overrides_are_reported_to_oversight_only",)),
    Implementation(
        "web.overrides_report", "web", ("§五",), "hukou.web.case_pages:overrides_report",
        "网页：与规则结论相反的决定报告，只给领导、审计、管理和审批人员看",
        "Web: the report of decisions against the rules' verdict, for oversight roles only",
        ("tests/test_web.py::test_approving_against_the_verdict_needs_a_reason_and_a_second_approver_then_is_reported",
         "tests/test_web.py::test_the_oversight_report_is_for_oversight_roles")),
    Implementation(
        "casework.facts_kept", "casework", ("§五", "§十"), "hukou.cases.facts:canonical_facts",
        "案件只保存规则读取的事实：房价、纳税、投资、农村“三权”等一概不存，也不影响结论",
        "A case keeps only the facts a rule reads: home price, tax, investment or the rural three rights are dropped "
        "and change no verdict",
        ("tests/test_case_facts.py::test_only_what_the_rules_read_is_kept",
         "tests/test_casework.py::test_facts_on_a_case_are_canonical_and_checked",
         "tests/test_three_rights.py::test_the_three_rights_given_with_the_facts_are_dropped_and_change_no_verdict")),
    Implementation(
        "register.three_rights", "register", ("§十",), "hukou.store.schema:ThreeRights",
        "登记册记录农村“三权”供主管部门维护权益；任何落户规则、测算和办件都不读取",
        "The register keeps the rural three rights for the departments that protect them; no rule, engine or "
        "casework reads them",
        ("tests/test_three_rights.py::test_no_rule_engine_or_casework_module_reads_the_three_rights",)),
    Implementation(
        "property.same_for_all_origins", "property", ("§二(二)1",), "hukou.policy.settlement:evaluate_settlement",
        "户口来自本市以外哪里都一样：随机抽取的人，把户口所在地换成另一个外地，结论不变",
        "Where a hukou outside the city comes from never matters: for random people, moving it to another place "
        "outside the city changes no verdict",
        ("tests/test_properties.py::test_origin_outside_the_city_never_matters",)),
    Implementation(
        "property.rented_as_owned", "property", ("国发〔2014〕25号 二(四)", "§五"),
        "hukou.policy.conditions:legal_stable_residence",
        "合法稳定住所含租赁：登记的租赁住房与自有住房结论相同，从不要求购房",
        "A legal stable residence includes renting: a registered rented home gives the same verdict as an owned one; "
        "buying a home is never asked",
        ("tests/test_properties.py::test_owned_and_registered_rented_housing_are_equal", "tests/cases/general.yaml")),
    Implementation(
        "casework.permit", "casework", ("§十五", "居住证暂行条例 第九条"), "hukou.cases.consequences:issuance",
        "居住证办件：申领、受理、审核、由派出所制作发放；期限可延长一次并须写明理由；发放后有效至注销",
        "Residence-permit cases: apply, accept, review, issued by the police station; the time limit may be extended "
        "once, with a reason; an issued permit stays valid until cancelled",
        ("tests/test_cases_domain.py::test_a_permit_is_issued_not_registered_and_may_be_extended_once_with_a_reason",
         "tests/test_cases_domain.py::test_an_issued_permit_stays_open_until_it_is_cancelled")),
    Implementation(
        "casework.permit_deadline", "casework", ("居住证暂行条例 第九条",), "hukou.cases.deadlines:permit_deadline",
        "居住证自受理之日起15日内制作发放，延长后最长30日（天数取自政策参数）",
        "A permit is issued within 15 days of acceptance, 30 at most when extended (the days are the policy's parameters)",
        ("tests/test_cases_domain.py::test_permit_deadline_is_the_policys_days_or_the_extended_ones",
         "tests/test_cases_domain.py::test_case_deadline_runs_from_acceptance_to_the_decision")),
    Implementation(
        "casework.endorsement", "casework", ("居住证暂行条例 第十条",), "hukou.cases.case:_check_endorsement",
        "居住证每年签注一次，在居住满一年之日前一个月内办理",
        "A permit is endorsed once a year, within the month before each anniversary",
        ("tests/test_cases_domain.py::test_endorsement_once_a_year_within_the_month_before_the_anniversary",)),
    Implementation(
        "casework.permit_ends_on_settlement", "casework", ("居住证暂行条例 第十五条",),
        "hukou.cases.consequences:CancelPermit",
        "居住证持有人在本市落户的，登记户口时注销其居住证",
        "When a permit holder settles in the city, the registration cancels their permit",
        ("tests/test_casework.py::test_settling_cancels_the_settled_peoples_issued_permits",)),
    Implementation(
        "casework.settlement_deadline", "casework",
        ("中华人民共和国行政许可法 第四十二条、第八十二条",),
        "hukou.cases.deadlines:settlement_deadline",
        "落户申请自受理之日起20个工作日内作出决定，按法定节假日和调休计算工作日，逾期的案件排在最前",
        "A settlement decision is due within 20 working days of acceptance, counted with the statutory holidays and "
        "make-up days; overdue cases come first",
        ("tests/test_cases_domain.py::test_settlement_deadline_counts_working_days_with_holidays_and_make_up_days",
         "tests/test_api_applications.py::test_the_deadline_runs_from_acceptance",
         "tests/test_case_queue.py::test_overdue_first_then_by_due_date_then_by_submission")),
    Implementation(
        "task.hand_off", "task", ("§十", "§十一", "§十二", "§十三", "§十四", "§十五"), "hukou.linkage.tasks:tasks_for",
        "同城同待遇：登记落户或发放居住证时，在同一事务中向人社、民政、教育、住建、农业、卫计、公安部门推送任务，"
        "按工作日计期限；哪些任务、条件、期限和依据写在政策文件中",
        "Equal services: a registration or an issued permit hands its tasks to the departments (human resources, civil "
        "affairs, education, housing, agriculture, health, public security) in the same transaction, due in working "
        "days; which tasks, on what condition, by when and why is in the policy file",
        ("tests/test_linkage_tasks.py::test_a_registration_creates_its_departments_tasks_in_its_transaction",
         "tests/test_linkage_tasks.py::test_an_issued_permit_creates_the_public_security_task",
         "tests/test_linkage_tasks.py::test_replaying_the_decision_makes_no_second_task",
         "tests/test_linkage_tasks.py::test_only_a_child_aged_6_to_15_following_makes_the_education_task",
         "tests/test_linkage_tasks.py::test_the_deadline_is_in_working_days_with_the_holidays")),
    Implementation(
        "task.purpose_limit", "task", ("§十一", "§十二", "§十三", "§十四", "§十五"), "hukou.linkage.fields:project",
        "部门只看到任务类型声明的字段（如教育局只看到子女姓名、出生日期和新户地址），每次查看都记录用途",
        "A department sees only the fields its task type declares (the education bureau: the child's name, birth date "
        "and the new household's address); every read is logged with its purpose",
        ("tests/test_linkage_fields.py::test_each_task_type_shows_exactly_its_declared_fields_in_service_api_and_pages",
         "tests/test_linkage_fields.py::test_another_departments_task_is_no_task_and_nothing_changes",
         "tests/test_linkage_fields.py::test_every_read_is_logged_with_its_purpose")),
    Implementation(
        "api.tasks", "api", ("§十五",), "hukou.api.tasks:complete_task",
        "接口：部门系统拉取本部门任务，报告办结（本部门编号、文书哈希）或退回；重复办结返回409且不作更改",
        "API: a department's system pulls its tasks and reports them done (its own reference, a document hash) or "
        "refused; a second completion is 409 and changes nothing",
        ("tests/test_linkage_fields.py::test_a_second_completion_is_409_and_changes_nothing",)),
    Implementation(
        "web.tasks", "web", ("§十四",), "hukou.web.task_pages:task_list",
        "网页：部门待办（逾期在前）、任务页和办结、退回表单；派出所在案件页看到退回理由",
        "Web: the department's inbox (overdue first), the task page and its done and refuse forms; the station reads "
        "a refusal's reason on the case page",
        ("tests/test_linkage_web.py::test_a_department_refuses_a_task_and_the_station_reads_why_on_the_case",
         "tests/test_linkage_web.py::test_a_department_reports_a_task_done_with_its_reference")),
    Implementation(
        "engine.reform_comparison", "engine", ("§十八",), "hukou.store.simulation:compare",
        "评估政策调整：在同一登记册上比较调整前后按乡镇、落户通道和重点群体符合条件的人数，并列出结论改变的人",
        "Weighing a change of policy: on the same register, the eligible by township, route and key group before and "
        "after it, and whose verdict changes",
        ("tests/test_register_engine.py::test_a_reform_moves_people_between_verdicts",
         "tests/test_register_engine.py::test_cli_simulate_with_a_reform_prints_both_sides")),
)

# The code and tests of the rules, parameters and lint codes the policy and lint bring (derived: see above).
RULE_SITES: dict[str, tuple[str, tuple[str, ...]]] = {
    "precondition.already_settled": ("hukou.policy.settlement:evaluate_settlement", ("tests/cases/precondition_followers.yaml",)),
    "talent": ("hukou.policy.settlement:talent_route", ("tests/cases/talent.yaml",)),
    "student": ("hukou.policy.settlement:student_route", ("tests/cases/student.yaml",)),
    "general": ("hukou.policy.settlement:general_route", ("tests/cases/general.yaml",)),
    "followers": ("hukou.policy.settlement:followers", ("tests/cases/precondition_followers.yaml",)),
    "key_groups": ("hukou.policy.key_groups:evaluate_key_groups", ("tests/cases/key_groups.yaml",)),
    "permit": ("hukou.policy.residence_permit:evaluate_permit", ("tests/cases/permit.yaml",)),
    "permit.endorsement": ("hukou.policy.endorsement:endorsement_status", ("tests/cases/endorsement.yaml",)),
    "permit.entitlements": ("hukou.policy.residence_permit:ENTITLEMENTS", (
        "tests/test_residence_permit.py::test_an_eligible_permit_lists_the_six_services_and_the_seven_conveniences",)),
    "permit.conveniences": ("hukou.policy.residence_permit:ENTITLEMENTS", (
        "tests/test_residence_permit.py::test_an_eligible_permit_lists_the_six_services_and_the_seven_conveniences",)),
}
_TIME_LIMIT_TESTS = ("tests/test_cases_domain.py::test_the_policy_sets_the_time_limits",
                     "tests/test_cases_domain.py::test_permit_deadline_is_the_policys_days_or_the_extended_ones")
PARAMETER_SITES: dict[str, tuple[str, tuple[str, ...]]] = {
    "settlement.points.min_urban_population": ("hukou.policy.lint:lint", (
        "tests/test_layers.py::test_the_points_threshold_is_national_and_a_city_cannot_move_it",
        "tests/test_lint.py::test_l4_points_allowed_in_a_megacity")),
    "settlement.general.min_social_insurance_months": ("hukou.policy.settlement:general_route", (
        "tests/test_policy_file.py::test_second_city_by_path_with_dated_parameters_and_extra_conditions",
        "tests/test_two_engines.py::test_the_two_engines_agree_under_minimums_and_extra_conditions",
        "tests/test_lint.py::test_l2_parameter_above_cap")),
    "settlement.general.min_employment_months": ("hukou.policy.settlement:general_route", (
        "tests/cases/general.yaml",
        "tests/test_two_engines.py::test_the_two_engines_agree_under_minimums_and_extra_conditions")),
    "key_groups.long_term_years": ("hukou.policy.key_groups:evaluate_key_groups", ("tests/cases/key_groups.yaml",)),
    "key_groups.new_generation_born_from": ("hukou.policy.key_groups:evaluate_key_groups", (
        "tests/cases/key_groups.yaml",
        "tests/test_cli_dates.py::test_a_policy_file_read_with_dates_as_text_keeps_its_dated_values")),
    "residence_permit.min_residence_months": ("hukou.policy.residence_permit:evaluate_permit", ("tests/cases/permit.yaml",)),
    "residence_permit.guardian_age": ("hukou.policy.residence_permit:evaluate_permit", ("tests/cases/permit.yaml",)),
    "residence_permit.issue_days": ("hukou.cases.deadlines:time_limits", _TIME_LIMIT_TESTS),
    "residence_permit.issue_days_extended": ("hukou.cases.deadlines:time_limits", _TIME_LIMIT_TESTS),
    "casework.settlement_decision_working_days": ("hukou.cases.deadlines:working_days_of", (
        "tests/test_cases_domain.py::test_the_policy_sets_the_time_limits",)),
    # recorded with its citation; no indicator measures it yet
    "targets.hukou_urbanization_rate": ("hukou.policy.policy_file:OPTIONAL_PARAMETERS", (
        "tests/test_policy_file.py::test_changji_ships_with_every_parameter_cited_and_dated",)),
}
_L = "tests/test_lint.py::"
LINT_SITES: dict[str, tuple[str, tuple[str, ...]]] = {
    "L1": ("hukou.policy.lint:lint", (f"{_L}test_l1_forbidden_condition", f"{_L}test_l1_allows_housing_conditions_that_treat_renting_equally",
                                      "tests/policies/L1-home-purchase.yaml", "tests/policies/L1-owners-only.yaml")),
    "L2": ("hukou.policy.lint:lint", (f"{_L}test_l2_parameter_above_cap", f"{_L}test_l2_cap_itself_is_allowed",
                                      f"{_L}test_l2_condition_on_insurance_months", "tests/policies/L2-insurance-cap.yaml")),
    "L3": ("hukou.policy.lint:lint", (f"{_L}test_l3_origin_discrimination", f"{_L}test_l3_allows_in_the_city_or_not",
                                      "tests/policies/L3-origin.yaml")),
    "L4": ("hukou.policy.lint:lint", (f"{_L}test_l4_points_in_a_small_city", f"{_L}test_l4_points_allowed_in_a_megacity",
                                      "tests/policies/L4-points.yaml")),
    "L5": ("hukou.policy.lint:lint", (f"{_L}test_l5_three_rights", "tests/policies/L5-three-rights.yaml")),
    "L6": ("hukou.policy.lint:lint", (f"{_L}test_l6_quota_handed_to_a_township", f"{_L}test_l6_city_level_target_is_fine",
                                      "tests/policies/L6-township-quota.yaml")),
    "L7": ("hukou.policy.lint:lint", (f"{_L}test_l7_parameter_without_citation", f"{_L}test_l7_citation_without_quote",
                                      f"{_L}test_l7_condition_without_citation", f"{_L}test_l7_rule_not_bound_to_a_clause",
                                      "tests/policies/L7-uncited-parameter.yaml")),
    "L8": ("hukou.policy.lint:lint", (f"{_L}test_l8_unknown_fact", "tests/policies/L8-unknown-fact.yaml")),
    "L9": ("hukou.policy.lint:misquotes", ("tests/test_quotes.py::test_every_shipped_policy_passes_l9",
                                           "tests/test_quotes.py::test_one_changed_character_of_one_quote_fails_l9",
                                           "tests/test_quotes.py::test_any_one_character_changed_in_any_checked_quote_is_a_misquote",
                                           "tests/policies/L9-misquote.yaml")),
    "L10": ("hukou.policy.layering:loosened", ("tests/test_layers.py::test_a_city_cannot_raise_a_national_limit",
                                               "tests/policies/L10-loosens-national.yaml")),
}
CONDITION_SITE = ("hukou.policy.extra_conditions:evaluate_extras", (
    "tests/test_policy_file.py::test_second_city_extra_condition_is_evaluated_and_explained",
    "tests/test_two_engines.py::test_the_two_engines_agree_under_minimums_and_extra_conditions"))


@dataclass(frozen=True)
class Placed:
    """One implementation under one clause: the mark it names (the clause, or an item of it), the
    words it cites there and whether the source's text holds them (verbatim, misquote, unchecked; "" no quote)."""

    mark: str
    implementation: Implementation
    quote: str = ""
    status: str = ""


@dataclass(frozen=True)
class MappedClause:
    document: str  # the document's number
    source_title: str
    mark: str  # WHOLE for a document cited as a whole
    title: str
    title_en: str
    plan: bool  # a clause of the policy's own plan
    text: str | None = None  # its whole published text, when the shipped text holds it
    heading: str = ""  # the heading of the part of the plan it opens (`一、总体要求`)
    quoted: tuple[tuple[str, str, str], ...] = ()  # the policy file's `clauses` entries here: (mark, quote, status)
    implemented_by: tuple[Placed, ...] = ()

    @property
    def tests(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t for p in self.implemented_by for t in p.implementation.tests))

    def as_dict(self) -> dict[str, Any]:
        return {"document": self.document, "source_title": self.source_title, "clause": self.mark,
                "title": self.title, "title_en": self.title_en, "plan": self.plan, "text_shipped": self.text is not None,
                "implemented": bool(self.implemented_by),
                "implemented_by": [{"id": p.implementation.id, "kind": p.implementation.kind, "clause": p.mark,
                                    "where": p.implementation.where, "zh": p.implementation.zh,
                                    "en": p.implementation.en, "tests": list(p.implementation.tests)}
                                   for p in self.implemented_by],
                "tests": list(self.tests)}


# what the policy file itself cites (a document it names without listing it among its sources still gets its rows)
CITED_BY_THE_POLICY = frozenset({"rule", "parameter", "condition"})


def split_mark(ref: str) -> tuple[str | None, str]:
    """`国发〔2014〕25号 二(四)` → (`国发〔2014〕25号`, `二(四)`); a bare mark → (None, mark)."""
    doc, sep, mark = ref.strip().rpartition(" ")
    return (doc.strip(), mark) if sep else (None, mark)


def _ref(document: str | None, mark: str) -> str:
    return f"{document} {mark or WHOLE}" if document else mark


def _refs(cite: Any, policy: Policy) -> list[tuple[str, str]]:
    """The mark a citation names, with its words (a document named without a clause is cited as a
    whole; no clause and no document, nothing). Articles cited together (`第四十二条、第八十二条`) stay
    one mark: the words quoted run across them."""
    if cite is None:
        return []
    if not (cite.clause or "").strip():
        return [(_ref(cite.document, WHOLE), cite.quote)] if cite.document else []
    return [(_ref(cite.document or policy.document, cite.clause.strip()), cite.quote)]


def _site(table: dict[str, tuple[str, tuple[str, ...]]], key: str) -> tuple[str, tuple[str, ...]]:
    return table.get(key) or table.get(key.split(".", 1)[0]) or ("", ())


def derived(policy: Policy) -> list[Implementation]:
    """The rules, parameters, extra conditions and lint codes of this policy, each under the clauses it cites."""
    from hukou.policy.catalog import REGULATION, RULES
    from hukou.policy.lint import CODES

    found: list[Implementation] = []
    for entry in RULES:
        refs: list[tuple[str, str]] = []
        if entry.binding.startswith("regulation:"):
            refs.append((_ref(REGULATION, entry.binding.split(":", 1)[1]), ""))
        elif (b := policy.rules.get(entry.binding)) is not None:
            refs += _refs(b, policy) + _refs(b.basis, policy)
        where, tests = _site(RULE_SITES, entry.rule)
        found.append(Implementation(entry.rule, "rule", tuple(r for r, _ in refs), where, entry.zh, entry.en, tests,
                                    tuple(q for _, q in refs)))
    for name, p in policy.parameters.items():
        refs = _refs(p.cite, policy)
        where, tests = _site(PARAMETER_SITES, name)
        zh, en = (p.description.zh, p.description.en) if p.description else (name, name)
        found.append(Implementation(name, "parameter", tuple(r for r, _ in refs), where, zh, en, tests,
                                    tuple(q for _, q in refs)))
    for i, c in enumerate(policy.extra_conditions):
        refs = _refs(c.cite, policy)
        said = f"{c.require.fact} {c.require.op} {c.require.value}"
        found.append(Implementation(f"{c.route}.extra.{i + 1}", "condition", tuple(r for r, _ in refs),
                                    CONDITION_SITE[0], c.text.zh if c.text else said, c.text.en if c.text else said,
                                    CONDITION_SITE[1], tuple(q for _, q in refs)))
    for code, c in CODES.items():
        refs = []
        if c.cite.startswith("§"):
            refs.append((_ref(PLAN, c.cite), c.quote))
        elif c.cite not in ("—", "") and not c.cite.startswith("RULEBOOK"):
            refs.append((_ref(c.cite, WHOLE), c.quote))
        where, tests = _site(LINT_SITES, code)
        found.append(Implementation(code, "lint", tuple(r for r, _ in refs), where, c.zh, c.en, tests,
                                    tuple(q for _, q in refs)))
    return found


def declared() -> list[Implementation]:
    """FEATURES with every bare mark made a mark of PLAN."""
    return [replace(f, clauses=tuple(r if split_mark(r)[0] else _ref(PLAN, r) for r in f.clauses)) for f in FEATURES]


def all_implementations(policy: Policy) -> list[Implementation]:
    return derived(policy) + declared()


def resolve(where: str) -> Any:
    """The object a `module:qualname` names (ImportError or AttributeError when there is none)."""
    import importlib

    module, _, qualname = where.partition(":")
    found: Any = importlib.import_module(module)
    for part in qualname.split("."):
        found = getattr(found, part)
    return found


def _norm(mark: str) -> str:
    return unicodedata.normalize("NFKC", mark).strip()


@dataclass
class _Row:
    doc_key: str
    document: str
    source_title: str
    mark: str
    plan: bool
    order: tuple
    placed: list[Placed] = field(default_factory=list)
    quoted: list[tuple[str, str, str]] = field(default_factory=list)


class _Map:
    """The rows of one policy's map while they are built."""

    def __init__(self, policy: Policy):
        from hukou.policy import citations
        from hukou.policy.policy_file import Cite

        self.policy, self.citations, self.Cite = policy, citations, Cite
        self.plan_sid, _ = citations.source_of(policy, Cite())
        self.plan_key = self.plan_sid or policy.document
        self.plan_text = policy.texts.get(self.plan_sid) if self.plan_sid else None
        self.source_order = list(policy.sources)
        self.rows: dict[tuple[str, str], _Row] = {}

    def locate(self, document: str | None, mark: str, cited_by_policy: bool) -> tuple[str, str, str, str, bool] | None:
        """(doc key, document number, source title, clause mark, of the plan) — None when the policy does not
        cite the document (a feature's clause of a document this policy does not name)."""
        from hukou.policy.source_text import clause_key

        sid, source = self.citations.source_of(self.policy, self.Cite(document=document))
        if (sid is not None and sid == self.plan_sid) or (sid is None and document in (None, self.policy.document)):
            src = self.policy.sources.get(self.plan_sid) if self.plan_sid else None
            return (self.plan_key, self.policy.document, src.title if src else self.policy.title, clause_key(mark), True)
        if sid is None:
            return (document, document, "", _norm(mark), False) if cited_by_policy and document else None
        return (sid, source.document, source.title, _norm(mark), False)

    def row(self, place: tuple[str, str, str, str, bool]) -> _Row:
        doc_key, document, title, mark, plan = place
        key = (doc_key, mark)
        if key not in self.rows:
            self.rows[key] = _Row(doc_key, document, title, mark, plan, self._order(doc_key, mark, plan))
        return self.rows[key]

    def _order(self, doc_key: str, mark: str, plan: bool) -> tuple:
        text = self.policy.texts.get(doc_key)
        in_text = list(text.clauses).index(mark) if text is not None and mark in text.clauses else 10**6
        source = self.source_order.index(doc_key) if doc_key in self.source_order else 10**6
        return (0 if plan else 1, source, in_text, _article(mark), len(self.rows))

    def status(self, document: str | None, mark: str, quote: str) -> str:
        if not quote.strip():
            return ""
        return self.citations.check(self.policy, self.Cite(clause=mark, quote=quote, document=document)).status


def _article(mark: str) -> int:
    """第十二条 → 12, to order a regulation's articles (other marks: 0, in the order met)."""
    import re

    from hukou.policy.source_text import NUMERALS, number

    m = re.fullmatch(rf"第([{NUMERALS}百零]+)条", mark)
    return number(m.group(1)) if m else 0


def _build(policy: Policy) -> tuple[list[MappedClause], list[Implementation]]:
    from hukou.policy.headings import heading_en

    m = _Map(policy)
    if m.plan_text is not None:
        for mark in m.plan_text.clauses:
            m.row((m.plan_key, policy.document, m.plan_text.title, mark, True))
    for mark, c in policy.clauses.items():
        place = m.locate(c.document, mark, True)
        if place is not None:
            m.row(place).quoted.append((mark, c.quote, m.status(c.document, mark, c.quote)))
    unplaced: list[Implementation] = []
    for impl in all_implementations(policy):
        placed = False
        for i, ref in enumerate(impl.clauses):
            document, mark = split_mark(ref)
            place = m.locate(document, mark, impl.kind in CITED_BY_THE_POLICY)
            if place is None:
                continue
            quote = impl.quotes[i] if i < len(impl.quotes) else ""
            m.row(place).placed.append(Placed(mark, impl, quote, m.status(document, mark, quote)))
            placed = True
        if not placed:
            unplaced.append(impl)
    rank = {k: n for n, k in enumerate(KINDS)}
    mapped = []
    for r in sorted(m.rows.values(), key=lambda r: r.order):
        text = policy.texts.get(r.doc_key)
        part = text.clause(r.mark) if text is not None and r.mark else None
        entry = policy.clauses.get(r.mark)
        own = entry is not None and (m.locate(entry.document, r.mark, True) or ("",))[0] == r.doc_key
        title = (part.title if part is not None and part.title else (entry.title.zh if own else ""))
        title_en = heading_en(r.document, r.mark) or (entry.title.en if own else "")
        mapped.append(MappedClause(
            r.document, r.source_title, r.mark, title, title_en, r.plan, part.text if part is not None else None,
            text.headings.get(r.mark, "") if text is not None else "", tuple(r.quoted),
            tuple(sorted(r.placed, key=lambda p: rank.get(p.implementation.kind, len(rank))))))
    return mapped, unplaced


def implementations(policy: Policy) -> list[MappedClause]:
    """Every clause of the policy's plan in the plan's order, then every clause of another document the
    policy cites, each with what implements it (possibly nothing)."""
    return _build(policy)[0]


def unplaced(policy: Policy) -> list[Implementation]:
    """What applies to this policy but names no clause of its documents (lint L7–L9; under another
    city's policy, the features whose marks are PLAN's)."""
    return _build(policy)[1]

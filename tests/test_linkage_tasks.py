"""Department tasks (§十–§十五): which a registration or an issued permit creates, in its transaction,
never twice; the condition on the child's age; deadlines in working days; the policy's task types."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import text

from casework_people import p1
from hukou.cases import case as C
from hukou.cases.errors import CaseError
from hukou.linkage.tasks import tasks_for
from hukou.policies import load
from hukou.policy.errors import InputError
from hukou.policy.policy_file import TASK_FIELDS, parse_policy
from linkage_people import PUPIL, TODDLER, issue_permit, settle
from test_casework import World


@pytest.fixture()
def world(tmp_path):
    return World(f"sqlite:///{tmp_path / 'linkage.sqlite'}")


def tasks(world, case_id):
    with world.engine.connect() as conn:
        return conn.execute(text("SELECT task_type, party, department, due, status FROM department_tasks "
                                 "WHERE case_id = :c ORDER BY task_type, party"), {"c": case_id}).all()


def test_a_registration_creates_its_departments_tasks_in_its_transaction(world):
    case = settle(world)
    made = {(t.task_type, t.party) for t in tasks(world, case.id)}
    assert made == {("medical_insurance", "applicant"), ("medical_insurance", "f1"), ("medical_insurance", "f2"),
                    ("pension_insurance", "applicant"), ("pension_insurance", "f1"),
                    ("minimum_living_guarantee", "applicant"), ("school_enrolment", "f2"),
                    ("housing_security", "applicant"), ("housing_provident_fund", "applicant"),
                    ("three_rights_kept", "applicant"), ("family_planning_benefits", "applicant")}
    assert {t.department for t in tasks(world, case.id)} == {"renshe", "minzheng", "jiaoyu", "zhujian", "nongye", "weiji"}
    assert all(t.status == "open" for t in tasks(world, case.id))


def test_an_issued_permit_creates_the_public_security_task(world):
    permit = issue_permit(world)
    assert [(t.task_type, t.department) for t in tasks(world, permit.id)] == [("permit_services", "gongan")]


def test_replaying_the_decision_makes_no_second_task(world):
    case = settle(world)
    before = tasks(world, case.id)
    with pytest.raises(CaseError) as err:  # the same registration again, on the version it was made on
        world.cw.act(p1, case.id, C.REGISTERED, {"place": world.places(urban=True)[0]}, case.version - 1, world.tick())
    assert err.value.status == 409
    from hukou.store.unit_of_work import UnitOfWork
    with UnitOfWork(world.engine) as uow:  # and the same tasks written again by the store are left as they are
        uow.tasks.add(tasks_for(case, case.actions[-1], world.policy, date(2020, 3, 2)), datetime(2020, 3, 2, 10))
        uow.commit()
    assert tasks(world, case.id) == before


def test_a_refused_registration_makes_no_task(world):
    case = settle(world)
    count = world.count("SELECT count(*) FROM department_tasks")
    with pytest.raises(CaseError):
        world.cw.act(p1, case.id, C.ISSUED, {}, case.version, world.tick())
    assert world.count("SELECT count(*) FROM department_tasks") == count


def test_only_a_child_aged_6_to_15_following_makes_the_education_task(world):
    toddler_only = settle(world, children=((TODDLER, "王小宝"),))
    assert not [t for t in tasks(world, toddler_only.id) if t.task_type == "school_enrolment"]
    assert [t.party for t in tasks(world, toddler_only.id) if t.task_type == "medical_insurance"] == ["applicant", "f1", "f2"]


def test_the_age_is_taken_at_the_decision_date(world):
    case = settle(world)
    action = case.actions[-1]
    kinds = lambda on: sorted(t.task_type for t in tasks_for(case, action, world.policy, on) if t.party == "f2")
    assert "school_enrolment" in kinds(date(2020, 3, 2))  # 9
    assert "school_enrolment" not in kinds(date(2016, 5, 31))  # not 6 yet
    assert "school_enrolment" in kinds(date(2016, 6, 1))  # 6 that day
    assert "school_enrolment" in kinds(date(2026, 5, 31))  # still 15
    assert "school_enrolment" not in kinds(date(2026, 6, 1))  # 16


def test_the_deadline_is_in_working_days_with_the_holidays(world):
    case = settle(world)
    due = {t.task_type: t.due.due for t in tasks_for(case, case.actions[-1], world.policy, date(2020, 4, 1))}
    # 10 working days after Wednesday 2020-04-01: 清明 (Monday 04-06) is a holiday, so not 04-15 but 04-16
    assert due["school_enrolment"] == date(2020, 4, 16)
    assert due["pension_insurance"] == date(2020, 4, 23)  # 15 working days
    stored = {t.task_type: t.due for t in tasks(world, case.id)}
    assert str(stored["school_enrolment"]) == "2020-03-16"  # registered on Monday 2020-03-02


def test_every_task_type_of_changji_cites_its_clause_and_declares_known_fields():
    policy = load("changji-2018")
    assert {t.cite.clause for t in policy.tasks.values()} == {"§十", "§十一", "§十二", "§十三", "§十四", "§十五"}
    assert all(set(t.fields) <= set(TASK_FIELDS) for t in policy.tasks.values())
    assert "child.name" in policy.tasks["school_enrolment"].fields


def _policy_with(tasks, departments={"jiaoyu": {"name": {"zh": "教育局", "en": "Education"}}}):
    from hukou.policies import merged_document

    data = {**merged_document("changji-2018"), "departments": departments, "tasks": tasks}
    data.pop("extends", None)
    return data


TASK = {"department": "jiaoyu", "trigger": "registered", "working_days": 10, "fields": ["case.number"],
        "title": {"zh": "入学", "en": "School"}, "cite": {"clause": "§十四", "quote": "x"}}


@pytest.mark.parametrize("change, path", [
    ({"fields": ["person.jobs"]}, "tasks.t.fields"),
    ({"fields": ["child.name"]}, "tasks.t"),
    ({"department": "nobody"}, "tasks.t.department"),
    ({"trigger": "accepted"}, "tasks.t.trigger"),
    ({"working_days": 0}, "tasks.t.working_days"),
])
def test_a_bad_task_type_is_refused_naming_its_field(change, path):
    with pytest.raises(InputError) as err:
        parse_policy(_policy_with({"t": {**TASK, **change}}))
    assert err.value.path.startswith(path)


def test_a_policy_without_tasks_still_loads():
    data = _policy_with({}, {})
    policy = parse_policy(data)
    assert policy.tasks == {} and policy.departments == {}

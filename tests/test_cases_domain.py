"""Cases as action logs: state from the log, who may do what next, concurrency, consent, deadlines."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from hukou.cases import case as C
from hukou.cases.deadlines import add_working_days, permit_deadline, settlement_deadline

T0 = datetime(2019, 9, 20, 9, 0)


def act(type_, role, by="u1", minutes=0, **data):
    return C.Action(type_, T0 + timedelta(minutes=minutes), by, role, data)


def run(kind, *steps):
    c = C.Case("c1", kind)
    for a in steps:
        c = C.append(c, a, c.version)
    return c


def test_state_is_derived_from_the_log():
    c = run("settlement", act(C.SUBMITTED, "applicant", adult_followers=["spouse"]),
            act(C.MATERIALS_REQUESTED, "police_station", "p1", items=["housing", "residence"]),
            act(C.MATERIALS_PROVIDED, "applicant", items=["housing"]))
    s = C.state(c)
    assert s.status == C.MATERIALS_REQUESTED and s.materials_outstanding == ("residence",)
    assert C.ACCEPTED not in C.next_actions(c, "police_station")  # one item still outstanding
    c = C.append(c, act(C.MATERIALS_PROVIDED, "applicant", items=["residence"]), c.version)
    assert C.ACCEPTED in C.next_actions(c, "police_station")
    assert c.version == 4 and C.state(c).submitted_at == T0


def test_materials_are_requested_once_and_all_together():
    c = run("settlement", act(C.SUBMITTED, "applicant"))
    with pytest.raises(C.CaseError) as err:
        C.append(c, act(C.MATERIALS_REQUESTED, "police_station", items=[]), c.version)
    assert err.value.field == "data.items"
    c = C.append(c, act(C.MATERIALS_REQUESTED, "police_station", items=["housing"]), c.version)
    c = C.append(c, act(C.MATERIALS_PROVIDED, "applicant", items=["housing"]), c.version)
    assert C.MATERIALS_REQUESTED not in C.next_actions(c, "police_station")


def test_a_stale_version_is_a_conflict():
    c = run("settlement", act(C.SUBMITTED, "applicant"))
    with pytest.raises(C.CaseError) as err:
        C.append(c, act(C.ACCEPTED, "police_station"), expected_version=0)
    assert err.value.status == 409 and err.value.field == "expected_version"


def test_roles_may_do_only_their_part():
    c = run("settlement", act(C.SUBMITTED, "applicant"))
    assert C.next_actions(c, "department") == []
    with pytest.raises(C.CaseError) as err:
        C.append(c, act(C.ACCEPTED, "applicant"), c.version)
    assert err.value.field == "type"
    c = run("settlement", act(C.SUBMITTED, "applicant"), act(C.ACCEPTED, "police_station"),
            act(C.REVIEWED, "police_station"))
    assert C.APPROVED not in C.next_actions(c, "police_station")
    assert C.APPROVED in C.next_actions(c, "county_approver")


def _reviewed():
    return run("settlement", act(C.SUBMITTED, "applicant", adult_followers=["spouse"]),
               act(C.ACCEPTED, "police_station", "p1"), act(C.REVIEWED, "police_station", "p1"))


def test_a_rejection_names_a_failed_rule():
    c = _reviewed()
    with pytest.raises(C.CaseError) as err:
        C.append(c, act(C.REJECTED, "county_approver", "a1", verdict="ineligible"), c.version)
    assert err.value.field == "data.failed_rule"
    done = C.append(c, act(C.REJECTED, "county_approver", "a1", verdict="ineligible",
                           failed_rule="general.legal_stable_residence"), c.version)
    assert C.state(done).finished and C.next_actions(done, "county_approver") == []


def test_rejecting_an_eligible_person_needs_a_reason_and_a_second_approver():
    c = _reviewed()
    reject = dict(verdict="eligible", failed_rule="general.legal_stable_residence")
    with pytest.raises(C.CaseError) as err:
        C.append(c, act(C.REJECTED, "county_approver", "a1", **reject), c.version)
    assert err.value.field == "data.reason"
    with pytest.raises(C.CaseError) as err:
        C.append(c, act(C.REJECTED, "county_approver", "a1", reason="forged lease", **reject), c.version)
    assert "second approver" in err.value.message
    c = C.append(c, act(C.SECOND_APPROVAL, "county_approver", "a1"), c.version)  # the same person does not count
    with pytest.raises(C.CaseError):
        C.append(c, act(C.REJECTED, "county_approver", "a1", reason="forged lease", **reject), c.version)
    c = C.append(c, act(C.SECOND_APPROVAL, "county_approver", "a2"), c.version)
    c = C.append(c, act(C.REJECTED, "county_approver", "a1", reason="forged lease", **reject), c.version)
    assert C.state(c).status == C.REJECTED


def test_settlement_is_registered_only_with_every_adults_consent():
    c = _reviewed()
    c = C.append(c, act(C.APPROVED, "county_approver", "a1"), c.version)
    c = C.append(c, act(C.CONSENT_RECORDED, "applicant", who="applicant"), c.version)
    with pytest.raises(C.CaseError) as err:
        C.append(c, act(C.REGISTERED, "police_station", "p1"), c.version)
    assert err.value.field == "consent" and "spouse" in err.value.message
    c = C.append(c, act(C.CONSENT_RECORDED, "applicant", who="spouse"), c.version)
    c = C.append(c, act(C.REGISTERED, "police_station", "p1"), c.version)
    assert C.state(c).status == C.REGISTERED and C.state(c).finished


def test_a_permit_is_issued_not_registered_and_may_be_extended_once_with_a_reason():
    c = run("residence_permit", act(C.SUBMITTED, "applicant"), act(C.ACCEPTED, "police_station"))
    with pytest.raises(C.CaseError) as err:
        C.append(c, act(C.DEADLINE_EXTENDED, "police_station"), c.version)
    assert err.value.field == "data.reason"
    c = C.append(c, act(C.DEADLINE_EXTENDED, "police_station", reason="remote township"), c.version)
    assert C.DEADLINE_EXTENDED not in C.next_actions(c, "police_station")
    c = run("residence_permit", act(C.SUBMITTED, "applicant"), act(C.ACCEPTED, "police_station"),
            act(C.REVIEWED, "police_station"), act(C.APPROVED, "county_approver"))
    assert C.ISSUED in C.next_actions(c, "police_station") and C.REGISTERED not in C.next_actions(c, "police_station")


def test_the_applicant_may_withdraw_until_the_end():
    c = _reviewed()
    c = C.append(c, act(C.WITHDRAWN, "applicant"), c.version)
    assert C.state(c).finished and C.next_actions(c, "police_station") == []


def test_permit_deadline_is_15_calendar_days_or_30_extended():
    assert permit_deadline(date(2019, 9, 20)).due == date(2019, 10, 5)
    assert permit_deadline(date(2019, 9, 20), extended=True).due == date(2019, 10, 20)


def test_settlement_deadline_counts_working_days_with_holidays_and_make_up_days():
    # 2019-09-30 accepted; 1–7 October is the National Day holiday; 29 Sep and 12 Oct were make-up working days
    d = add_working_days(date(2019, 9, 30), 5)
    assert d.due == date(2019, 10, 12) and d.calendar_complete
    # Oct 8–12 (12th a make-up Saturday) are 1–5, Oct 14–18 6–10, 21–25 11–15, Oct 28–Nov 1 16–20
    assert settlement_deadline(date(2019, 9, 30)).due == date(2019, 11, 1)
    assert d.overdue(date(2019, 10, 14)) and not d.overdue(date(2019, 10, 12))


def test_beyond_the_holiday_calendar_working_days_are_weekdays_and_say_so():
    d = add_working_days(date(2099, 1, 2), 5)  # a Friday
    assert d.due == date(2099, 1, 9) and not d.calendar_complete


def _issued(day=date(2019, 9, 20)):
    at = datetime.combine(day, T0.time())
    steps = [(C.SUBMITTED, "applicant"), (C.ACCEPTED, "police_station"), (C.REVIEWED, "police_station"),
             (C.APPROVED, "county_approver"), (C.ISSUED, "police_station")]
    return run("residence_permit", *(C.Action(t, at, "u1", role, {}) for t, role in steps))


def at_day(type_, day, role="police_station", **data):
    return C.Action(type_, datetime.combine(day, T0.time()), "p1", role, data)


def test_an_issued_permit_stays_open_until_it_is_cancelled():
    c = _issued()
    s = C.state(c)
    assert s.status == C.ISSUED and not s.finished and s.issued_at.date() == date(2019, 9, 20)
    assert C.next_actions(c, "police_station") == [C.CANCELLED, C.ENDORSED, C.REPLACED]
    assert C.next_actions(c, "applicant") == []  # past withdrawal, materials and consent
    with pytest.raises(C.CaseError) as err:
        C.append(c, at_day(C.REPLACED, date(2019, 12, 1)), c.version)
    assert err.value.field == "data.reason"
    c = C.append(c, at_day(C.REPLACED, date(2019, 12, 1), reason="lost (补领)"), c.version)
    assert C.state(c).status == C.ISSUED and not C.state(c).finished
    with pytest.raises(C.CaseError) as err:
        C.append(c, at_day(C.CANCELLED, date(2020, 1, 5)), c.version)
    assert err.value.field == "data.reason"
    c = C.append(c, at_day(C.CANCELLED, date(2020, 1, 5), reason="left the city"), c.version)
    assert C.state(c).status == C.CANCELLED and C.state(c).finished and C.next_actions(c, "police_station") == []


def test_endorsement_once_a_year_within_the_month_before_the_anniversary():
    c = _issued()
    with pytest.raises(C.CaseError) as err:  # too early: the window is 2020-08-20 .. 2020-09-19
        C.append(c, at_day(C.ENDORSED, date(2020, 8, 19)), c.version)
    assert err.value.status == 409 and "2020-08-20" in err.value.message
    c = C.append(c, at_day(C.ENDORSED, date(2020, 8, 20)), c.version)
    with pytest.raises(C.CaseError):  # this year's is done: next year's window opens 2021-08-20
        C.append(c, at_day(C.ENDORSED, date(2020, 9, 1)), c.version)
    # 2021's anniversary passes without one: suspended, and a late endorsement restores the permit
    c = C.append(c, at_day(C.ENDORSED, date(2021, 11, 2)), c.version)
    assert [e.date() for e in C.state(c).endorsements] == [date(2020, 8, 20), date(2021, 11, 2)]
    assert C.state(c).status == C.ISSUED


def _accepted(kind, day, *more):
    at = datetime.combine(day, T0.time())
    return run(kind, C.Action(C.SUBMITTED, at, "u1", "applicant", {}), C.Action(C.ACCEPTED, at, "p1", "police_station", {}),
               *more)


def test_case_deadline_runs_from_acceptance_to_the_decision():
    from hukou.cases.deadlines import case_deadline

    assert case_deadline(run("settlement", act(C.SUBMITTED, "applicant"))) is None  # not accepted yet
    c = _accepted("settlement", date(2019, 9, 30))
    assert case_deadline(c) == settlement_deadline(date(2019, 9, 30)) and case_deadline(c).due == date(2019, 11, 1)
    assert case_deadline(c, working_days=5).due == date(2019, 10, 12)  # the policy's number, holidays counted
    reviewed = C.append(c, act(C.REVIEWED, "police_station"), c.version)
    decided = C.append(reviewed, act(C.APPROVED, "county_approver"), reviewed.version)
    assert case_deadline(reviewed) is not None and case_deadline(decided) is None
    p = _accepted("residence_permit", date(2019, 9, 20))
    assert case_deadline(p).due == date(2019, 10, 5)
    p = C.append(p, act(C.DEADLINE_EXTENDED, "police_station", reason="card printer broken"), p.version)
    assert case_deadline(p).due == date(2019, 10, 20)
    p = C.append(p, act(C.REVIEWED, "police_station"), p.version)
    p = C.append(p, act(C.APPROVED, "county_approver"), p.version)
    assert case_deadline(p).due == date(2019, 10, 20)  # approved, not yet issued: the clock still runs
    assert case_deadline(C.append(p, act(C.ISSUED, "police_station"), p.version)) is None
    withdrawn = C.append(c, act(C.WITHDRAWN, "applicant"), c.version)
    assert case_deadline(withdrawn) is None


def test_the_policy_sets_the_settlement_working_days(changji):
    from hukou.cases.deadlines import P_WORKING_DAYS, working_days_of
    from hukou.policy.policy_file import parse_policy
    from policytools import changji_dict

    assert working_days_of(changji, date(2019, 1, 1)) == 20
    assert changji.parameters[P_WORKING_DAYS].cite.complete
    data = changji_dict()
    del data["parameters"][P_WORKING_DAYS]
    assert working_days_of(parse_policy(data), date(2019, 1, 1)) == 20  # absent: 20
    data["parameters"][P_WORKING_DAYS] = {"values": {date(2018, 12, 5): 20, date(2020, 1, 1): 10},
                                          "cite": {"clause": "承诺", "quote": "十个工作日内办结"}}
    assert working_days_of(parse_policy(data), date(2019, 6, 1)) == 20
    assert working_days_of(parse_policy(data), date(2020, 6, 1)) == 10

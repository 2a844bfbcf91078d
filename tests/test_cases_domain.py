"""Cases as action logs (pure): state from the log, who may do what next, typed data, consent by
each adult, separation of duties, overrides, deadlines."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from casework_people import (CHILD, GRANDPA, T0, TEEN, WANG, ZHAO, a1, a2, a3, act, decision, grandpa, p1, run,
                             stranger, submission, then, wang, zhao)
from hukou.cases import case as C
from hukou.cases.deadlines import TimeLimits, add_working_days, permit_deadline, settlement_deadline
from hukou.cases.viewer import Viewer

SPOUSE = ("spouse", ZHAO, "赵六")


def submitted(*follow, **extra):
    return act(C.SUBMITTED, wang, **submission(*follow, **extra))


def own_consent(viewer, minutes=1):
    return act(C.CONSENT_RECORDED, viewer, minutes, party=_key(viewer), id_number=viewer.id_number)


def _key(viewer):
    return {WANG: "applicant", ZHAO: "f1", GRANDPA: "f2"}[viewer.id_number]


def reviewed(*follow):
    return run("settlement", submitted(*follow), act(C.ACCEPTED, p1), act(C.REVIEWED, p1))


def test_state_is_derived_from_the_log():
    c = run("settlement", submitted(SPOUSE), act(C.MATERIALS_REQUESTED, p1, items=["housing", "residence"]),
            act(C.MATERIALS_PROVIDED, wang, items=["housing"]))
    s = C.state(c)
    assert s.status == C.MATERIALS_REQUESTED and s.materials_outstanding == ("residence",)
    assert [p.key for p in s.parties] == ["applicant", "f1"] and s.applicant.id_number == WANG
    assert C.ACCEPTED not in C.next_actions(c, p1)  # one item still outstanding
    c = then(c, act(C.MATERIALS_PROVIDED, wang, items=["residence"]))
    assert C.ACCEPTED in C.next_actions(c, p1)
    assert c.version == 4 and C.state(c).submitted_at == T0


def test_materials_are_requested_once_and_all_together():
    c = run("settlement", submitted())
    with pytest.raises(C.CaseError) as err:
        then(c, act(C.MATERIALS_REQUESTED, p1, items=[]))
    assert err.value.field == "data.items"
    c = then(c, act(C.MATERIALS_REQUESTED, p1, items=["housing"]))
    c = then(c, act(C.MATERIALS_PROVIDED, wang, items=["housing"]))
    assert C.MATERIALS_REQUESTED not in C.next_actions(c, p1)


def test_a_stale_version_is_a_conflict():
    c = run("settlement", submitted())
    with pytest.raises(C.CaseError) as err:
        C.append(c, act(C.ACCEPTED, p1)[0], expected_version=0)
    assert err.value.status == 409 and err.value.field == "expected_version"


def test_roles_may_do_only_their_part():
    c = run("settlement", submitted())
    assert C.next_actions(c, Viewer("d", "department")) == []
    with pytest.raises(C.CaseError) as err:
        then(c, act(C.ACCEPTED, wang))
    assert err.value.field == "type"
    c = reviewed()
    assert C.APPROVED not in C.next_actions(c, p1) and C.APPROVED in C.next_actions(c, a1)


# --- finding 3: typed data ------------------------------------------------------------------------

@pytest.mark.parametrize("type_, viewer, data, field", [
    (C.CONSENT_RECORDED, p1, {"party": ["x"], "id_number": WANG, "in_person": True}, "data.party"),
    (C.MATERIALS_REQUESTED, p1, {"items": 5}, "data.items"),
    (C.MATERIALS_REQUESTED, p1, {"items": ["x" * 81]}, "data.items[0]"),
    (C.MATERIALS_REQUESTED, p1, {"items": ["housing"], "urgent": True}, "data.urgent"),
    (C.ACCEPTED, p1, {"note": 7}, "data.note"),
])
def test_action_data_is_typed_and_a_bad_one_never_reaches_the_log(type_, viewer, data, field):
    c = run("settlement", submitted())
    with pytest.raises(C.CaseError) as err:
        then(c, act(type_, viewer, **data))
    assert err.value.field == field and err.value.status == 422
    assert c.version == 1 and C.state(c).status == C.SUBMITTED


def test_state_reads_an_old_log_with_data_it_does_not_understand():
    bad = (C.Action(C.SUBMITTED, T0, "x", "applicant", {"followers": 5}),
           C.Action(C.CONSENT_RECORDED, T0, "x", "applicant", {"who": ["x"]}),
           C.Action(C.MATERIALS_REQUESTED, T0, "p", "police_station", {"items": 5}),
           C.Action(C.MATERIALS_PROVIDED, T0, "p", "police_station", "not a dict"))
    c = C.Case("old", "settlement", bad)
    s = C.state(c)
    assert s.parties == () and s.consents == frozenset() and s.materials_outstanding == ()
    for viewer in (wang, p1, a1, Viewer("au", "auditor")):
        C.next_actions(c, viewer)


# --- findings 2 and 7: who consents, and who moves -------------------------------------------------

def test_each_adult_consents_under_their_own_account():
    c = reviewed(SPOUSE, ("child", CHILD, "王小"), ("parent", GRANDPA, "王老"))
    needed = [p.key for p in C.required_consents(c, T0.date())]
    assert needed == ["applicant", "f1", "f3"]  # the child (born 2015) is a minor: the applicant consents for him
    with pytest.raises(C.CaseError) as err:  # the applicant cannot consent for his wife
        then(c, act(C.CONSENT_RECORDED, wang, party="f1", id_number=ZHAO))
    assert err.value.status == 403
    with pytest.raises(C.CaseError) as err:  # nor can someone who is not on the case
        then(c, act(C.CONSENT_RECORDED, stranger, party="f1", id_number=ZHAO))
    assert err.value.status == 409  # nothing is possible for them
    assert C.next_actions(c, stranger) == []
    assert C.next_actions(c, zhao) == [C.CONSENT_RECORDED]  # a follower may only consent
    c = then(c, own_consent(zhao))
    assert C.state(c).consents == {"f1"} and C.next_actions(c, zhao) == []


def test_consent_at_the_counter_is_signed_and_the_id_card_checked():
    c = reviewed(SPOUSE)
    base = {"party": "f1", "id_number": ZHAO, "in_person": True, "signed": True, "id_card_checked": True}
    for missing in ("in_person", "signed", "id_card_checked"):
        with pytest.raises(C.CaseError) as err:
            then(c, act(C.CONSENT_RECORDED, p1, **{**base, missing: False}))
        assert err.value.field == f"data.{missing}"
    with pytest.raises(C.CaseError) as err:  # the card shown is not the follower's
        then(c, act(C.CONSENT_RECORDED, p1, **{**base, "id_number": WANG}))
    assert err.value.field == "data.id_number"
    c = then(c, act(C.CONSENT_RECORDED, p1, **base))
    assert "f1" in C.state(c).consents


def _approved(*follow, consents=()):
    c = reviewed(*follow)
    c = then(c, act(C.APPROVED, a1, 5, **decision()))
    for viewer in consents:
        c = then(c, own_consent(viewer))
    return c


def _registered(c, moved):
    return act(C.REGISTERED, p1, 10, place="652301001001", urban=True, household="family", household_id=1,
               moved=[{"party": k, "person_id": i} for i, k in enumerate(moved, start=1)])


def test_a_registration_moves_exactly_the_consenting_adults_and_the_minors_listed():
    c = _approved(SPOUSE, ("child", CHILD, "王小"), ("parent", GRANDPA, "王老"), consents=(wang, zhao))
    assert [p.key for p in C.who_moves(c, T0.date())] == ["applicant", "f1", "f2"]  # the father did not consent
    for wrong in (["applicant", "f1", "f2", "f3"], ["applicant", "f1"]):
        with pytest.raises(C.CaseError) as err:
            then(c, _registered(c, wrong))
        assert err.value.field == "data.moved"
    done = then(c, _registered(c, ["applicant", "f1", "f2"]))
    assert C.state(done).status == C.REGISTERED and C.state(done).finished


def test_no_registration_without_the_applicants_consent():
    c = _approved()
    with pytest.raises(C.CaseError) as err:
        then(c, _registered(c, ["applicant"]))
    assert err.value.field == "consent"


def test_a_follower_who_turns_18_consents_for_themselves():
    c = reviewed(("child", TEEN, "王青"))
    assert [p.key for p in C.required_consents(c, date(2020, 2, 29))] == ["applicant"]
    assert [p.key for p in C.required_consents(c, date(2020, 3, 1))] == ["applicant", "f1"]


def test_a_submission_lists_each_person_once_and_spouses_and_parents_are_adults():
    with pytest.raises(C.CaseError) as err:
        run("settlement", submitted(SPOUSE, ("parent", ZHAO, "赵六")))
    assert err.value.field == "data.followers"
    with pytest.raises(C.CaseError) as err:
        run("settlement", submitted(("spouse", CHILD, "王小")))
    assert err.value.field == "data.followers[0].id_number"
    with pytest.raises(C.CaseError) as err:  # an applicant applies for themselves only
        run("settlement", act(C.SUBMITTED, wang, **submission(applicant=ZHAO)))
    assert err.value.status == 403
    with pytest.raises(C.CaseError) as err:  # a permit is one person's
        run("residence_permit", submitted(SPOUSE))
    assert err.value.field == "data.followers"


def test_a_counter_case_is_the_citizens():
    c = run("settlement", act(C.SUBMITTED, p1, **submission(counter=True)))
    assert C.state(c).counter and C.next_actions(c, wang) == [C.CONSENT_RECORDED, C.MATERIALS_PROVIDED, C.WITHDRAWN]
    assert C.CONSENT_RECORDED in C.next_actions(c, p1)
    with pytest.raises(C.CaseError):  # an applicant's own submission is not a counter case
        run("settlement", act(C.SUBMITTED, wang, **submission(counter=True)))


# --- finding 6: separation of duties, overrides, what a decision rests on --------------------------

def test_who_reviewed_does_not_decide():
    c = run("settlement", submitted(), act(C.ACCEPTED, p1), act(C.REVIEWED, p1))
    assert C.APPROVED in C.next_actions(c, a1)
    assert not {C.APPROVED, C.REJECTED} & set(C.next_actions(c, p1))  # a police station never decides
    with pytest.raises(C.CaseError) as err:
        then(c, act(C.APPROVED, Viewer("p1", "county_approver", city_wide=True), **decision()))
    assert err.value.status == 403 and err.value.field == "by"


def test_a_rejection_names_a_failed_rule():
    c = reviewed()
    with pytest.raises(C.CaseError) as err:
        then(c, act(C.REJECTED, a1, **{k: v for k, v in decision("ineligible", failed_rule="x").items()
                                       if k != "failed_rule"}))
    assert err.value.field == "data.failed_rule"
    done = then(c, act(C.REJECTED, a1, **decision("ineligible", failed_rule="general.legal_stable_residence")))
    assert C.state(done).finished and C.next_actions(done, a1) == []


def test_a_decision_against_the_verdict_needs_a_reason_and_a_second_approver_who_names_it():
    c = reviewed()
    for data in (decision("eligible", failed_rule="general.legal_stable_residence"), decision("ineligible")):
        type_ = C.REJECTED if "failed_rule" in data else C.APPROVED
        with pytest.raises(C.CaseError) as err:
            then(c, act(type_, a1, **data))
        assert err.value.field == "data.reason"
        pending = then(c, act(type_, a1, **data, reason="the lease was forged" if type_ == C.REJECTED else "seen the deed"))
        s = C.state(pending)
        assert s.status == C.AWAITING_SECOND and not s.finished and s.decided_at is None
        assert C.next_actions(pending, a1) == [] and C.SECOND_APPROVAL in C.next_actions(pending, a2)
        with pytest.raises(C.CaseError) as err:  # the decider does not second it
            then(pending, act(C.SECOND_APPROVAL, a1, decision=s.decision.seq))
        assert err.value.status == 403
        with pytest.raises(C.CaseError) as err:  # it names the decision it authorises
            then(pending, act(C.SECOND_APPROVAL, a2, decision=s.decision.seq - 1))
        assert err.value.field == "data.decision"
        done = then(pending, act(C.SECOND_APPROVAL, a2, decision=s.decision.seq))
        assert C.state(done).status == type_ and C.state(done).decision.seconded_by == "a2"
        assert C.state(done).decided_at is not None


def test_a_second_approver_may_send_a_decision_back_with_a_reason():
    c = then(reviewed(), act(C.REJECTED, a1, **decision("eligible", failed_rule="x.y"), reason="doubt"))
    seq = C.state(c).decision.seq
    with pytest.raises(C.CaseError) as err:
        then(c, act(C.SECOND_APPROVAL, a2, decision=seq, agree=False))
    assert err.value.field == "data.reason"
    back = then(c, act(C.SECOND_APPROVAL, a2, decision=seq, agree=False, reason="the lease is registered"))
    assert C.state(back).status == C.REVIEWED and C.state(back).decision is None
    assert C.APPROVED in C.next_actions(back, a3)


def test_after_a_decision_no_materials_change_what_it_was_decided_on():
    c = _approved()
    assert C.MATERIALS_PROVIDED not in C.next_actions(c, wang) + C.next_actions(c, p1)
    with pytest.raises(C.CaseError):
        then(c, act(C.MATERIALS_PROVIDED, wang, facts={"birth_date": "1980-01-01"}))
    assert C.state(c).decision.data["facts"] == {"birth_date": "1990-03-07"}


def test_a_decision_records_its_verdict_and_facts():
    c = reviewed()
    with pytest.raises(C.CaseError) as err:  # a client's approval without the server's verdict is not a record
        then(c, act(C.APPROVED, a1))
    assert err.value.field == "data.override"


# --- permits and withdrawal -------------------------------------------------------------------------

def test_a_permit_is_issued_not_registered_and_may_be_extended_once_with_a_reason():
    c = run("residence_permit", submitted(), act(C.ACCEPTED, p1))
    with pytest.raises(C.CaseError) as err:
        then(c, act(C.DEADLINE_EXTENDED, p1))
    assert err.value.field == "data.reason"
    c = then(c, act(C.DEADLINE_EXTENDED, p1, reason="remote township"))
    assert C.DEADLINE_EXTENDED not in C.next_actions(c, p1)
    c = run("residence_permit", submitted(), act(C.ACCEPTED, p1), act(C.REVIEWED, p1), act(C.APPROVED, a1, **decision()))
    assert C.ISSUED in C.next_actions(c, p1) and C.REGISTERED not in C.next_actions(c, p1)
    assert C.ISSUED not in C.next_actions(c, a1)  # the station issues


def test_the_applicant_may_withdraw_until_the_end_and_a_follower_may_not():
    c = reviewed(SPOUSE)
    assert C.WITHDRAWN not in C.next_actions(c, zhao)
    c = then(c, act(C.WITHDRAWN, wang))
    assert C.state(c).finished and C.next_actions(c, p1) == []


def test_permit_deadline_is_the_policys_days_or_the_extended_ones():
    assert permit_deadline(date(2019, 9, 20)).due == date(2019, 10, 5)
    assert permit_deadline(date(2019, 9, 20), extended=True).due == date(2019, 10, 20)
    assert permit_deadline(date(2019, 9, 20), False, TimeLimits(20, 10, 20)).due == date(2019, 9, 30)


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


def _day(type_, day, viewer=p1, **data):
    return C.Action(type_, datetime.combine(day, T0.time()), viewer.username, viewer.role, data), viewer


def _issued(day=date(2019, 9, 20)):
    return run("residence_permit", _day(C.SUBMITTED, day, wang, **submission()), _day(C.ACCEPTED, day),
               _day(C.REVIEWED, day), _day(C.APPROVED, day, a1, **decision()), _day(C.ISSUED, day))


def test_an_issued_permit_stays_open_until_it_is_cancelled():
    c = _issued()
    s = C.state(c)
    assert s.status == C.ISSUED and not s.finished and s.issued_at.date() == date(2019, 9, 20)
    assert C.next_actions(c, p1) == [C.CANCELLED, C.ENDORSED, C.REPLACED]
    assert C.next_actions(c, wang) == []  # past withdrawal, materials and consent
    with pytest.raises(C.CaseError) as err:
        then(c, _day(C.REPLACED, date(2019, 12, 1)))
    assert err.value.field == "data.reason"
    c = then(c, _day(C.REPLACED, date(2019, 12, 1), reason="lost (补领)"))
    assert C.state(c).status == C.ISSUED and not C.state(c).finished
    c = then(c, _day(C.CANCELLED, date(2020, 1, 5), reason="left the city"))
    assert C.state(c).status == C.CANCELLED and C.state(c).finished and C.next_actions(c, p1) == []


def test_endorsement_once_a_year_within_the_month_before_the_anniversary():
    c = _issued()
    with pytest.raises(C.CaseError) as err:  # too early: the window is 2020-08-20 .. 2020-09-19
        then(c, _day(C.ENDORSED, date(2020, 8, 19)))
    assert err.value.status == 409 and "2020-08-20" in err.value.message
    c = then(c, _day(C.ENDORSED, date(2020, 8, 20)))
    with pytest.raises(C.CaseError):  # this year's is done: next year's window opens 2021-08-20
        then(c, _day(C.ENDORSED, date(2020, 9, 1)))
    # 2021's anniversary passes without one: suspended, and a late endorsement restores the permit
    c = then(c, _day(C.ENDORSED, date(2021, 11, 2)))
    assert [e.date() for e in C.state(c).endorsements] == [date(2020, 8, 20), date(2021, 11, 2)]
    assert C.state(c).status == C.ISSUED


def _accepted(kind, day, *more):
    return run(kind, _day(C.SUBMITTED, day, wang, **submission()), _day(C.ACCEPTED, day), *more)


def test_case_deadline_runs_from_acceptance_to_the_decision():
    from hukou.cases.deadlines import case_deadline

    assert case_deadline(run("settlement", submitted())) is None  # not accepted yet
    c = _accepted("settlement", date(2019, 9, 30))
    assert case_deadline(c) == settlement_deadline(date(2019, 9, 30)) and case_deadline(c).due == date(2019, 11, 1)
    assert case_deadline(c, TimeLimits(5)).due == date(2019, 10, 12)  # the policy's number, holidays counted
    reviewed_ = then(c, act(C.REVIEWED, p1))
    decided = then(reviewed_, act(C.APPROVED, a1, **decision()))
    assert case_deadline(reviewed_) is not None and case_deadline(decided) is None
    pending = then(reviewed_, act(C.APPROVED, a1, **decision("ineligible"), reason="seen the deed"))
    assert case_deadline(pending) is not None  # not decided until the second approver agrees
    p = _accepted("residence_permit", date(2019, 9, 20))
    assert case_deadline(p).due == date(2019, 10, 5)
    p = then(p, act(C.DEADLINE_EXTENDED, p1, reason="card printer broken"))
    assert case_deadline(p).due == date(2019, 10, 20)
    p = then(p, act(C.REVIEWED, p1))
    p = then(p, act(C.APPROVED, a1, **decision()))
    assert case_deadline(p).due == date(2019, 10, 20)  # approved, not yet issued: the clock still runs
    assert case_deadline(then(p, act(C.ISSUED, p1))) is None
    withdrawn = then(c, act(C.WITHDRAWN, wang))
    assert case_deadline(withdrawn) is None


def test_the_policy_sets_the_time_limits(changji):
    from hukou.cases.deadlines import P_PERMIT_DAYS, P_WORKING_DAYS, time_limits, working_days_of
    from hukou.policy.policy_file import parse_policy
    from policytools import changji_dict

    assert time_limits(changji, date(2019, 1, 1)) == TimeLimits(20, 15, 30)
    assert changji.parameters[P_WORKING_DAYS].cite.complete
    data = changji_dict()
    del data["parameters"][P_WORKING_DAYS]
    assert working_days_of(parse_policy(data), date(2019, 1, 1)) == 20  # absent: 20
    data["parameters"][P_WORKING_DAYS] = {"values": {date(2018, 12, 5): 20, date(2020, 1, 1): 10},
                                          "cite": {"clause": "承诺", "quote": "十个工作日内办结"}}
    data["parameters"][P_PERMIT_DAYS]["values"] = {date(2016, 1, 1): 15, date(2020, 1, 1): 7}
    assert working_days_of(parse_policy(data), date(2019, 6, 1)) == 20
    assert time_limits(parse_policy(data), date(2020, 6, 1)) == TimeLimits(10, 7, 30)

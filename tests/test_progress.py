"""The steps a case shows its applicant (cases/progress.py), on each path: approved and registered,
rejected, materials requested, a decision awaiting its second approver, withdrawn, and a permit."""

from __future__ import annotations

from datetime import date, timedelta

from casework_people import T0, ZHAO, a1, a2, act, decision, p1, run, submission, then, wang
from hukou.cases import case as C
from hukou.cases.progress import ACCEPTANCE_WORKING_DAYS, acceptance_due, progress

ON = T0.date()


def shape(c: C.Case, on: date = ON) -> list[tuple[str, str]]:
    return [(s.key, s.state) for s in progress(c, on)]


def current(c: C.Case):
    return next(s for s in progress(c, ON) if s.state == "current")


def settlement(*follow):
    return run("settlement", act(C.SUBMITTED, wang, 0, **submission(*follow)),
               act(C.CONSENT_RECORDED, wang, 1, party="applicant", id_number=wang.id_number))


def test_a_new_settlement_waits_for_acceptance_within_five_working_days():
    c = settlement()
    assert shape(c) == [("apply", "done"), ("accept", "current"), ("review", "upcoming"), ("decide", "upcoming"),
                        ("conclude", "upcoming")]
    assert progress(c, ON)[0].on == ON
    step = current(c)
    assert step.waiting == "station_accept" and ACCEPTANCE_WORKING_DAYS == 5
    # 2019-09-20 is a Friday; the National Day holiday (10-01 to 10-07) does not count, 09-29 was worked
    assert step.due == acceptance_due(ON) == date(2019, 9, 27)


def test_materials_requested_are_what_acceptance_waits_for_until_they_are_provided():
    c = then(settlement(), act(C.MATERIALS_REQUESTED, p1, 2, items=["housing", "employment"]))
    step = current(c)
    assert (step.key, step.waiting, step.items) == ("accept", "materials", ("housing", "employment"))
    c = then(c, act(C.MATERIALS_PROVIDED, wang, 3, items=["housing", "employment"]))
    assert (current(c).key, current(c).waiting, current(c).items) == ("accept", "station_accept", ())


def test_the_approved_path_dates_each_step_and_ends_concluded():
    c = settlement()
    c = then(c, act(C.ACCEPTED, p1, 60 * 24 * 3))
    step = current(c)
    assert (step.key, step.waiting) == ("review", "station_review") and step.due is not None  # the decision's due date
    c = then(c, act(C.REVIEWED, p1, 60 * 24 * 4))
    assert (current(c).key, current(c).waiting) == ("decide", "county_decision")
    c = then(c, act(C.APPROVED, a1, 60 * 24 * 5, **decision("eligible")))
    assert (current(c).key, current(c).waiting) == ("conclude", "registration")
    c = then(c, act(C.REGISTERED, p1, 60 * 24 * 6, place="652301001001", urban=True, household="family",
                    household_id=1, moved=[{"party": "applicant", "person_id": 1, "created": True}]))
    steps = progress(c, ON)
    assert [s.state for s in steps] == ["done"] * 5 and not any(s.outcome for s in steps)
    assert [s.on - ON for s in steps] == [timedelta(days=d) for d in (0, 3, 4, 5, 6)]


def test_a_rejection_concludes_the_case_not_approved():
    c = settlement()
    for step in (act(C.ACCEPTED, p1, 2), act(C.REVIEWED, p1, 3), act(C.REJECTED, a1, 4,
                                                                          **decision("ineligible", failed_rule="no_route"))):
        c = then(c, step)
    steps = {s.key: s for s in progress(c, ON)}
    assert [s.state for s in steps.values()] == ["done"] * 5
    assert steps["decide"].outcome == steps["conclude"].outcome == "rejected"
    assert not any(s.state == "current" for s in steps.values())


def test_a_decision_against_the_verdict_waits_for_its_second_approver():
    c = settlement()
    for step in (act(C.ACCEPTED, p1, 2), act(C.REVIEWED, p1, 3),
                 act(C.APPROVED, a1, 4, reason="checked on site", **decision("ineligible"))):
        c = then(c, step)
    assert (current(c).key, current(c).waiting) == ("decide", "second_approval")
    c = then(c, act(C.SECOND_APPROVAL, a2, 5, decision=c.version))
    assert (current(c).key, current(c).waiting) == ("conclude", "registration")


def test_a_withdrawn_case_skips_what_it_did_not_reach():
    c = then(settlement(), act(C.WITHDRAWN, wang, 2))
    assert shape(c) == [("apply", "done"), ("accept", "skipped"), ("review", "skipped"), ("decide", "skipped"),
                        ("conclude", "done")]
    assert progress(c, ON)[-1].outcome == "withdrawn"


def test_a_permit_goes_apply_accept_review_issue():
    c = run("residence_permit", act(C.SUBMITTED, wang, 0, **submission()))
    assert [s.key for s in progress(c, ON)] == ["apply", "accept", "review", "issue"]
    c = then(c, act(C.ACCEPTED, p1, 60 * 24))
    assert current(c).key == "review" and current(c).due == ON + timedelta(days=16)  # 15 days from acceptance
    c = then(c, act(C.REVIEWED, p1, 60 * 25))
    assert (current(c).key, current(c).waiting) == ("review", "county_decision")  # the approval is part of 审核
    c = then(c, act(C.APPROVED, a1, 60 * 26, **decision("eligible")))
    assert (current(c).key, current(c).waiting) == ("issue", "issue")
    c = then(c, act(C.ISSUED, p1, 60 * 24 * 3))
    assert shape(c) == [("apply", "done"), ("accept", "done"), ("review", "done"), ("issue", "done")]


def test_a_rejected_permit_is_never_issued():
    c = run("residence_permit", act(C.SUBMITTED, wang, 0, **submission()), act(C.ACCEPTED, p1, 1),
            act(C.REVIEWED, p1, 2), act(C.REJECTED, a1, 3, **decision("ineligible", failed_rule="short_residence")))
    steps = progress(c, ON)
    assert (steps[2].state, steps[2].outcome) == ("done", "rejected")
    assert (steps[3].state, steps[3].outcome) == ("skipped", "rejected")


def test_an_approved_settlement_without_the_applicants_consent_waits_for_it():
    c = run("settlement", act(C.SUBMITTED, wang, 0, **submission(("spouse", ZHAO, "赵六"))), act(C.ACCEPTED, p1, 1),
            act(C.REVIEWED, p1, 2), act(C.APPROVED, a1, 3, **decision("eligible")))
    assert (current(c).key, current(c).waiting) == ("conclude", "consent")


def test_nothing_before_submission():
    assert progress(C.Case("c0", "settlement"), ON) == []

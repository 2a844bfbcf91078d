"""The casework services over a real database: who the applicant is, who consents, who decides, what
a registration does to the register, jurisdiction, concurrency, and the audit entries. Each numbered
finding of the casework issue has its test here (or in test_cases_domain.py / test_api_applications.py)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import text

from casework_people import CHILD, GRANDPA, TOWN, WANG, ZHAO, a1, a2, a3, grandpa, id_number, p1, p2, stranger, wang, zhao
from hukou.cases import case as C
from hukou.cases.errors import CaseError
from hukou.cases.viewer import Viewer
from hukou.policies import load
from hukou.policy.errors import InputError
from hukou.policy.verdict import check
from hukou.registry.synth import generate
from hukou.services.casework import Application, Casework
from hukou.store.audit_log import verify_log
from hukou.store.database import connect, load_tables, migrate, person_facts
from hukou.store.users import create_user

NOW = datetime(2020, 3, 2, 9, 0)
FACTS = {"birth_date": "1990-03-07", "hukou": {"place": "622425", "urban": False}, "tax_paid": 1,
         "residence": [{"from": "2015-03-01", "to": None, "place": "652301001", "urban": True}],
         "housing": {"kind": "rented", "registered": True}, "employment": [{"from": "2015-03-01", "to": None}],
         "education": [], "qualifications": []}
SPOUSE = {"relation": "spouse", "id_number": ZHAO, "name": "赵六"}


def at(minutes: int) -> datetime:
    return NOW + timedelta(minutes=minutes)


class World:
    """A small register, the casework services, and people of the register bound to accounts."""

    def __init__(self, url: str, residents: int = 300):
        self.engine = connect(url)
        migrate(self.engine)
        load_tables(self.engine, generate(residents, seed=2))
        self.policy = load("changji-2018")
        self.cw = Casework(self.engine, self.policy)
        self.clock = 0

    def tick(self) -> datetime:
        self.clock += 1
        return at(self.clock)

    def register_person(self, want: str = "settlement") -> tuple[int, str]:
        """A person of the register outside the city's hukou whose verdict at NOW is `want` eligible."""
        with self.engine.connect() as conn:
            rows = conn.execute(text("SELECT p.person_id, p.id_number FROM people p JOIN hukou h ON h.person_id = "
                                     "p.person_id WHERE h.place NOT LIKE '652301%' ORDER BY p.person_id")).all()
        for pid, number in rows:
            verdict = check(person_facts(self.engine, pid, NOW.date()), NOW.date(), self.policy)
            if verdict["settlement" if want == "settlement" else "residence_permit"]["status"] == "eligible":
                return pid, number
        raise AssertionError("no such person in the small register")

    def submit(self, viewer, kind="settlement", followers=(), facts=FACTS, consent=True, key=None, **more):
        application = Application(kind, more.pop("township", TOWN), facts, tuple(followers),
                                  consent={} if consent and viewer.role == "applicant" else more.pop("consent", None),
                                  **more)
        case, _ = self.cw.submit(viewer, application, key or f"k{self.clock}", self.tick())
        return case

    def act(self, viewer, case, type_, **data):
        return self.cw.act(viewer, case.id, type_, data, case.version, self.tick()).case

    def to_approved(self, case, approver=a1, **data):
        for viewer, type_ in ((p1, C.ACCEPTED), (p1, C.REVIEWED)):
            case = self.act(viewer, case, type_)
        return self.act(approver, case, C.APPROVED, **data)

    def places(self, urban=True):
        return [code for code, _, u in self.cw.places(TOWN) if u == urban]

    def count(self, sql: str, **params) -> int:
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()


@pytest.fixture()
def world(tmp_path):
    return World(f"sqlite:///{tmp_path / 'casework.sqlite'}")


@pytest.fixture()
def pg_world(postgres_url):
    w = World(postgres_url)
    yield w
    w.engine.dispose()


def bound(world: World, viewer: Viewer) -> Viewer:
    create_user(world.engine, viewer.username, f"{viewer.username}-password", viewer.role,
                display_name={WANG: "王五", ZHAO: "赵六"}.get(viewer.id_number, viewer.username), id_number=viewer.id_number)
    return viewer


# --- finding 1: a case has the applicant's own person ----------------------------------------------

def test_an_applicant_applies_only_as_the_person_their_account_is(world):
    pid, number = world.register_person()
    alice = bound(world, Viewer("alice", "applicant", id_number=number))
    case = world.submit(alice, facts=None)  # the register knows her: her facts are the register's
    view = world.cw.read(alice, case.id, None, world.tick())
    assert view.verdict == check(person_facts(world.engine, pid, NOW.date()), NOW.date(), world.policy)
    assert [p.id_number for p in view.parties] == [number]
    # another account cannot name her (there is no field for it), nor see her case
    eve = bound(world, stranger)
    with pytest.raises(CaseError) as err:
        world.cw.submit(eve, Application("settlement", TOWN, None, applicant={"id_number": number, "name": "x"}), "e1",
                        world.tick())
    assert err.value.status == 403
    with pytest.raises(CaseError) as err:
        world.cw.read(eve, case.id, None, world.tick())
    assert err.value.status == 404
    # an account bound to no one cannot apply
    with pytest.raises(CaseError) as err:
        world.submit(Viewer("nobody", "applicant"))
    assert err.value.field == "id_number"


# --- findings 2, 4: followers fixed at submission, consent by each adult, the register says where ---

def test_a_migrant_not_in_the_register_settles_with_a_spouse_who_consents_herself(world):
    me, her = bound(world, wang), bound(world, zhao)
    case = world.submit(me, followers=[SPOUSE])
    assert [p.key for p in C.missing_consents(case, NOW.date())] == ["f1"]
    assert C.next_actions(case, p1) and world.cw.read(her, case.id, None, world.tick()).disclosure == "follower"
    case = world.act(her, case, C.CONSENT_RECORDED)
    case = world.to_approved(case)
    place = world.places(urban=True)[0]
    view = world.cw.act(p1, case.id, C.REGISTERED, {"place": place}, case.version, world.tick())
    record = view.case.actions[-1].data
    assert record["urban"] is True and record["household"] == "family" and record["left_out"] == []
    assert [(m["party"], m["created"]) for m in record["moved"]] == [("applicant", True), ("f1", True)]
    ids = [m["person_id"] for m in record["moved"]]
    on = world.tick().date()
    for pid, number in zip(ids, (WANG, ZHAO)):
        facts = person_facts(world.engine, pid, on)
        assert facts["hukou"] == {"place": place, "urban": True}
        assert world.count("SELECT id_number FROM people WHERE person_id = :p", p=pid) == number
    assert world.count("SELECT count(DISTINCT household_id) FROM household_members WHERE person_id IN (:a, :b)",
                       a=ids[0], b=ids[1]) == 1
    assert person_facts(world.engine, ids[0], on)["residence"][0]["place"] == "652301001"  # from the decided facts
    assert view.registered["household_id"] == record["household_id"]


def test_only_the_consenting_adults_and_the_minor_children_move(world):
    me = bound(world, wang)
    case = world.submit(me, followers=[SPOUSE, {"relation": "child", "id_number": CHILD, "name": "王小"},
                                       {"relation": "parent", "id_number": GRANDPA, "name": "王老"}])
    case = world.to_approved(case)
    case = world.act(p1, case, C.REGISTERED, place=world.places()[0])
    record = case.actions[-1].data
    assert [m["party"] for m in record["moved"]] == ["applicant", "f2"] and record["left_out"] == ["f1", "f3"]
    assert world.count("SELECT count(*) FROM people WHERE id_number IN (:a, :b)", a=ZHAO, b=GRANDPA) == 0


def test_the_place_and_its_urban_class_come_from_the_register(world):
    me = bound(world, wang)
    case = world.to_approved(world.submit(me))
    for place in ("652301002001", "622425000000", "652301001999"):  # another township, outside, no such division
        with pytest.raises(CaseError) as err:
            world.act(p1, case, C.REGISTERED, place=place)
        assert err.value.field == "data.place"
    for forged in ({"urban": False}, {"household_id": 1}, {"moved": [{"party": "applicant", "person_id": 5}]}):
        # a client cannot say these (who moves it names by `followers`, of those who may)
        with pytest.raises(CaseError) as err:
            world.act(p1, case, C.REGISTERED, place=world.places()[0], **forged)
        assert err.value.field == f"data.{next(iter(forged))}"
    case = world.act(p1, case, C.REGISTERED, place=world.places(urban=True)[0])
    assert case.actions[-1].data["urban"] is True
    town, station = "652301101", Viewer("p3", "police_station", "652301101")  # 三工镇: villages are rural
    rural = [code for code, _, urban in world.cw.places(town) if not urban][0]
    case = world.submit(bound(world, zhao), township=town, key="rural")
    for viewer, type_ in ((station, C.ACCEPTED), (station, C.REVIEWED), (a1, C.APPROVED)):
        case = world.act(viewer, case, type_)
    case = world.act(station, case, C.REGISTERED, place=rural)
    assert case.actions[-1].data["urban"] is False


# --- finding 3: a malformed action never reaches the log ------------------------------------------

def test_bad_action_data_is_refused_and_the_case_keeps_answering(world):
    me = bound(world, wang)
    case = world.submit(me, followers=[SPOUSE])
    for type_, data, field in ((C.CONSENT_RECORDED, {"who": ["x"]}, "data.who"),
                               (C.MATERIALS_REQUESTED, {"items": 5}, "data.items")):
        viewer = me if type_ == C.CONSENT_RECORDED else p1
        with pytest.raises(CaseError) as err:
            world.cw.act(viewer, case.id, type_, data, case.version, world.tick())
        assert err.value.field == field
    assert world.cw.read(p1, case.id, "casework", world.tick()).case.version == case.version
    assert [i.id for i in world.cw.queue(p1, "casework", NOW.date(), world.tick())] == [case.id]


# --- finding 5: jurisdiction fails closed ----------------------------------------------------------

def test_jurisdiction_fails_closed(world):
    me = bound(world, wang)
    case = world.submit(me)
    nowhere = Viewer("p0", "police_station")  # an account without a township (as one could be made before)
    assert world.cw.queue(nowhere, "casework", NOW.date(), world.tick()) == []
    with pytest.raises(CaseError):
        world.cw.read(nowhere, case.id, "casework", world.tick())
    assert world.cw.queue(p2, "casework", NOW.date(), world.tick()) == []
    assert [i.id for i in world.cw.queue(a3, "approval", NOW.date(), world.tick())] == [case.id]
    assert world.cw.queue(Viewer("a9", "county_approver", "652301002"), "approval", NOW.date(), world.tick()) == []
    for role, township, city_wide in (("police_station", None, False), ("police_station", TOWN, True),
                                      ("county_approver", None, False), ("police_station", "999999999", False),
                                      ("leader", TOWN, False)):
        with pytest.raises(InputError) as err:
            create_user(world.engine, "x", "a-long-password", role, township, city_wide=city_wide)
        assert err.value.path == "township"
    for township in ("652301", "6523010010", "999999001", None):  # an applicant's township is checked as the web does
        with pytest.raises(InputError) as err:
            world.submit(me, township=township, key=f"t{township}")
        assert err.value.path == "township"
    with pytest.raises(CaseError) as err:  # a police station opens cases of its own township only
        world.cw.submit(p1, Application("settlement", "652301002", FACTS, applicant={"id_number": ZHAO, "name": "赵六"}),
                        "c1", world.tick())
    assert err.value.status == 403


# --- finding 6: separation of duties; overrides; what a decision rests on --------------------------

def test_who_reviewed_does_not_decide_and_the_station_registers(world):
    me = bound(world, wang)
    case = world.submit(me)
    reviewer = Viewer("a1", "police_station", TOWN)  # the same person's name as a1
    for type_ in (C.ACCEPTED, C.REVIEWED):
        case = world.act(reviewer, case, type_)
    with pytest.raises(CaseError) as err:
        world.act(a1, case, C.APPROVED)
    assert err.value.status == 403
    case = world.act(a2, case, C.APPROVED)
    with pytest.raises(CaseError) as err:
        world.act(a2, case, C.REGISTERED, place=world.places()[0])
    assert err.value.status == 409  # deciding and registering are different hands


def test_overrides_need_a_second_approver_who_names_them_and_are_reported(world):
    me = bound(world, wang)
    eligible = world.submit(me, key="e")
    for viewer, type_ in ((p1, C.ACCEPTED), (p1, C.REVIEWED)):
        eligible = world.act(viewer, eligible, type_)
    with pytest.raises(CaseError) as err:
        world.act(a1, eligible, C.REJECTED, failed_rule="general.legal_stable_residence")
    assert err.value.field == "data.reason"
    eligible = world.act(a1, eligible, C.REJECTED, failed_rule="general.legal_stable_residence", reason="the lease is forged")
    assert C.state(eligible).status == C.AWAITING_SECOND
    seq = C.state(eligible).decision.seq
    eligible = world.act(a2, eligible, C.SECOND_APPROVAL, decision=seq)
    assert C.state(eligible).status == C.REJECTED
    no_home = {**FACTS, "housing": {"kind": "none"}}
    other = bound(world, Viewer("li", "applicant", id_number=id_number("62242519880808001")))
    ineligible = world.submit(other, facts=no_home, key="i")
    for viewer, type_ in ((p1, C.ACCEPTED), (p1, C.REVIEWED)):
        ineligible = world.act(viewer, ineligible, type_)
    with pytest.raises(CaseError) as err:
        world.act(a1, ineligible, C.APPROVED)
    assert err.value.field == "data.reason"
    ineligible = world.act(a1, ineligible, C.APPROVED, reason="the deed was shown at the counter")
    assert C.state(ineligible).status == C.AWAITING_SECOND
    assert C.REGISTERED not in C.next_actions(ineligible, p1)
    report = {o.case_id: o for o in world.cw.overrides(Viewer("au", "auditor"), "audit", world.tick())}
    assert (report[eligible.id].decision, report[eligible.id].second_approvers, report[eligible.id].effective) == \
        ("rejected", ("a2",), True)
    assert (report[ineligible.id].decision, report[ineligible.id].verdict_status, report[ineligible.id].effective) == \
        ("approved", "ineligible", False)
    with pytest.raises(CaseError) as err:
        world.cw.overrides(p1, "casework", world.tick())
    assert err.value.status == 403


def test_a_decided_case_says_what_it_was_decided_on(world):
    me = bound(world, wang)
    case = world.submit(me)
    case = world.act(me, case, C.MATERIALS_PROVIDED, facts={**FACTS, "education": []})
    case = world.to_approved(case)
    decided = C.state(case).decision.data
    assert decided["verdict"]["status"] == "eligible" and decided["facts"]["housing"] == FACTS["housing"]
    with pytest.raises(CaseError):  # no materials after the decision
        world.act(me, case, C.MATERIALS_PROVIDED, facts={**FACTS, "housing": {"kind": "none"}})
    view = world.cw.read(p1, case.id, "casework", world.tick())
    assert view.verdict["settlement"]["status"] == "eligible" and view.verdict_date == date.fromisoformat(
        decided["verdict"]["date"])


def test_a_decision_needs_facts(world):
    pid, number = world.register_person()
    with world.engine.begin() as conn:  # the register loses the person's hukou: no facts at all
        conn.execute(text("DELETE FROM hukou WHERE person_id = :p"), {"p": pid})
    alice = bound(world, Viewer("alice", "applicant", id_number=number))
    case = world.submit(alice, facts=None)
    for viewer, type_ in ((p1, C.ACCEPTED), (p1, C.REVIEWED)):
        case = world.act(viewer, case, type_)
    with pytest.raises(InputError):
        world.act(a1, case, C.APPROVED)


# --- finding 7: a counter case ----------------------------------------------------------------------

def test_a_counter_case_is_followed_by_the_citizen_and_registers(world):
    citizen = {"id_number": WANG, "name": "王五"}
    attest = {"in_person": True, "signed": True, "id_card_checked": True, "id_number": WANG, "party": "applicant"}
    case, _ = world.cw.submit(p1, Application("settlement", None, FACTS, (SPOUSE,), citizen, attest), "counter-1",
                              world.tick())
    assert C.state(case).counter and C.state(case).consents == {"applicant"}
    me = bound(world, wang)
    assert [i.id for i in world.cw.queue(me, None, NOW.date(), world.tick())] == [case.id]
    view = world.cw.read(me, case.id, None, world.tick())
    assert view.disclosure == "full" and view.verdict["settlement"]["status"] == "eligible"
    case = world.act(p1, case, C.CONSENT_RECORDED, **{**attest, "party": "f1", "id_number": ZHAO})
    case = world.to_approved(case)
    case = world.act(p1, case, C.REGISTERED, place=world.places()[0])
    assert [m["party"] for m in case.actions[-1].data["moved"]] == ["applicant", "f1"]


# --- finding 8: one person, one registration; permits end with it ---------------------------------

def _two_cases_for_one_person(w: World):
    me = bound(w, wang)
    first = w.to_approved(w.submit(me, key="one"))
    second = w.to_approved(w.submit(me, key="two"), approver=a2)
    return first, second


def test_a_second_registration_of_a_person_is_refused(world):
    first, second = _two_cases_for_one_person(world)
    world.act(p1, first, C.REGISTERED, place=world.places()[0])
    with pytest.raises(CaseError) as err:
        world.act(p1, second, C.REGISTERED, place=world.places()[1])
    assert err.value.status == 409 and err.value.field == "person"
    assert world.count("SELECT count(*) FROM people WHERE id_number = :n", n=WANG) == 1


def _race(w: World, jobs) -> list:
    def run(job):
        try:
            return job()
        except CaseError as exc:
            return exc

    with ThreadPoolExecutor(len(jobs)) as pool:
        return list(pool.map(run, jobs))


def _concurrent_registrations(w: World) -> None:
    first, second = _two_cases_for_one_person(w)
    places = w.places()
    results = _race(w, [lambda c=c, p=p: w.cw.act(p1, c.id, C.REGISTERED, {"place": p}, c.version, w.tick())
                        for c, p in ((first, places[0]), (second, places[1]))])
    assert sorted(type(r).__name__ for r in results) == ["CaseError", "CaseView"], results
    assert [r.status for r in results if isinstance(r, CaseError)] == [409]
    assert w.count("SELECT count(*) FROM people WHERE id_number = :n", n=WANG) == 1
    assert w.count("SELECT count(*) FROM hukou h JOIN people p ON p.person_id = h.person_id WHERE p.id_number = :n",
                   n=WANG) == 1
    assert verify_log(w.engine) is None


def test_two_registrations_of_one_person_at_once_on_sqlite(world):
    _concurrent_registrations(world)


def test_two_registrations_of_one_person_at_once_on_postgres(pg_world):
    _concurrent_registrations(pg_world)


def _permit_against_registration(w: World) -> None:
    pid, number = w.register_person("settlement")
    holder = bound(w, Viewer("holder", "applicant", id_number=number))
    permit = w.to_approved(w.submit(holder, kind="residence_permit", facts=None, consent=False, key=f"permit{number}"))
    settle = w.to_approved(w.submit(holder, facts=None, key=f"settle{number}"), approver=a2)
    results = _race(w, [lambda: w.cw.act(p1, permit.id, C.ISSUED, {}, permit.version, w.tick()),
                        lambda: w.cw.act(p1, settle.id, C.REGISTERED, {"place": w.places()[0]}, settle.version,
                                         w.tick())])
    assert not isinstance(results[1], CaseError), results
    permit = w.cw.read(p1, permit.id, "casework", w.tick()).case
    status = C.state(permit).status
    # either the permit was issued first and the registration cancelled it, or the issue was refused
    assert (status, isinstance(results[0], CaseError)) in ((C.CANCELLED, False), (C.APPROVED, True)), (status, results)
    assert verify_log(w.engine) is None


def test_a_permit_issued_while_a_registration_commits_does_not_stay_live_on_sqlite(world):
    _permit_against_registration(world)


def test_a_permit_issued_while_a_registration_commits_does_not_stay_live_on_postgres(pg_world):
    for _ in range(3):  # the two orders of commit; each run starts the race anew
        _permit_against_registration(pg_world)
        with pg_world.engine.begin() as conn:
            conn.execute(text("DELETE FROM users WHERE username = 'holder'"))


def test_settling_cancels_the_settled_peoples_issued_permits(world):
    pid, number = world.register_person()
    holder = bound(world, Viewer("holder", "applicant", id_number=number))
    permit = world.to_approved(world.submit(holder, kind="residence_permit", facts=None, consent=False, key="permit"))
    permit = world.act(p1, permit, C.ISSUED)
    later = world.to_approved(world.submit(holder, kind="residence_permit", facts=None, consent=False, key="p2"))
    settle = world.to_approved(world.submit(holder, facts=None, key="settle"), approver=a2)
    world.act(p1, settle, C.REGISTERED, place=world.places()[0])
    permit = world.cw.read(p1, permit.id, "casework", world.tick()).case
    assert C.state(permit).status == C.CANCELLED and permit.actions[-1].data["settled_by"] == settle.id
    with pytest.raises(CaseError) as err:  # and a permit approved before the registration is not issued now
        world.act(p1, later, C.ISSUED)
    assert err.value.status == 409 and err.value.field == "person"


# --- concurrency: two actions on one version -------------------------------------------------------

def _same_version(w: World) -> None:
    me = bound(w, wang)
    case = w.submit(me)
    results = _race(w, [lambda: w.cw.act(p1, case.id, C.ACCEPTED, {}, case.version, w.tick()),
                        lambda: w.cw.act(p1, case.id, C.MATERIALS_REQUESTED, {"items": ["housing"]}, case.version,
                                         w.tick())])
    errors = [r for r in results if isinstance(r, CaseError)]
    assert len(errors) == 1 and errors[0].status == 409, results
    assert w.cw.read(p1, case.id, "casework", w.tick()).case.version == case.version + 1
    assert verify_log(w.engine) is None


def test_two_actions_on_one_version_on_sqlite(world):
    _same_version(world)


def test_two_actions_on_one_version_on_postgres(pg_world):
    _same_version(pg_world)


def _concurrent_submissions(w: World) -> None:
    """Submissions from many threads at once, each key twice: one case per key, the chain whole."""
    people = [bound(w, Viewer(f"u{i}", "applicant", id_number=id_number(f"62242519900301{i:02d}1")))
              for i in range(3)]

    def submit(i):
        case, new = w.cw.submit(people[i // 2 % 3], Application("settlement", TOWN, FACTS), f"key-{i // 2}", w.tick())
        return case.id, new

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(submit, range(120)))
    assert all(results[i][0] == results[i + 1][0] for i in range(0, 120, 2))
    assert w.count("SELECT count(*) FROM cases") == 60 == sum(new for _, new in results)
    assert verify_log(w.engine) is None


def test_concurrent_submissions_on_sqlite(world):
    _concurrent_submissions(world)


def test_concurrent_submissions_on_postgres(pg_world):
    _concurrent_submissions(pg_world)


# --- finding 10: reads are logged with what was shown and why --------------------------------------

def test_reads_log_the_ids_shown_and_a_purpose_the_reader_chose(world):
    me = bound(world, wang)
    cases = [world.submit(me, key=f"r{i}").id for i in range(3)]
    with pytest.raises(CaseError) as err:  # an officer must say why
        world.cw.queue(p1, None, NOW.date(), world.tick())
    assert err.value.field == "purpose"
    with pytest.raises(CaseError):
        world.cw.read(p1, cases[0], "curiosity", world.tick())
    world.cw.queue(p1, "casework", NOW.date(), world.tick())
    world.cw.read(p1, cases[1], "counter", world.tick())
    with world.engine.connect() as conn:
        rows = conn.execute(text("SELECT what, who, subject, why FROM audit_log WHERE what IN ('case.list', 'case.read') "
                                 "ORDER BY seq")).all()
    assert [(w, who, sorted(s.split(",")), why) for w, who, s, why in rows] == [
        ("case.list", "p1", sorted(cases), "casework"), ("case.read", "p1", [cases[1]], "counter")]


def test_facts_on_a_case_are_canonical_and_checked(world):
    me = bound(world, wang)
    case = world.submit(me)
    assert "tax_paid" not in case.actions[0].data["facts"]
    with pytest.raises(InputError) as err:
        world.act(me, case, C.MATERIALS_PROVIDED, facts={**FACTS, "housing": {"kind": "castle"}})
    assert err.value.path == "data.facts.housing.kind"
    with pytest.raises(InputError) as err:
        world.submit(me, facts={**FACTS, "birth_date": "1980-13-45"}, key="bad")
    assert err.value.path == "facts.birth_date"
    with pytest.raises(CaseError) as err:  # a migrant the register does not hold must give facts
        world.submit(bound(world, grandpa), facts=None, key="nofacts")
    assert err.value.field == "facts"

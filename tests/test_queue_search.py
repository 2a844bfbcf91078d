"""The queue's search, filters, sorts and pages on a small set of cases with known answers, and who
sees which rows (a station only its township, an applicant only their own, a follower only what a
follower may)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from casework_people import OTHER, TOWN, ZHAO, a1, a3, id_number, p1, p2, stranger, zhao
from hukou.cases import case as C
from hukou.cases.deadlines import permit_deadline, settlement_deadline
from hukou.cases.queue_columns import days_left
from hukou.cases.queue_query import QueueQuery, search_terms
from hukou.cases.viewer import Viewer
from hukou.policies import load
from hukou.policy.errors import InputError
from hukou.services.casework import Application, Casework
from hukou.store.database import connect, migrate

TODAY = date(2020, 3, 2)
PURPOSES = {"police_station": "casework", "county_approver": "approval", "department": "task", "auditor": "audit"}
FACTS = {"birth_date": "1990-03-07", "hukou": {"place": "622425", "urban": False}}


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, datetime.min.time()) + timedelta(hours=hour)


def applicant(username: str, body17: str, name: str) -> Viewer:
    return Viewer(username, "applicant", id_number=id_number(body17), name=name)


wang = applicant("wang", "62242519900307451", "王五")
lisi = applicant("lisi", "62242519880512002", "李四")
zhang = applicant("zhang", "62242519850101003", "张三")
xiaoming = applicant("xiaoming", "62242519950606005", "王小明")
sun = applicant("sun", "62242519870707007", "孙八")
zhou = applicant("zhou", "62242520000808009", "周九")


class Cases:
    """Six cases at known steps; `ids[name]` is each applicant's case, `numbers[name]` its number."""

    def __init__(self, url: str):
        self.cw = Casework(connect(url), load("changji-2018"))
        migrate(self.cw.engine)
        self.ids, self.numbers = {}, {}
        spouse = ({"relation": "spouse", "id_number": ZHAO, "name": "赵六"},)
        self._case(wang, "settlement", TOWN, date(2020, 1, 2), [(p1, C.ACCEPTED, {})], spouse)
        self._case(lisi, "residence_permit", TOWN, date(2020, 2, 24), [(p1, C.ACCEPTED, {})])
        self._case(zhang, "settlement", TOWN, date(2020, 2, 3), [(p1, C.ACCEPTED, {}), (p1, C.REVIEWED, {})])
        self._case(xiaoming, "settlement", OTHER, date(2020, 2, 10), [])
        self._case(sun, "settlement", TOWN, date(2020, 2, 6), [(sun, C.WITHDRAWN, {})])
        self._case(zhou, "student_move", TOWN, date(2020, 2, 12), [(p1, C.MATERIALS_REQUESTED, {"items": ["housing"]})])

    def _case(self, who, kind, township, day, steps, followers=()):
        consent = {} if kind in C.HUKOU_KINDS else None
        case, _ = self.cw.submit(who, Application(kind, township, FACTS, followers, consent=consent),
                                 f"k-{who.username}", at(day))
        for hour, (by, type_, data) in enumerate(steps, start=10):
            case = self.cw.act(by, case.id, type_, data, case.version, at(day, hour)).case
        self.ids[who.name], self.numbers[who.name] = case.id, case.number

    def page(self, viewer, **asked):
        return self.cw.queue_page(viewer, PURPOSES.get(viewer.role), QueueQuery(**asked), TODAY, datetime(2020, 3, 2, 12))

    def names(self, viewer, **asked) -> list[str]:
        return [i.applicant_name for i in self.page(viewer, **asked).items]


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    return Cases(f"sqlite:///{tmp_path_factory.mktemp('search') / 'q.sqlite'}")


def test_the_set_is_what_the_tests_think_it_is(cases):
    assert cases.numbers == {"王五": "昌落2020-000001", "李四": "昌居2020-000001", "张三": "昌落2020-000002",
                             "王小明": "昌落2020-000003", "孙八": "昌落2020-000004", "周九": "昌落2020-000005"}
    first, = [i for i in cases.page(p1).items if i.applicant_name == "王五"]
    assert first.due == settlement_deadline(date(2020, 1, 2), 20).due == date(2020, 2, 6) and first.overdue
    assert first.waiting_on == "police_station" and first.number == "昌落2020-000001"
    assert first.applicant_id_masked == wang.id_number[:6] + "*" * 11 + wang.id_number[-1]


def test_a_station_sees_the_open_cases_of_its_township_by_due_date(cases):
    # 王五 overdue (2020-02-06), 张三 due today, 李四's permit (accepted 02-24) due 03-10, 周九 not accepted
    assert cases.names(p1) == ["王五", "张三", "李四", "周九"]
    page = cases.page(p1)
    assert page.total == 4 and page.overdue == 1 and page.pages == 1
    by_name = {i.applicant_name: i for i in page.items}
    assert by_name["张三"].due == TODAY and by_name["张三"].days_left == 0 and not by_name["张三"].overdue
    assert by_name["李四"].due == permit_deadline(date(2020, 2, 24)).due and by_name["李四"].days_left == 8
    assert not by_name["李四"].working_days and by_name["王五"].working_days and by_name["王五"].days_left < 0
    assert by_name["周九"].due is None and by_name["周九"].days_left is None
    assert by_name["王五"].next_actions == (C.CONSENT_RECORDED, C.MATERIALS_PROVIDED, C.REVIEWED)
    assert cases.names(p2) == ["王小明"]


@pytest.mark.parametrize("asked, expected", [
    ({"kind": "residence_permit"}, ["李四"]),
    ({"kind": "student_move"}, ["周九"]),
    ({"status": C.ACCEPTED}, ["王五", "李四"]),
    ({"status": C.REVIEWED}, ["张三"]),
    ({"status": C.MATERIALS_REQUESTED}, ["周九"]),
    ({"status": "finished"}, ["孙八"]),
    ({"status": C.WITHDRAWN}, ["孙八"]),
    ({"status": "all", "sort": "submitted"}, ["王五", "张三", "孙八", "周九", "李四"]),
    ({"overdue": True}, ["王五"]),
    ({"waiting": True}, ["王五", "李四"]),  # the station's turn: not 张三 (at the county), nor 周九 (materials)
    ({"township": OTHER}, []),  # not its township: nothing, whatever it asks
    ({"kind": "settlement", "status": C.ACCEPTED, "overdue": True}, ["王五"]),
    ({"sort": "submitted"}, ["王五", "张三", "周九", "李四"]),
    ({"sort": "newest"}, ["李四", "周九", "张三", "王五"]),
    ({"sort": "status"}, ["周九", "王五", "李四", "张三"]),  # materials requested, accepted (by due), reviewed
])
def test_each_filter_and_sort_for_a_station(cases, asked, expected):
    assert cases.names(p1, **asked) == expected


def test_a_county_approver_is_sent_what_waits_for_them_and_may_ask_for_all(cases):
    assert cases.names(a1, waiting=True) == ["张三"]  # sent up for approval: not what is still at the station
    assert cases.names(a1) == ["王五", "张三", "李四", "王小明", "周九"]  # all open cases of the city
    assert cases.names(a1, township=OTHER) == ["王小明"]
    assert cases.names(a1, township=TOWN, kind="settlement", sort="newest") == ["张三", "王五"]
    assert cases.names(a3, township=OTHER) == [] and cases.names(a3, waiting=True) == ["张三"]
    assert cases.page(a1, waiting=True).items[0].waiting_on == "county_approver"


@pytest.mark.parametrize("search, expected", [
    ("王", ["王五", "王小明"]),  # part of a name: contains
    ("小明", ["王小明"]),
    ("赵六", ["王五"]),  # a follower's name finds the case they are on
    ("王五 ", ["王五"]),
    ("100%", []),  # a wildcard is a character like any other
    ("_", []),
])
def test_a_search_by_name_finds_any_person_listed_on_the_case(cases, search, expected):
    page = cases.page(a1, search=search)
    assert [i.applicant_name for i in page.items] == expected and page.search_kind == "name"


def test_a_search_by_id_number_is_exact_and_finds_applicants_and_followers(cases):
    assert cases.names(a1, search=zhang.id_number) == ["张三"]
    assert cases.names(a1, search=ZHAO) == ["王五"]  # the spouse who moves with him
    spaced = f"{ZHAO[:6]} {ZHAO[6:14]} {ZHAO[14:]}"
    assert cases.names(a1, search=spaced.lower()) == ["王五"] and cases.page(a1, search=spaced).search_kind == "id_number"
    assert cases.names(a1, search=ZHAO[:17]) == []  # 17 characters: not an ID number, and no one's name
    assert cases.names(a1, search=stranger.id_number) == []


@pytest.mark.parametrize("typed", ["昌落2020-000003", " 昌落2020－000003 ", "昌落 2020 - 000003", "昌落2020—000003"])
def test_a_search_by_case_number_accepts_spaces_and_full_width_dashes(cases, typed):
    page = cases.page(a1, search=typed)
    assert page.search_kind == "number" and [i.applicant_name for i in page.items] == ["王小明"]


def test_a_search_covers_finished_cases_unless_a_status_is_asked_for(cases):
    assert cases.names(p1, search="孙八") == ["孙八"]  # withdrawn: found all the same
    assert cases.names(p1, search="孙八", status="open") == []
    assert cases.names(p1, search=cases.numbers["孙八"]) == ["孙八"]


def test_a_station_never_finds_another_townships_case(cases):
    for search in ("王小明", xiaoming.id_number, cases.numbers["王小明"]):
        assert cases.names(p1, search=search, status="all") == []
        assert cases.names(p2, search=search) == ["王小明"]
    for search in ("王五", ZHAO, cases.numbers["王五"]):
        assert cases.names(p2, search=search, status="all") == []
    assert cases.page(Viewer("p0", "police_station"), status="all").total == 0  # no township: nothing
    assert cases.page(Viewer("d", "department"), status="all").total == 0


def test_an_applicant_sees_only_their_own_cases_and_a_follower_only_what_a_follower_may(cases):
    assert cases.names(wang) == ["王五"] and cases.names(sun) == ["孙八"]  # finished ones too
    assert cases.page(stranger).total == 0 and cases.page(Viewer("nobody", "applicant")).total == 0
    row, = cases.page(zhao).items  # 赵六 follows 王五's case
    assert row.following and row.applicant_name == "王五" and row.kind == "settlement"
    assert (row.status, row.number, row.township, row.due, row.submitted_at, row.person_id, row.applicant_id_masked,
            row.days_left, row.overdue) == ("", "", None, None, None, None, "", None, False)
    assert row.next_actions == (C.CONSENT_RECORDED,)
    # where the followed case stands is not theirs to filter or search by
    for asked in ({"status": C.ACCEPTED}, {"overdue": True}, {"status": "open"}, {"search": "王五"},
                  {"township": TOWN}, {"waiting": True}):
        assert cases.page(zhao, **asked).total == 0, asked
    assert cases.names(zhao, kind="settlement") == ["王五"] and cases.names(zhao, status="all") == ["王五"]
    assert cases.names(wang, status=C.ACCEPTED, overdue=True) == ["王五"]  # their own case: yes
    assert cases.page(wang).overdue == 0  # an applicant's list counts no overdue cases


def test_pages_split_the_cases_and_keep_the_total(cases):
    first, second, third = (cases.page(a1, page=n, page_size=2) for n in (1, 2, 3))
    assert [p.total for p in (first, second, third)] == [5, 5, 5] and first.pages == 3
    assert [[i.applicant_name for i in p.items] for p in (first, second, third)] == [
        ["王五", "张三"], ["李四", "王小明"], ["周九"]]
    beyond = cases.page(a1, page=4, page_size=2)
    assert beyond.items == [] and beyond.total == 5 and beyond.page == 4
    assert len(cases.page(a1, page_size=100).items) == 5 and cases.page(a1, page_size=1).pages == 5
    empty = cases.page(a1, search="没有这个人")
    assert empty.total == 0 and empty.pages == 1 and empty.items == []


@pytest.mark.parametrize("asked, field", [
    ({"page_size": 101}, "page_size"), ({"page_size": 0}, "page_size"), ({"page": 0}, "page"),
    ({"kind": "marriage"}, "kind"), ({"status": "lost"}, "status"), ({"sort": "name"}, "sort"),
    ({"township": "6523"}, "township"), ({"search": "王" * 41}, "q"),
])
def test_a_query_the_queue_cannot_answer_names_what_is_wrong(cases, asked, field):
    with pytest.raises(InputError) as err:
        cases.page(p1, **asked)
    assert err.value.path == field


def test_the_read_is_logged_with_the_ids_shown(cases):
    from sqlalchemy import text

    page = cases.page(p1, kind="residence_permit")
    with cases.cw.engine.connect() as conn:
        what, subject, why = conn.execute(text("SELECT what, subject, why FROM audit_log ORDER BY seq DESC LIMIT 1")).one()
    assert (what, subject, why) == ("case.list", page.items[0].id, "casework")


def test_search_texts_are_read_as_id_numbers_case_numbers_or_names():
    assert search_terms(" 11010119850101001x ") == ("id_number", "11010119850101001X")
    assert search_terms("昌落 2026－000123") == ("number", "昌落2026-000123")
    assert search_terms("王 五") == ("name", "王 五") and search_terms("  ") == ("", "")
    assert search_terms("2026-000123") == ("name", "2026-000123")  # no series: not a case number


def test_days_left_count_working_days_for_a_settlement_and_days_for_a_permit():
    friday, monday = date(2020, 2, 28), date(2020, 3, 2)
    assert days_left("settlement", monday, friday) == (1, True)  # the weekend does not count
    assert days_left("residence_permit", monday, friday) == (3, False)
    assert days_left("settlement", friday, monday) == (-1, True) and days_left("settlement", monday, monday) == (0, True)
    # the National Day week of 2020 (1–8 October): the first working day after 30 September is 9 October
    assert days_left("student_move", date(2020, 10, 9), date(2020, 9, 30)) == (1, True)


KNOWN = [  # (viewer, query, applicants' names in order): the same answers on every database
    (p1, {}, ["王五", "张三", "李四", "周九"]),
    (p1, {"sort": "status"}, ["周九", "王五", "李四", "张三"]),
    (p1, {"sort": "newest", "kind": "settlement"}, ["张三", "王五"]),
    (p1, {"overdue": True}, ["王五"]),
    (p1, {"waiting": True}, ["王五", "李四"]),
    (p1, {"search": "孙八"}, ["孙八"]),
    (p2, {"search": "王五", "status": "all"}, []),
    (a1, {"waiting": True}, ["张三"]),
    (a1, {"search": "王"}, ["王五", "王小明"]),
    (a1, {"search": "赵六"}, ["王五"]),
    (a1, {"search": "100%"}, []),
    (a1, {"search": ZHAO.lower()}, ["王五"]),
    (a1, {"search": "昌落2020－000003"}, ["王小明"]),
    (a1, {"page": 2, "page_size": 2}, ["李四", "王小明"]),
    (zhao, {}, ["王五"]),
    (zhao, {"status": "open"}, []),
]


def test_known_answers_on_sqlite(cases):
    for viewer, asked, expected in KNOWN:
        assert cases.names(viewer, **asked) == expected, (viewer.username, asked)


def test_known_answers_on_postgres(postgres_url):
    cases = Cases(postgres_url)
    for viewer, asked, expected in KNOWN:
        assert cases.names(viewer, **asked) == expected, (viewer.username, asked)
    assert cases.page(a1, page_size=2).total == 5 and cases.page(p1).overdue == 1
    cases.cw.engine.dispose()

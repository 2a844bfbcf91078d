"""`hukou demo`: the synthetic Changji in SQLite, one demo user per role, a few cases at different
steps (one of them overdue), and the site served; and `hukou examples`: example people checked
against the policy, printed with their explanations.

The applicants' accounts are bound to persons: zhangsan and lisi are people of the synthetic
register; wangwu and his wife zhaoliu are migrants the register does not hold yet (made-up, valid ID
numbers), so the whole path can be walked: wangwu applies with zhaoliu, she consents under her own
account, the station and the county decide, and the registration creates them in the register. The
cases are made through the casework services, as the site makes them.

The demo database is built once (about half a minute for 607,441 residents) and reused after that; a
demo built by an earlier version (accounts not bound to persons) is built again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from importlib import resources
from pathlib import Path

import typer

from hukou.cases.errors import CaseError
from hukou.cli.common import say
from hukou.cli.render import render_verdict
from hukou.i18n import Msg
from hukou.policies import DEFAULT_POLICY, load, read_document
from hukou.policy.verdict import check

EXAMPLES_DATE = date(2019, 3, 1)
DEMO_DATABASE = Path(".demo") / "changji.sqlite"


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str
    township: str | None
    name: str
    city_wide: bool = False
    person: str | None = None  # an applicant: who the account is ("register:…" a person of the register, "new:…" not)
    department: str | None = None  # a department's account: which department's tasks it works (hukou.linkage)


DEMO_USERS = (
    DemoUser("zhangsan", "zhangsan-demo", "applicant", None, "", person="register:settlement"),
    DemoUser("lisi", "lisi-demo-pw", "applicant", None, "", person="register:residence_permit"),
    DemoUser("wangwu", "wangwu-demo", "applicant", None, "王五", person="new:62242519920418101"),
    DemoUser("zhaoliu", "zhaoliu-demo", "applicant", None, "赵六", person="new:62242519930520102"),
    DemoUser("paichusuo", "paichusuo-demo", "police_station", "652301001", "宁边路派出所"),
    DemoUser("gonganju", "gonganju-demo", "county_approver", None, "市公安局户政审批", city_wide=True),
    DemoUser("fuhe", "fuhe-demo-pw", "county_approver", None, "市公安局复核", city_wide=True),
    DemoUser("renshe", "renshe-demo-pw", "department", None, "人社局", department="renshe"),
    DemoUser("minzheng", "minzheng-demo", "department", None, "民政局", department="minzheng"),
    DemoUser("jiaoyu", "jiaoyu-demo", "department", None, "教育局", department="jiaoyu"),
    DemoUser("zhujian", "zhujian-demo", "department", None, "住建局", department="zhujian"),
    DemoUser("nongye", "nongye-demo", "department", None, "农业局", department="nongye"),
    DemoUser("weiji", "weiji-demo", "department", None, "卫计委", department="weiji"),
    DemoUser("renkou", "renkou-demo", "department", None, "公安局人口管理", department="gongan"),
    DemoUser("lingdao", "lingdao-demo", "leader", None, "市领导"),
    DemoUser("shenji", "shenji-demo-pw", "auditor", None, "审计"),
    DemoUser("admin", "admin-demo-pw", "administrator", None, "管理员"),
)
MADE_UP = frozenset(u.username for u in DEMO_USERS if u.person and u.person.startswith("new:"))


class OutdatedDemo(Exception):
    """A demo database built by an earlier version (accounts not bound to persons, cases of another form)."""


def run_examples(lang: str = "zh") -> None:
    policy = load(DEFAULT_POLICY)
    examples = sorted(p for p in resources.files("hukou.examples").iterdir() if p.name.endswith(".yaml"))
    for example in examples:
        text = example.read_text(encoding="utf-8")
        title = text.splitlines()[0].lstrip("# ")
        verdict = check(read_document(text, example.name), EXAMPLES_DATE, policy)
        typer.echo("=" * 72)
        typer.echo(f"{example.name}: {title}")
        typer.echo(render_verdict(verdict, lang))
    typer.echo("=" * 72)
    say(Msg("{count} example people checked against {policy} ({document}) on {date}.", count=len(examples),
            policy=policy.id, document=policy.document, date=EXAMPLES_DATE))
    say(Msg("Check your own: hukou check FILE --date YYYY-MM-DD --format text"))


def demo_state(engine) -> str:
    """"current" (built by this version), "old" (by an earlier one: rebuild it) or "new" (no demo in it)."""
    from sqlalchemy import inspect, text

    with engine.connect() as conn:  # one connection: SQLite's writers take turns (store/database.py)
        if "users" not in inspect(conn).get_table_names():
            return "new"
        names = set(conn.execute(text("SELECT username FROM users")).scalars())
        if not names & {u.username for u in DEMO_USERS}:
            return "new"
        if "id_number" not in {c["name"] for c in inspect(conn).get_columns("users")}:
            return "old"
        bound = set(conn.execute(text("SELECT username FROM users WHERE id_number IS NOT NULL")).scalars())
    return "current" if MADE_UP <= bound else "old"


def build(database: str, residents: int, seed: int = 2020) -> bool:
    """The demo city in `database`: register, users and cases. False when it was there already;
    OutdatedDemo when an earlier version built it."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
    from sqlalchemy import text

    from hukou.registry.synth import generate
    from hukou.store.database import connect, load_tables, migrate

    engine = connect(database)
    state = demo_state(engine)
    if state == "old":
        raise OutdatedDemo(database)
    if state == "current":
        migrate(engine)
        if not _has_user(engine, "jiaoyu"):  # a demo from before the department tasks: add them
            _create_users(engine, [], only_departments=True)
            _seed_registered(engine, _demo_people(engine, datetime.now().date(), ["settlement", "residence_permit"],
                                                  skip_with_cases=True))
        return False
    migrate(engine)
    with engine.connect() as conn:
        people = conn.execute(text("SELECT count(*) FROM people")).scalar_one()
    if not people:
        with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn()) as progress:
            task = progress.add_task("synthetic Changji: generating", total=2)
            tables = generate(residents, seed)
            progress.update(task, advance=1, description="synthetic Changji: writing to the database")
            load_tables(engine, tables, lambda name: progress.update(task, description=f"synthetic Changji: {name}"))
            progress.update(task, advance=1, description="synthetic Changji: done")
    today = datetime.now().date()
    people = _demo_people(engine, today, ["settlement", "residence_permit", "settlement", "settlement"])
    _create_users(engine, people[:2])
    _seed_cases(engine, people)
    _seed_registered(engine, _demo_people(engine, today, ["settlement", "residence_permit"], skip_with_cases=True))
    return True


def _has_user(engine, username: str) -> bool:
    from sqlalchemy import text

    with engine.connect() as conn:
        return conn.execute(text("SELECT 1 FROM users WHERE username = :u"), {"u": username}).first() is not None


def _made_up_id_number(engine, body: str) -> str:
    """A valid citizen ID number that the register does not hold: `body` (17 digits: place, birth date,
    sequence), its sequence stepped by two (the sex stays) until the number is free."""
    from sqlalchemy import text
    from stdnum.cn import ric

    with engine.connect() as conn:
        for step in range(0, 400, 2):
            head = body[:14] + f"{int(body[14:]) + step:03d}"
            number = head + ric.calc_check_digit(head + "0")
            if conn.execute(text("SELECT 1 FROM people WHERE id_number = :n"), {"n": number}).first() is None:
                return ric.validate(number)
    raise RuntimeError(f"no free ID number near {body}")


def _create_users(engine, people: list[tuple[int, str, str]], only_departments: bool = False) -> None:
    """Every demo account; zhangsan and lisi are people of the register, wangwu and zhaoliu are not."""
    from hukou.store.users import create_user

    of_register = iter(people)
    for u in DEMO_USERS:
        if only_departments and u.role != "department":
            continue
        name, number = u.name, None
        if u.person and u.person.startswith("register:"):
            _, number, name = next(of_register, (None, None, u.username))
        elif u.person:
            number = _made_up_id_number(engine, u.person.removeprefix("new:"))
        create_user(engine, u.username, u.password, u.role, u.township, name, city_wide=u.city_wide, id_number=number,
                    department=u.department)


def _demo_people(engine, today: date, wanted: list[str], skip_with_cases: bool = False) -> list[tuple[int, str, str]]:
    """(person_id, ID number, name) of people of the register whose hukou is outside the city, one
    for each wanted verdict: "settlement" (eligible to settle) or "residence_permit" (eligible for a
    permit, not to settle); with `skip_with_cases`, none who is a party to a case already."""
    from sqlalchemy import text as sql

    from hukou.store.database import person_facts

    policy = load(DEFAULT_POLICY)
    with engine.connect() as conn:
        candidates = conn.execute(sql(
            "SELECT p.person_id, p.id_number, p.name FROM people p JOIN (SELECT person_id FROM hukou GROUP BY person_id "
            "HAVING count(*) = 1 AND min(place) NOT LIKE '652301%') h ON h.person_id = p.person_id "
            "ORDER BY p.person_id LIMIT 2000")).all()
        if skip_with_cases:
            taken = set(conn.execute(sql("SELECT id_number FROM case_parties")).scalars())
            candidates = [c for c in candidates if c[1] not in taken]
    chosen: list[tuple[int, str, str]] = []
    for want in wanted:
        for pid, number, name in candidates:
            if pid in {c[0] for c in chosen}:
                continue
            verdict = check(person_facts(engine, pid, today), today, policy)
            settles = verdict["settlement"]["status"] == "eligible"
            permit = verdict["residence_permit"]["status"] == "eligible"
            if (want == "settlement" and settles) or (want == "residence_permit" and permit and not settles):
                chosen.append((pid, number, name))
                break
    return chosen


def _seed_cases(engine, people: list[tuple[int, str, str]]) -> None:
    """A few cases at different steps, made through the casework services with backdated times, so
    every role has something to see: zhangsan's settlement waits for the county's approval; lisi's
    permit is accepted, and lisi's settlement was approved against the rules' verdict and waits for a
    second approver; at the station's counter, one citizen's settlement is overdue and another's
    waits for acceptance. wangwu and zhaoliu have none: they apply in the demo."""
    from hukou.cases.viewer import Viewer
    from hukou.services.casework import Application, Casework
    from hukou.store.users import authenticate

    def viewer_of(username: str) -> Viewer:
        user = next(u for u in DEMO_USERS if u.username == username)
        return authenticate(engine, user.username, user.password)

    casework = Casework(engine, load(DEFAULT_POLICY))
    now = datetime.now().replace(microsecond=0)
    station = viewer_of("paichusuo")
    approver = viewer_of("gonganju")
    zhangsan, lisi = viewer_of("zhangsan"), viewer_of("lisi")
    accept, review = (station, "accepted", {}), (station, "reviewed", {})
    approve_anyway = (approver, "approved", {"reason": "演示：经实地核查，居住和就业情况属实，材料齐全，同意落户"})

    def counter(person: tuple[int, str, str]) -> dict:
        return {"id_number": person[1], "name": person[2]}

    def attested(person: tuple[int, str, str]) -> dict:
        return {"party": "applicant", "id_number": person[1], "in_person": True, "signed": True, "id_card_checked": True}

    plans: list[tuple[Viewer, Application, int, list]] = [  # (who applies, what, days ago, steps after it)
        (zhangsan, Application("settlement", "652301001", consent={}), 9, [accept, review]),
        (lisi, Application("residence_permit", "652301001"), 6, [accept]),
        (lisi, Application("settlement", "652301001", consent={}), 20, [accept, review, approve_anyway]),
    ]
    if len(people) > 3:  # a tiny register may lack them
        plans += [(station, Application("settlement", applicant=counter(people[2]), consent=attested(people[2])), 45,
                   [accept]),
                  (station, Application("settlement", applicant=counter(people[3]), consent=attested(people[3])), 2, [])]
    for n, (who, application, days, steps) in enumerate(plans):
        at = now - timedelta(days=days)
        try:
            case, _ = casework.submit(who, application, f"demo-{n}", at)
            for i, (by, type_, data) in enumerate(steps, start=1):
                case = casework.act(by, case.id, type_, data, case.version, at + timedelta(hours=i)).case
        except CaseError as exc:  # a tiny register may not have a person who fits: the demo goes on without
            say(Msg("demo case {n} not made: {reason}", n=n, reason=exc.message), err=True)


def _seed_registered(engine, people: list[tuple[int, str, str]]) -> None:
    """Decided cases whose tasks the departments' demo accounts work: at the station's counter, a
    citizen settles with a made-up school-age son (the education bureau's task, and the others'), and
    another citizen's residence permit is issued (public security's task)."""
    from hukou.cases.viewer import Viewer
    from hukou.services.casework import Application, Casework
    from hukou.store.users import authenticate

    def viewer_of(username: str) -> Viewer:
        user = next(u for u in DEMO_USERS if u.username == username)
        return authenticate(engine, user.username, user.password)

    if len(people) < 2:  # a tiny register may lack them
        return
    casework = Casework(engine, load(DEFAULT_POLICY))
    station, approver = viewer_of("paichusuo"), viewer_of("gonganju")
    at = datetime.now().replace(microsecond=0) - timedelta(days=16)
    settler, holder = people
    son = {"relation": "child", "id_number": _made_up_id_number(engine, "65230120160901103"), "name": settler[2][:1] + "小明"}
    consent = {"party": "applicant", "id_number": settler[1], "in_person": True, "signed": True, "id_card_checked": True}
    place = next((code for code, _, urban in casework.places("652301001") if urban), None)
    plans = [(Application("settlement", "652301001", applicant={"id_number": settler[1], "name": settler[2]},
                          followers=(son,), consent=consent), [("registered", {"place": place})]),
             (Application("residence_permit", "652301001", applicant={"id_number": holder[1], "name": holder[2]}),
              [("issued", {})])]
    for n, (application, last) in enumerate(plans):
        try:
            case, _ = casework.submit(station, application, f"demo-linkage-{n}", at)
            steps = [(station, "accepted", {}), (station, "reviewed", {}), (approver, "approved", {})]
            for i, (by, type_, data) in enumerate(steps + [(station, *s) for s in last], start=1):
                case = casework.act(by, case.id, type_, data, case.version, at + timedelta(hours=i)).case
        except CaseError as exc:
            say(Msg("demo case {n} not made: {reason}", n=f"linkage-{n}", reason=exc.message), err=True)


def print_logins(url: str, database: str) -> None:
    from rich.console import Console
    from rich.table import Table
    from sqlalchemy import text

    from hukou.store.database import connect

    with connect(database).connect() as conn:
        rows = {r.username: r for r in conn.execute(text("SELECT username, display_name, id_number, township, city_wide "
                                                         "FROM users"))}
    table = Table(title=f"hukou demo · {url}")
    for column in ("username", "password", "role", "name", "who or where"):
        table.add_column(column)
    for u in DEMO_USERS:
        row = rows.get(u.username)
        if row is None:
            continue
        if row.id_number:
            where = "in the register" if u.person.startswith("register:") else "not in the register"
        elif u.department:
            where = f"department {u.department}"
        else:
            where = row.township or ("city-wide" if row.city_wide else "")
        table.add_row(u.username, u.password, u.role, row.display_name, where)
    Console().print(table)


def run_demo(database: str | None, host: str, port: int, residents: int, serve: bool = True) -> None:
    default = database is None
    if default:
        DEMO_DATABASE.parent.mkdir(exist_ok=True)
        database = f"sqlite:///{DEMO_DATABASE}"
    started = time.perf_counter()
    try:
        built = build(database, residents)
    except OutdatedDemo:
        if not default:
            raise typer.BadParameter(f"{database} holds a demo built by an earlier version of hukou (its accounts are "
                                     "not bound to persons): delete it, or give another --database, and run again",
                                     param_hint="--database") from None
        say(Msg("{path} was built by an earlier version of hukou: building it again", path=str(DEMO_DATABASE)))
        for leftover in DEMO_DATABASE.parent.glob(DEMO_DATABASE.name + "*"):  # the database and its -wal, -shm
            leftover.unlink()
        built = build(database, residents)
    seconds = time.perf_counter() - started
    say(Msg("built the demo city in {database} ({seconds:.1f} s)", database=database, seconds=seconds) if built else
        Msg("reusing the demo city in {database} ({seconds:.1f} s)", database=database, seconds=seconds))
    url = f"http://{host}:{port}"
    print_logins(url, database)
    say(Msg("Open {url}/ (site), {url}/docs (API). Ctrl-C stops the server.", url=url))
    if serve:
        from hukou.api import serving

        serving.run(host, port, DEFAULT_POLICY, database)

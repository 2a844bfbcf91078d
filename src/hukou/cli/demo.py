"""`hukou demo`: the synthetic Changji in SQLite, one demo user per role, a few cases at different
steps (one of them overdue), and the site served; and `hukou examples`: example people checked
against the policy, printed with their explanations.

The demo database is built once (about half a minute for 607,441 residents) and reused after that.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from importlib import resources
from pathlib import Path

import typer

from hukou.cli.render import render_verdict
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


DEMO_USERS = (
    DemoUser("zhangsan", "zhangsan-demo", "applicant", None, "张三（申请人）"),
    DemoUser("lisi", "lisi-demo-pw", "applicant", None, "李四（申请人）"),
    DemoUser("paichusuo", "paichusuo-demo", "police_station", "652301001", "宁边路派出所"),
    DemoUser("gonganju", "gonganju-demo", "county_approver", None, "市公安局户政审批"),
    DemoUser("fuhe", "fuhe-demo-pw", "county_approver", None, "市公安局复核"),
    DemoUser("renshe", "renshe-demo-pw", "department", None, "人社局"),
    DemoUser("lingdao", "lingdao-demo", "leader", None, "市领导"),
    DemoUser("shenji", "shenji-demo-pw", "auditor", None, "审计"),
    DemoUser("admin", "admin-demo-pw", "administrator", None, "管理员"),
)


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
    typer.echo(f"{len(examples)} example people checked against {policy.id} ({policy.document}) on {EXAMPLES_DATE}.")
    typer.echo("Check your own: hukou check FILE --date YYYY-MM-DD --format text")


def build(database: str, residents: int, seed: int = 2020) -> bool:
    """The demo city in `database`: register, users and cases. False when it was there already."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from hukou.registry.synth import generate
    from hukou.store.case_store import CaseStore
    from hukou.store.database import connect, load_tables, migrate
    from hukou.store.users import create_user

    engine = connect(database)
    migrate(engine)
    store = CaseStore(engine)
    with engine.connect() as conn:
        from sqlalchemy import text

        people = conn.execute(text("SELECT count(*) FROM people")).scalar_one()
    if people and store.count():
        return False
    if not people:
        with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn()) as progress:
            task = progress.add_task("synthetic Changji: generating", total=2)
            tables = generate(residents, seed)
            progress.update(task, advance=1, description="synthetic Changji: writing to the database")
            load_tables(engine, tables, lambda name: progress.update(task, description=f"synthetic Changji: {name}"))
            progress.update(task, advance=1, description="synthetic Changji: done")
    for u in DEMO_USERS:
        create_user(engine, u.username, u.password, u.role, u.township, u.name)
    _seed_cases(store)
    return True


def _demo_people(engine, today: date, wanted: list[str]) -> list[int]:
    """People of the register whose hukou is outside the city, one for each wanted verdict:
    "settlement" (eligible to settle) or "residence_permit" (eligible for a permit, not to settle)."""
    from sqlalchemy import text as sql

    from hukou.store.database import person_facts

    policy = load(DEFAULT_POLICY)
    with engine.connect() as conn:
        candidates = conn.execute(sql("SELECT person_id FROM hukou GROUP BY person_id HAVING count(*) = 1 "
                                      "AND min(place) NOT LIKE '652301%' ORDER BY person_id LIMIT 2000")).scalars().all()
    chosen: list[int] = []
    for want in wanted:
        for pid in candidates:
            if pid in chosen:
                continue
            verdict = check(person_facts(engine, pid, today), today, policy)
            settles = verdict["settlement"]["status"] == "eligible"
            permit = verdict["residence_permit"]["status"] == "eligible"
            if (want == "settlement" and settles) or (want == "residence_permit" and permit and not settles):
                chosen.append(pid)
                break
    return chosen


def _seed_cases(store) -> None:
    """A few cases of people of the register at different steps, so every role has something to see:
    one waits for acceptance, one is overdue, one waits for the county's approval, two are permits.
    Their facts are the register's (the case names the person)."""
    from hukou.cases import case as C

    now = datetime.now().replace(microsecond=0)
    accept = (C.ACCEPTED, "paichusuo", "police_station")
    review = (C.REVIEWED, "paichusuo", "police_station")
    plans = [  # (applicant, kind, township, days ago, steps after submission)
        ("zhangsan", "settlement", "652301001", 2, []),
        ("lisi", "settlement", "652301001", 45, [accept]),
        ("lisi", "residence_permit", "652301001", 6, [accept]),
        ("zhangsan", "settlement", "652301001", 9, [accept, review]),
        ("zhangsan", "residence_permit", "652301003", 1, []),
    ]
    people = _demo_people(store.engine, now.date(), [kind for _, kind, *_ in plans])
    for n, ((who, kind, township, days, steps), person) in enumerate(zip(plans, people, strict=False)):  # a tiny register may lack some
        at = now - timedelta(days=days)
        data = {"adult_followers": [], "person_id": person}
        case, _ = store.submit(kind, C.Action(C.SUBMITTED, at, who, "applicant", data), f"demo-{n}", person, township)
        if kind != "residence_permit":
            case = store.act(case.id, C.Action(C.CONSENT_RECORDED, at, who, "applicant", {"who": "applicant"}),
                             case.version)
        for i, (type_, by, role) in enumerate(steps):
            case = store.act(case.id, C.Action(type_, at + timedelta(hours=i + 1), by, role, {}), case.version)


def print_logins(url: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"hukou demo · {url}")
    for column in ("username", "password", "role", "name"):
        table.add_column(column)
    for u in DEMO_USERS:
        table.add_row(u.username, u.password, u.role, u.name)
    Console().print(table)


def run_demo(database: str | None, host: str, port: int, residents: int, serve: bool = True) -> None:
    if database is None:
        DEMO_DATABASE.parent.mkdir(exist_ok=True)
        database = f"sqlite:///{DEMO_DATABASE}"
    started = time.perf_counter()
    built = build(database, residents)
    typer.echo(f"{'built' if built else 'reusing'} the demo city in {database} ({time.perf_counter() - started:.1f} s)")
    url = f"http://{host}:{port}"
    print_logins(url)
    typer.echo(f"Open {url}/ (site), {url}/docs (API). Ctrl-C stops the server.")
    if serve:
        from hukou.api import serving

        serving.run(host, port, DEFAULT_POLICY, database)

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


def _example_facts(name: str) -> dict:
    text = resources.files("hukou.examples").joinpath(name).read_text(encoding="utf-8")
    return read_document(text, name)


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


def _seed_cases(store) -> None:
    """A few cases at different steps, so every role has something to see; one is overdue."""
    from hukou.cases import case as C

    now = datetime.now().replace(microsecond=0)
    worker, graduate, student = (_example_facts(n) for n in ("1-renting-migrant-worker.yaml",
                                                              "2-returned-overseas-graduate.yaml",
                                                              "3-college-student.yaml"))
    plans = [  # (applicant, kind, facts, township, days ago, steps after submission)
        ("zhangsan", "settlement", worker, "652301001", 2, []),
        ("lisi", "settlement", graduate, "652301001", 45, [(C.ACCEPTED, "paichusuo", "police_station", {})]),
        ("lisi", "residence_permit", student, "652301001", 6, [(C.ACCEPTED, "paichusuo", "police_station", {})]),
        ("zhangsan", "residence_permit", worker, "652301003", 1, []),
    ]
    for n, (who, kind, facts, township, days, steps) in enumerate(plans):
        at = now - timedelta(days=days)
        data = {"facts": facts, "adult_followers": ["配偶"] if facts.get("family", {}).get("spouse") else [],
                "person_id": None}
        case, _ = store.submit(kind, C.Action(C.SUBMITTED, at, who, "applicant", data), f"demo-{n}", None, township)
        if kind != "residence_permit":
            case = store.act(case.id, C.Action(C.CONSENT_RECORDED, at, who, "applicant", {"who": "applicant"}),
                             case.version)
        for i, (type_, by, role, extra) in enumerate(steps):
            case = store.act(case.id, C.Action(type_, at + timedelta(hours=i + 1), by, role, extra), case.version)


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
        import uvicorn

        from hukou.api.app import create_app

        uvicorn.run(create_app(DEFAULT_POLICY, database), host=host, port=port, log_level="warning")

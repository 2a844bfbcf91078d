"""`hukou simulate`, `hukou synth` and `hukou register …`: the rules over a whole register.

Every command finds the register by one rule (`common.register_location`): `--register FOLDER` or
`--database URL`, else HUKOU_DATABASE_URL, else sqlite:///hukou.sqlite."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Optional

import typer

from hukou.cli.common import (DATABASE_HELP, REGISTER_HELP, Location, guard, read_document, register_database,
                              register_location, say)
from hukou.i18n import Msg, lang_of_environment, localized

register_app = typer.Typer(help="The population register: facts of one person, import and export.", no_args_is_help=True)
PURPOSE_HELP = "Why you read personal data (logged in the audit log with the read)."


def _date(value: str):
    from hukou.policy.errors import InputError
    from hukou.policy.facts import parse_date

    try:
        return parse_date(value)
    except ValueError as exc:
        raise InputError("--date", exc.args[0] if exc.args else str(exc)) from None


def simulate(
    date_: str = typer.Option(..., "--date", help="Evaluation date YYYY-MM-DD."),
    register: Optional[str] = typer.Option(None, "--register", help=f"{REGISTER_HELP} With --engine spark also hdfs://… or s3a://…."),
    database: Optional[str] = typer.Option(None, "--database", help=DATABASE_HELP),
    engine: str = typer.Option("native", "--engine", help="native (compiled loops in memory, every core), duckdb (SQL), or spark: the same rules on Spark over a Parquet register (docs/scale.md)."),
    policy: str = typer.Option("changji-2018", "--policy", help="Shipped policy name or policy file path."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write one row per person to this Parquet file."),
    reform: Optional[Path] = typer.Option(None, "--reform", help="Reform file: parameter overrides to compare."),
    changed_out: Optional[Path] = typer.Option(None, "--changed-out", help="With --reform: write the people whose verdict changes (Parquet)."),
) -> None:
    """Evaluate every person in the register at a date; with --reform, set a reform beside the baseline."""

    def body():
        import pyarrow.parquet as pq
        from rich.console import Console

        from hukou.policies import load
        from hukou.policy.reform import apply_reform
        from hukou.store.simulation import compare, simulate as run, simulate_on_spark_to, summary_of, write_verdicts

        console, lang = Console(), lang_of_environment()
        d = _date(date_)
        source = _readable(register_location(register, database))
        baseline_policy = load(policy)
        if reform is not None:  # a bad reform file is reported before the long run, not after it
            reform_doc = read_document(reform)
            reformed_policy = apply_reform(baseline_policy, reform_doc, str(reform))
        started = time.perf_counter()
        if engine == "spark" and out is not None and reform is None:
            # written by Spark's executors: the verdicts never pass through this process
            with console.status(localized(Msg("evaluating the register at {date} on Spark …", date=d), lang)):
                rows = simulate_on_spark_to(source, d, baseline_policy, out)
            console.print(localized(Msg("{people:,} people evaluated in {seconds:.1f} s", people=sum(r["people"] for r in rows),
                                        seconds=time.perf_counter() - started), lang))
            console.print(localized(Msg("wrote {path} (a folder of Parquet part files)", path=str(out)), lang))
            _print_summary(console, rows)
            return
        with console.status(localized(Msg("evaluating the register at {date} …", date=d), lang)):
            baseline = run(source, d, baseline_policy, engine)
        console.print(localized(Msg("{people:,} people evaluated in {seconds:.1f} s", people=baseline.num_rows,
                                    seconds=time.perf_counter() - started), lang))
        if out is not None:
            write_verdicts(baseline, out)
            console.print(localized(Msg("wrote {path}", path=str(out)), lang))
        if reform is None:
            _print_summary(console, summary_of(baseline))
            return
        with console.status(localized(Msg("evaluating the reform …"), lang)):
            reformed = run(source, d, reformed_policy, engine)
        result = compare(baseline, reformed)
        _print_comparison(console, result, str(reform_doc.get("title") or reform))
        if changed_out is not None:
            pq.write_table(result.changed, changed_out)
            console.print(localized(Msg("wrote {path}", path=str(changed_out)), lang))

    guard(body)


def _print_summary(console, rows: list[dict]) -> None:
    """The rows of `columnar.summary`."""
    from rich.table import Table

    table = Table(title="落户 Settlement × 居住证 Residence permit")
    for col in ("settlement", "route", "people", "permit eligible"):
        table.add_column(col, justify="right" if col in ("people", "permit eligible") else "left")
    for r in rows:
        table.add_row(r["settlement"], r["route"], f"{r['people']:,}", f"{r['permit_eligible']:,}")
    console.print(table)


def _print_comparison(console, result, title: str) -> None:
    from rich.table import Table

    from hukou.registry.divisions import township_names

    names = township_names()
    t = Table(title=f"按乡镇 By township — eligible for settlement: baseline vs {title}")
    for col in ("township", "people", "baseline", "reform", "change"):
        t.add_column(col, justify="left" if col == "township" else "right")
    for code, people, base, new in result.by_township:
        t.add_row(f"{names[code]} {code}" if code in names else code, f"{people:,}", f"{base:,}", f"{new:,}", f"{new - base:+,}")
    console.print(t)
    console.print(_side_by_side("按落户方式 By route (everyone; — is not eligible)", "route", result.by_route))
    console.print(_side_by_side("按重点群体 By key group — eligible", "key group", result.by_key_group))
    console.print(localized(Msg("{changed:,} of {people:,} people change verdict", changed=result.changed.num_rows,
                                people=result.people), lang_of_environment()))
    for row in result.changed.slice(0, 10).to_pylist():
        console.print(f"  person {row['person_id']}: {row['settlement_before']}/{row['route_before'] or '—'} → "
                      f"{row['settlement_after']}/{row['route_after'] or '—'} ({row['failed_rule_after'] or ''})")


def _readable(location: Location) -> str:
    """The register's folder, or its database's URL once the database is seen to hold the register."""
    if location.folder is not None:
        return location.folder
    register_database(location)
    return location.url


def person_facts(person: int, d, location: Location, purpose: str | None) -> dict:
    """One person's facts at d, from a Parquet register folder or from the register's database; the
    read is logged with its purpose where the register is."""
    from hukou.services import register_reads

    if location.folder is not None:
        return register_reads.person_facts(person, d, purpose, folder=location.folder)
    return register_reads.person_facts(person, d, purpose, engine=register_database(location))


def _side_by_side(title: str, label: str, rows):
    from rich.table import Table

    table = Table(title=title)
    for col in (label, "baseline", "reform", "change"):
        table.add_column(col, justify="left" if col == label else "right")
    for name, base, new in rows:
        table.add_row(name, f"{base:,}", f"{new:,}", f"{new - base:+,}")
    return table


@register_app.command("facts")
def register_facts(
    person: int = typer.Option(..., "--person", help="Person id in the register."),
    date_: str = typer.Option(..., "--date", help="Date YYYY-MM-DD."),
    register: Optional[Path] = typer.Option(None, "--register", help=REGISTER_HELP),
    database: Optional[str] = typer.Option(None, "--database", help=DATABASE_HELP),
    purpose: Optional[str] = typer.Option(None, "--purpose", help=PURPOSE_HELP),
) -> None:
    """Print one person's RULEBOOK §2 facts at a date, as JSON (feed it to `hukou check -`); the read is logged."""

    def body():
        facts = person_facts(person, _date(date_), register_location(register, database), purpose)
        typer.echo(json.dumps(facts, ensure_ascii=False, indent=2))

    guard(body)


@register_app.command("init")
def register_init(database: Optional[str] = typer.Option(None, "--database", help=DATABASE_HELP)) -> None:
    """Create or upgrade the register's database schema (Alembic migrations)."""

    def body():
        from hukou.store.database import connect, migrate

        location = register_location(None, database)
        migrate(connect(location.url))
        say(Msg("register schema is up to date at {location}", location=str(location)))

    guard(body)


def synth(
    residents: int = typer.Option(607_441, "--residents", help="How many residents (the 2020 census: 607,441)."),
    seed: int = typer.Option(2020, "--seed", help="Random seed: the same seed gives the same city."),
    register: Optional[Path] = typer.Option(None, "--register", help=REGISTER_HELP),
    database: Optional[str] = typer.Option(None, "--database", help=DATABASE_HELP),
    out: Optional[str] = typer.Option(None, "--out", help="The older spelling of --register FOLDER or --database URL "
                                                          "(a folder, or a URL with ://)."),
) -> None:
    """Generate a synthetic Changji calibrated to the 2020 census, and write it as a register."""

    def body():
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        from hukou.policy.errors import InputError
        from hukou.registry.synth import generate, summary
        from hukou.store.parquet_register import write_register

        if residents < 1:
            raise InputError("--residents", Msg("expected a positive number (got {got})", got=residents))
        location = register_location(*_out_as_location(out, register, database))
        engine = _migrated(location) if location.url is not None else None  # a bad URL fails before generating
        steps = ["people", "hukou", "residence", "education", "work", "housing", "family", "households", "three rights"]
        started = time.perf_counter()
        with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn()) as progress:
            task = progress.add_task("generating", total=len(steps) + 1)

            def step(label: str) -> None:
                progress.update(task, description=f"generating: {label}", advance=1 if label != "people" else 0)

            tables = generate(residents, seed, step)
            progress.update(task, description=f"writing {location}", advance=1)
            if engine is not None:
                from hukou.store.database import load_tables

                load_tables(engine, tables, lambda name: progress.update(task, description=f"writing {name}"))
            else:
                write_register(tables, location.folder)
            progress.update(task, description="done", completed=len(steps) + 1)
        s = summary(tables)
        say(Msg("{residents:,} residents (seed {seed}) written to {location} in {seconds:.1f} s: {urban:.2%} living in "
                "urban places, hukou urbanization {hukou:.2%} on the census day", residents=residents, seed=seed,
                location=str(location), seconds=time.perf_counter() - started, urban=s["urban_share"],
                hukou=s["hukou_urbanization"]))

    guard(body)


def _out_as_location(out: Optional[str], register: Optional[Path], database: Optional[str]):
    """synth's older `--out FOLDER|URL`, as (register, database)."""
    from hukou.policy.errors import InputError

    if out is None:
        return register, database
    if register is not None or database is not None:
        raise InputError("--out", Msg("give --register FOLDER or --database URL (--out is their older spelling), not both"))
    return (None, out) if "://" in out else (out, None)


def _migrated(location: Location):
    """The location's database, its schema brought up to date."""
    from hukou.store.database import connect, migrate

    engine = connect(location.url)
    migrate(engine)
    return engine


def _check_format(fmt: str) -> None:
    from hukou.policy.errors import InputError

    if fmt not in ("csv", "parquet"):
        raise InputError("--format", Msg("expected csv or parquet (got {got!r})", got=fmt))


@register_app.command("import")
def register_import(
    folder: Path = typer.Argument(..., help="Folder with one file per table (people.csv, hukou.csv, …)."),
    fmt: str = typer.Option("csv", "--format", help="csv or parquet."),
    database: Optional[str] = typer.Option(None, "--database", help=DATABASE_HELP),
) -> None:
    """Import a register: every row is checked first; with any problem nothing is written."""

    def body():
        from hukou.policy.errors import InputError
        from hukou.registry.imports import MAX_PROBLEMS, read_register
        from hukou.store.database import load_tables

        _check_format(fmt)
        if not folder.is_dir():
            raise InputError("FOLDER", Msg("no folder at {path}", path=str(folder)))
        tables, problems = read_register(folder, fmt)
        if problems:
            lang = lang_of_environment()
            for p in problems:
                typer.echo(p.text(lang), err=True)
            counted = (Msg("error: {count} problem(s) (stopped counting); nothing was imported", count=len(problems))
                       if len(problems) >= MAX_PROBLEMS else
                       Msg("error: {count} problem(s); nothing was imported", count=len(problems)))
            say(counted, err=True)
            raise typer.Exit(2)
        location = register_location(None, database)
        load_tables(_migrated(location), tables)
        counts = ", ".join(f"{t.num_rows:,} {name}" for name, t in tables.items() if name != "identity")
        say(Msg("imported into {location} in one transaction: {counts}", location=str(location), counts=counts))

    guard(body)


@register_app.command("export")
def register_export(
    out: Path = typer.Option(..., "--out", help="Folder to write, one file per table."),
    fmt: str = typer.Option("csv", "--format", help="csv or parquet."),
    database: Optional[str] = typer.Option(None, "--database", help=DATABASE_HELP),
    purpose: Optional[str] = typer.Option(None, "--purpose", help=PURPOSE_HELP),
) -> None:
    """Export the register's tables (the same layout `register import` reads; names and ID numbers
    included), the export logged with its purpose."""

    def body():
        from hukou.registry.fact_tables import TABLES
        from hukou.services.register_reads import export_tables
        from hukou.store.parquet_register import write_files

        _check_format(fmt)
        engine = register_database(register_location(None, database))
        tables = export_tables(engine, TABLES, purpose)
        write_files(tables, out, fmt)
        say(Msg("exported {people:,} people and their records to {path}/ ({format})", people=tables["people"].num_rows,
                path=str(out), format=fmt))

    guard(body)


@register_app.command("add-user")
def add_user(
    username: str = typer.Argument(...),
    role: str = typer.Option(..., "--role", help="applicant, police_station, county_approver, department, leader, "
                                                 "auditor or administrator."),
    township: Optional[str] = typer.Option(None, "--township", help="An officer's township (9 digits): a police "
                                                                    "station's, or a county approver's."),
    city_wide: bool = typer.Option(False, "--city-wide", help="A county approver's grant of the whole city "
                                                              "(instead of a township)."),
    id_number: Optional[str] = typer.Option(None, "--id-number", help="An applicant: the citizen ID number of the "
                                                                      "person the account is (after the real-name check)."),
    name: Optional[str] = typer.Option(None, "--name", help="The name shown (an applicant: as on the ID card)."),
    department: Optional[str] = typer.Option(None, "--department", help="A department's account: which department "
                                                                        "it works for (a code of the policy's "
                                                                        "departments, e.g. jiaoyu)."),
    database: Optional[str] = typer.Option(None, "--database", help=DATABASE_HELP),
) -> None:
    """Create or update a user; the password is read from standard input. Officers need a township,
    or (county approvers) an explicit --city-wide grant; a department's account names its department:
    this command is the administrator's."""

    def body():
        import sys
        from datetime import datetime

        from sqlalchemy.orm import Session

        from hukou.services.register_reads import reader
        from hukou.store.audit_log import append_entry
        from hukou.store.database import connect, migrate
        from hukou.store.users import create_user

        from hukou.policies import DEFAULT_POLICY, load
        from hukou.policy.errors import InputError

        known = load(DEFAULT_POLICY).departments
        if department is not None and department not in known:
            raise InputError("department", Msg("expected one of the departments: {known} (got {got!r})",
                                               known=", ".join(known) or "none", got=department))
        password = sys.stdin.readline().rstrip("\n")
        engine = connect(register_location(None, database).url)
        migrate(engine)
        create_user(engine, username, password, role, township, name, city_wide=city_wide, id_number=id_number,
                    department=department)
        grant = "city-wide" if city_wide else township or department or ""
        with Session(engine) as session, session.begin():
            append_entry(session, datetime.now(), reader(), "user.saved", username, f"{role} {grant}".strip())
        if city_wide:
            say(Msg("user {username} ({role}, city-wide) saved", username=username, role=role))
        elif township:
            say(Msg("user {username} ({role}, {township}) saved", username=username, role=role, township=township))
        else:
            say(Msg("user {username} ({role}) saved", username=username, role=role))

    guard(body)

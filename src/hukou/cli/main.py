"""The `hukou` command: check a person, test and lint policies, show a policy beside its law.

Heavy modules are imported inside each command so that `hukou check` starts fast. Input errors
print one line naming the field and exit with status 2; lint and test failures exit with 1.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import List, Optional

import typer

app = typer.Typer(help="hukou: settlement (落户) and residence-permit (居住证) rules as code.",
                  no_args_is_help=True, pretty_exceptions_enable=False, add_completion=False)
policy_app = typer.Typer(help="Policy files: test cases, lint, show beside the law.", no_args_is_help=True)
app.add_typer(policy_app, name="policy")

from hukou.cli.common import DATABASE_HELP, REGISTER_HELP  # noqa: E402
from hukou.cli.common import fail as _fail, guard as _guard, read_document as _read_document, say  # noqa: E402
from hukou.i18n import Msg, lang_of_environment, localized  # noqa: E402
from hukou.cli.audit_cmds import audit_app  # noqa: E402
from hukou.cli.notify_cmds import notify_app  # noqa: E402
from hukou.cli.register_cmds import PURPOSE_HELP, register_app, simulate, synth  # noqa: E402

app.add_typer(register_app, name="register")
app.add_typer(audit_app, name="audit")
app.add_typer(notify_app, name="notify")
app.command("simulate")(simulate)
app.command("synth")(synth)


@app.command()
def check(
    file: Optional[Path] = typer.Argument(None, help="Facts about one person (RULEBOOK §2), YAML or JSON; - for stdin."),
    person: Optional[int] = typer.Option(None, "--person", help="Check a person of the register instead of a file."),
    database: Optional[str] = typer.Option(None, "--database", help=f"{DATABASE_HELP} Only with --person."),
    register: Optional[Path] = typer.Option(None, "--register", help=f"{REGISTER_HELP} Only with --person."),
    purpose: Optional[str] = typer.Option(None, "--purpose", help=f"{PURPOSE_HELP} Needed with --person."),
    date_: Optional[str] = typer.Option(None, "--date", help="Evaluation date YYYY-MM-DD (default: today)."),
    policy: str = typer.Option("changji-2018", "--policy", help="Shipped policy name or policy file path."),
    lang: str = typer.Option("zh", "--lang", help="zh or en (text format)."),
    format_: str = typer.Option("json", "--format", help="json or text."),
) -> None:
    """Check one person: settlement and residence-permit verdicts with their reasons."""
    if lang not in ("zh", "en"):
        _fail(Msg("--lang: expected zh or en (got {got!r})", got=lang))
    if format_ not in ("json", "text"):
        _fail(Msg("--format: expected json or text (got {got!r})", got=format_))

    def body():
        from datetime import date

        from hukou.policies import load, read_document
        from hukou.policy.errors import InputError
        from hukou.policy.facts import parse_date
        from hukou.policy.verdict import check as check_facts

        try:
            d = parse_date(date_) if date_ else date.today()
        except ValueError as exc:
            raise InputError("--date", exc.args[0] if exc.args else str(exc)) from None
        if (file is None) == (person is None):
            raise InputError("FILE", Msg("give a facts file, or --person ID for a person of the register"))
        if file is not None and (register, database) != (None, None):
            raise InputError("--register" if register is not None else "--database",
                             Msg("only with --person (a facts file is read as it is)"))
        if person is not None:
            from hukou.cli.common import register_location
            from hukou.cli.register_cmds import person_facts

            data = person_facts(person, d, register_location(register, database), purpose)
        else:
            data = read_document(sys.stdin.read(), "<stdin>") if str(file) == "-" else _read_document(file)
        try:
            verdict = check_facts(data, d, load(policy))
        except InputError as exc:
            if exc.source is None and exc.path not in ("date", "policy") and file is not None:
                exc = InputError(exc.path, exc.message, str(file))
            raise exc from None
        if format_ == "json":
            typer.echo(json.dumps(verdict, ensure_ascii=False, indent=2))
        else:
            from hukou.cli.render import render_verdict

            typer.echo(render_verdict(verdict, lang))

    _guard(body)


@policy_app.command("test")
def policy_test(paths: List[Path] = typer.Argument(..., help="Case files or folders of *.yaml case files.")) -> None:
    """Run case files; ends with `N passed, M failed`."""

    def body():
        from hukou.policies import load
        from hukou.policy.casefile import run_cases
        from hukou.policy.errors import InputError

        files: list[Path] = []
        for p in paths:
            if p.is_dir():
                files += sorted(x for x in p.rglob("*") if x.suffix in (".yaml", ".yml", ".json"))
            else:
                files.append(p)
        passed = failed = 0
        for f in files:
            cases = _read_document(f)
            try:
                results = run_cases(cases, lambda name, here=f.parent: load(_policy_near(name, here)))
            except InputError as exc:
                raise InputError(exc.path, exc.message, str(f)) from None
            for r in results:
                if r.passed:
                    passed += 1
                else:
                    failed += 1
                    say(Msg("FAIL {file}: {case}", file=str(f), case=r.name))
                    for line in r.failures:
                        typer.echo(f"     {line}")
        say(Msg("{passed} passed, {failed} failed", passed=passed, failed=failed))
        if failed:
            raise typer.Exit(1)

    _guard(body)


def _policy_near(name: str | None, folder: Path) -> str:
    """A case's `policy:`: a shipped name, or a path relative to the case file (else to the working folder)."""
    if not name:
        return "changji-2018"
    near = folder / name
    return str(near) if near.exists() else name


@policy_app.command("lint")
def policy_lint(file: str = typer.Argument(..., help="Policy file path or shipped policy name."),
                format_: str = typer.Option("text", "--format", help="text or json.")) -> None:
    """Check a policy against the plan's prohibitions and its quotes against their texts (L1–L9); exit 1 on any error."""

    def body():
        from hukou.policies import load
        from hukou.policy.layering import departures
        from hukou.policy.lint import lint, unchecked_quotes

        policy = load(file)
        problems = lint(policy)
        if format_ == "json":
            typer.echo(json.dumps([p.as_dict() for p in problems], ensure_ascii=False, indent=2))
        else:
            for p in problems:
                typer.echo(p.line(lang_of_environment()))
            departed = departures(policy)
            if departed:
                say(Msg("departures from {layer}: {count} (allowed; each with both citations):", layer=policy.extends,
                        count=len(departed)))
                for d in departed:
                    typer.echo(f"  {d.line(lang_of_environment())}")
            unchecked = unchecked_quotes(policy)
            if unchecked:
                say(Msg("note: {count} quote(s) not checked (add the source's text to check them):", count=len(unchecked)))
                for path, why in unchecked:
                    typer.echo(f"  {path}: {localized(why, lang_of_environment())}")
            say(Msg("{file}: {count} error(s)", file=str(file), count=len(problems)) if problems
                else Msg("{file}: ok", file=str(file)))
        if problems:
            raise typer.Exit(1)

    _guard(body)


@policy_app.command("show")
def policy_show(name: str = typer.Argument("changji-2018", help="Shipped policy name or policy file path."),
                out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write the page here (default: stdout).")) -> None:
    """Write an HTML page of the policy: the plan clause by clause, each clause's published text beside what implements it."""

    def body():
        from hukou.policies import load
        from hukou.web.policy_page import render_policy_page

        html = render_policy_page(load(name))
        if out is None:
            typer.echo(html)
        else:
            out.write_text(html, encoding="utf-8")
            say(Msg("wrote {path}", path=str(out)))

    _guard(body)


@policy_app.command("coverage")
def policy_coverage(name: str = typer.Argument("changji-2018", help="Shipped policy name or policy file path."),
                    format_: str = typer.Option("table", "--format", help="table or json.")) -> None:
    """What implements each clause of the plan and of the documents it cites, with the tests (docs/plan-coverage.md)."""
    if format_ not in ("table", "json"):
        _fail(Msg("--format: expected table or json (got {got!r})", got=format_))

    def body():
        from hukou.plan_map import implementations
        from hukou.policies import load

        clauses = implementations(load(name))
        if format_ == "json":
            typer.echo(json.dumps([c.as_dict() for c in clauses], ensure_ascii=False, indent=2))
        else:
            from hukou.cli.coverage import coverage_table

            typer.echo(coverage_table(clauses))

    _guard(body)


@policy_app.command("list")
def policy_list() -> None:
    """The policies shipped with hukou."""
    from hukou.policies import shipped

    for name in shipped():
        typer.echo(name)


@app.command()
def serve(host: str = typer.Option("127.0.0.1", "--host"), port: int = typer.Option(8000, "--port"),
          policy: str = typer.Option("changji-2018", "--policy", help="Shipped policy name."),
          database: Optional[str] = typer.Option(None, "--database", help="Database URL (default: HUKOU_DATABASE_URL)."),
          workers: int = typer.Option(1, "--workers", help="Server processes (see docs/benchmarks.md).")) -> None:
    """Serve the API (OpenAPI page at /docs, spec at /openapi.json)."""
    from hukou.api.serving import run as run_server

    say(Msg("hukou API at http://{host}:{port}/docs", host=host, port=port))
    _guard(lambda: run_server(host, port, policy, database, workers))


@app.command()
def demo(
    database: Optional[str] = typer.Option(None, "--database", help="Database URL (default: .demo/changji.sqlite)."),
    host: str = typer.Option("127.0.0.1", "--host"), port: int = typer.Option(8000, "--port"),
    residents: int = typer.Option(607_441, "--residents", help="Residents of the synthetic city, when it is built."),
    serve: bool = typer.Option(True, "--serve/--no-serve", help="Serve the site after building."),
) -> None:
    """Build the demo city (register, one user per role, a few cases), print the logins and serve the site."""
    from hukou.cli.demo import run_demo

    _guard(lambda: run_demo(database, host, port, residents, serve))


@app.command()
def examples(lang: str = typer.Option("zh", "--lang", help="zh or en.")) -> None:
    """Print a few example people checked against the Changji policy, with their explanations."""
    from hukou.cli.demo import run_examples

    _guard(lambda: run_examples(lang))


def run() -> None:
    """Entry point. A bug (not bad input) prints one line and exits 70; HUKOU_DEBUG=1 shows the traceback.

    The line never holds a query or its parameters, nor an ID number (`redacted`)."""
    import os

    try:
        app()
    except Exception as exc:  # noqa: BLE001 - the last guard: never a bare traceback for a user
        if os.environ.get("HUKOU_DEBUG"):
            raise
        from hukou.policy.errors import redacted

        what = " ".join(redacted(f"{type(exc).__name__}: {exc}").split())
        say(Msg("internal error (please report it; HUKOU_DEBUG=1 shows details): {what}", what=what), err=True)
        sys.exit(70)


if __name__ == "__main__":
    run()

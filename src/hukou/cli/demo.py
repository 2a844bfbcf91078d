"""`hukou demo`: a few example people checked against the Changji policy, with explanations."""

from __future__ import annotations

from datetime import date
from importlib import resources

import typer

from hukou.cli.render import render_verdict
from hukou.policies import DEFAULT_POLICY, load, read_document
from hukou.policy.verdict import check

DEMO_DATE = date(2019, 3, 1)


def run_demo(lang: str = "zh") -> None:
    policy = load(DEFAULT_POLICY)
    examples = sorted(p for p in resources.files("hukou.examples").iterdir() if p.name.endswith(".yaml"))
    for example in examples:
        text = example.read_text(encoding="utf-8")
        title = text.splitlines()[0].lstrip("# ")
        verdict = check(read_document(text, example.name), DEMO_DATE, policy)
        typer.echo("=" * 72)
        typer.echo(f"{example.name}: {title}")
        typer.echo(render_verdict(verdict, lang))
    typer.echo("=" * 72)
    typer.echo(f"{len(examples)} example people checked against {policy.id} ({policy.document}) on {DEMO_DATE}.")
    typer.echo("Check your own: hukou check FILE --date YYYY-MM-DD --format text")

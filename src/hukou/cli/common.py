"""What every command shares: one-line errors with exit status 2, and reading YAML or JSON files."""

from __future__ import annotations

from pathlib import Path

import typer

EXIT_INPUT = 2


def fail(message: str) -> None:
    from hukou.policy.errors import redacted

    typer.echo(f"error: {redacted(message)}", err=True)
    raise typer.Exit(EXIT_INPUT)


def read_document(path: Path):
    """A YAML or JSON file's content; an unreadable or malformed file is an input error."""
    from hukou.policies import read_document as parse

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{path}: cannot read: {exc.strerror if isinstance(exc, OSError) else 'not UTF-8 text'}")
    return parse(text, str(path))


def guard(fn):
    """Run a command body; an InputError becomes one line and exit status 2."""
    from hukou.policy.errors import InputError

    try:
        return fn()
    except InputError as exc:
        fail(exc.line())

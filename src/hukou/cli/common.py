"""What every command shares: one-line errors with exit status 2, reading YAML or JSON files, and
where the register is (`register_location`: one rule for every command)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import typer

from hukou.i18n import Msg, lang_of_environment, localized

EXIT_INPUT = 2
REGISTER_HELP = "A register folder (Parquet tables)."
DATABASE_HELP = "A database URL (default: HUKOU_DATABASE_URL, else sqlite:///hukou.sqlite)."


def say(message: str, err: bool = False) -> None:
    """Print a message to people in the language of their locale (a `Msg`; other text as it is)."""
    typer.echo(localized(message, lang_of_environment()), err=err)


def fail(message: str) -> None:
    from hukou.policy.errors import redacted

    lang = lang_of_environment()
    typer.echo(localized(Msg("error: {message}", message=redacted(localized(message, lang))), lang), err=True)
    raise typer.Exit(EXIT_INPUT)


def read_document(path: Path):
    """A YAML or JSON file's content; an unreadable or malformed file is an input error."""
    from hukou.policies import read_document as parse

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) else Msg("not UTF-8 text")
        fail(Msg("{path}: cannot read: {why}", path=str(path), why=why))
    return parse(text, str(path))


def guard(fn):
    """Run a command body; an InputError becomes one line and exit status 2."""
    from hukou.policy.errors import InputError

    try:
        return fn()
    except InputError as exc:
        fail(exc.line(lang_of_environment()))  # in the language of the user's locale


@dataclass(frozen=True)
class Location:
    """Where the register is: a Parquet folder (`folder`), or a database (`url`)."""

    folder: str | None = None
    url: str | None = None

    def __str__(self) -> str:
        if self.folder is not None:
            return f"{Path(self.folder)}/"
        from hukou.store.database import shown_url

        return shown_url(self.url)


def register_location(register: str | Path | None, database: str | None) -> Location:
    """`--register FOLDER` or `--database URL`; with neither, HUKOU_DATABASE_URL when set, else
    sqlite:///hukou.sqlite (`store.database.database_url`). Both at once is an input error."""
    from hukou.policy.errors import InputError
    from hukou.store.database import database_url

    if register is not None and database is not None:
        raise InputError("--register", Msg("give a register folder (--register) or a database URL (--database), not both"))
    if register is not None:
        return Location(folder=str(register))
    return Location(url=database_url(database))


def register_database(location: Location):
    """The engine of a database location that holds the register's tables (else an input error)."""
    from hukou.store.database import connect, require_register

    engine = connect(location.url)
    require_register(engine)
    return engine

"""`hukou audit verify`: check the audit log of a register database or folder, entry by entry."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from hukou.cli.common import DATABASE_HELP, REGISTER_HELP, guard, register_location, say
from hukou.i18n import Msg, lang_of_environment

audit_app = typer.Typer(help="The audit log: who did or read what, when and why.", no_args_is_help=True)


@audit_app.command("verify")
def verify(register: Optional[Path] = typer.Option(None, "--register", help=REGISTER_HELP),
           database: Optional[str] = typer.Option(None, "--database", help=DATABASE_HELP)) -> None:
    """Check every entry's hash and the chain between them; name the first entry that was changed,
    removed, inserted or reordered (exit 1), else say how many entries are whole."""

    def body():
        from hukou.audit.chain import verify as verify_chain

        location = register_location(register, database)
        if location.folder is not None:
            from hukou.store.audit_file import entries
            found = list(entries(location.folder))
        else:
            from hukou.store.audit_log import entries
            from hukou.store.database import connect

            found = list(entries(connect(location.url)))
        finding = verify_chain(found)
        if finding is not None:
            say(Msg("{location}: audit log broken: {finding}", location=str(location),
                    finding=finding.line(lang_of_environment())), err=True)
            raise typer.Exit(1)
        say(Msg("{location}: audit log whole: {count:,} entries", location=str(location), count=len(found)))

    guard(body)

"""`hukou notify send`: one round of the notifications outbox, for cron (the server also sends every
few seconds: services/notifications.py)."""

from __future__ import annotations

from typing import List, Optional

import typer

from hukou.cli.common import DATABASE_HELP, guard

notify_app = typer.Typer(help="Notifications to applicants: the outbox and its channels.", no_args_is_help=True)


@notify_app.command("send")
def send(database: Optional[str] = typer.Option(None, "--database", help=DATABASE_HELP),
         channel: Optional[List[str]] = typer.Option(None, "--channel", help="inbox, sms or log (default: the "
                                                     "configured ones, HUKOU_NOTIFY_CHANNELS)"),
         policy: str = typer.Option("changji-2018", "--policy", help="Shipped policy name (its time limits).")) -> None:
    """Send every notification that is due; say how many went, failed, and wait to be sent."""

    def body():
        from hukou.policies import load
        from hukou.services.casework import Casework
        from hukou.services.notifications import channel as channel_of, configured_channels, send_all
        from hukou.store.database import connect, migrate
        from hukou.store.notifications_outbox import pending

        engine = connect(database)
        migrate(engine)
        cw = Casework(engine, load(policy))
        names = channel or list(configured_channels())
        done = send_all(engine, [channel_of(name) for name in names], limits=cw.limits)
        left = pending(engine)
        typer.echo(f"sent {done.sent}, failed {done.failed}; not sent yet: "
                   + (", ".join(f"{n} {name}" for name, n in sorted(left.items())) or "none"))
        for error in done.errors:
            typer.echo(f"error: {error}", err=True)
        if done.failed:
            raise typer.Exit(1)

    guard(body)

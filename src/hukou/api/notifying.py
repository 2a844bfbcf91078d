"""The server's notifications: a dispatcher thread started and stopped with the app (the lifespan
of a served app, not of one built for a test), sending the outbox every few seconds
(`HUKOU_NOTIFY_EVERY`, default 5; 0 turns it off, e.g. when `hukou notify send` runs from cron)."""

from __future__ import annotations

import os
from contextlib import asynccontextmanager

from fastapi import FastAPI

from hukou.services.notifications import EVERY_S, Dispatcher


def with_dispatcher(app: FastAPI) -> FastAPI:
    every = float(os.environ.get("HUKOU_NOTIFY_EVERY") or EVERY_S)
    if every <= 0:
        return app
    before = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(a):
        dispatcher = Dispatcher(a.state.casework, every)
        dispatcher.start()
        try:
            async with before(a) as state:
                yield state
        finally:
            dispatcher.stop()

    app.router.lifespan_context = lifespan
    return app

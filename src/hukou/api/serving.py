"""How `hukou serve` runs the API under uvicorn: one process or several workers.

Workers are separate processes, so each builds its own app from the environment
(`HUKOU_POLICY`, `HUKOU_DATABASE_URL`) through `app_from_environment`. The access log is off: at
hundreds of requests a second it costs the server a noticeable share of its CPU (docs/benchmarks.md).
"""

from __future__ import annotations

import os

from fastapi import FastAPI


def app_from_environment() -> FastAPI:
    import sys

    from hukou.api.app import create_app
    from hukou.policies import DEFAULT_POLICY

    database = os.environ.get("HUKOU_DATABASE_URL") or None
    if database and database.startswith("postgresql"):
        # Several writing threads wait on PostgreSQL's answers; one whose answer has come back waits
        # for the interpreter lock while the event loop runs, and Python hands it over every 5 ms by
        # default. 0.5 ms keeps a transaction's round trips from queueing behind it (submissions
        # +15–20%, docs/benchmarks.md). SQLite's one writing thread does better with the default.
        sys.setswitchinterval(0.0005)
    return create_app(os.environ.get("HUKOU_POLICY") or DEFAULT_POLICY, database)


def run(host: str, port: int, policy: str, database: str | None = None, workers: int = 1) -> None:
    import uvicorn

    os.environ["HUKOU_POLICY"] = policy
    if database:
        os.environ["HUKOU_DATABASE_URL"] = database
    uvicorn.run("hukou.api.serving:app_from_environment", factory=True, host=host, port=port, workers=workers,
                log_level="warning", access_log=False)

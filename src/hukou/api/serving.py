"""How `hukou serve` runs the API under uvicorn: one process or several workers.

Workers are separate processes, so each builds its own app from the environment
(`HUKOU_POLICY`, `HUKOU_DATABASE_URL`) through `app_from_environment`. The access log is off: at
hundreds of requests a second it costs the server a noticeable share of its CPU (docs/benchmarks.md).
"""

from __future__ import annotations

import os

from fastapi import FastAPI


def app_from_environment() -> FastAPI:
    from hukou.api.app import create_app
    from hukou.policies import DEFAULT_POLICY

    return create_app(os.environ.get("HUKOU_POLICY") or DEFAULT_POLICY, os.environ.get("HUKOU_DATABASE_URL") or None)


def run(host: str, port: int, policy: str, database: str | None = None, workers: int = 1) -> None:
    import uvicorn

    os.environ["HUKOU_POLICY"] = policy
    if database:
        os.environ["HUKOU_DATABASE_URL"] = database
    uvicorn.run("hukou.api.serving:app_from_environment", factory=True, host=host, port=port, workers=workers,
                log_level="warning", access_log=False)

"""Every 4xx as `application/problem+json` (RFC 9457) naming the field; nothing becomes a 5xx."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from hukou.cases.case import CaseError
from hukou.policy.errors import InputError, field_path

PROBLEM = "application/problem+json"


def problem(status: int, title: str, detail: str, field: str | None = None, **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    if field is not None:
        body["field"] = field
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def install(app: FastAPI) -> None:
    @app.exception_handler(InputError)
    async def _input(_: Request, exc: InputError):
        return problem(422, "Invalid input", exc.message, exc.path)

    @app.exception_handler(CaseError)
    async def _case(_: Request, exc: CaseError):
        return problem(exc.status, "Action not possible", exc.message, exc.field)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError):
        first = exc.errors()[0]
        loc = [p for p in first.get("loc", ()) if p not in ("body", "query", "path", "header")]
        kind = first.get("type", "")
        status = 400 if kind in ("json_invalid",) else 422
        return problem(status, "Invalid request", first.get("msg", "invalid"), field_path(loc) or None)

    from hukou.api.applications import Forbidden, Unauthorized

    @app.exception_handler(Unauthorized)
    async def _unauthorized(_: Request, exc: Unauthorized):
        response = problem(401, "Not signed in", str(exc))
        response.headers["WWW-Authenticate"] = "Bearer"
        return response

    @app.exception_handler(Forbidden)
    async def _forbidden(_: Request, exc: Forbidden):
        return problem(403, "Not allowed", str(exc), "role")

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException):
        return problem(exc.status_code, "Request not served", str(exc.detail))

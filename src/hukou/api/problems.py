"""Every 4xx as `application/problem+json` (RFC 9457) naming the field, in the reader's language
(Accept-Language); bad input never becomes a 5xx. Browsers get pages instead for 404, 405 and an
unexpected error (web/error_pages.py), which is a 500 with a reference to quote, its traceback in the
log only."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from hukou.api.models import publish_facts
from hukou.cases.case import ACTION_TYPES, CaseError
from hukou.i18n import SOURCE, Msg, lang_of_header, localized
from hukou.policy.errors import InputError, describe, field_path

PROBLEM = "application/problem+json"
_UNION_TAGS = frozenset(ACTION_TYPES) | {"".join(w.capitalize() for w in t.split("_")) + "Action" for t in ACTION_TYPES}


def problem(status: int, title: str, detail: str, field: str | None = None, request: Request | None = None,
            **extra: Any) -> JSONResponse:
    """`title` and `detail` in the language the request's Accept-Language prefers (English without
    one: the messages' own); `field` is the same in every language."""
    lang = lang_of_header(request.headers.get("accept-language")) if request is not None else SOURCE
    body = {"type": "about:blank", "title": localized(title, lang), "status": status,
            "detail": localized(detail, lang), **extra}
    if field is not None:
        body["field"] = field
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


PROBLEM_SCHEMA = {
    "title": "Problem", "type": "object", "required": ["type", "title", "status", "detail"],
    "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                   "detail": {"type": "string"},
                   "field": {"type": "string", "description": "The input at fault, as a dotted path (\"\": all of it)"}},
}
PROBLEMS = {400: "The body is not JSON (or not the form) it should be", 401: "Not signed in, or the token is unknown",
            403: "Signed in, but not yours to do (role, jurisdiction, separation of duties)",
            404: "No such case (or task), or not one the signed-in user may see",
            409: "Not possible now, or someone acted on the case at the same moment", 422: "Invalid input: the field names it"}


def _statuses(path: str, method: str, operation: dict) -> list[int]:
    """The 4xx an operation can answer, by what it does: a body can be malformed, a case-holding path
    can name no visible case, actions race, the applications need a token."""
    codes = [422]
    if "requestBody" in operation:
        codes.append(400)
    signed_in = "/applications" in path or "/reports" in path or "/tasks" in path or path.endswith("/purposes")
    if signed_in or path.endswith("/token"):
        codes.append(401)
    if signed_in and not path.endswith("/purposes"):
        codes.append(403)
    if "{case_id}" in path or "{task_id}" in path:
        codes.append(404)
    if path.endswith(("/complete", "/refuse")):
        codes.append(409)
    if path.endswith("/actions") or (path.endswith("/applications") and method == "post"):
        codes.append(409)
    return sorted(codes)


def document(app: FastAPI) -> None:
    """The OpenAPI schema says what the handlers below answer: each 4xx as problem JSON (instead of
    FastAPI's default 422 shape), and a submission's replay as 200."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        publish_facts(schema)
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        content = {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                responses = operation.setdefault("responses", {})
                for status in _statuses(path, method, operation):
                    responses[str(status)] = {"description": PROBLEMS[status], "content": content}
                if path.endswith("/applications") and method == "post" and "201" in responses:
                    responses["200"] = {**responses["201"], "description": "A replayed Idempotency-Key: the first case"}
        schema["components"]["schemas"].pop("HTTPValidationError", None)
        schema["components"]["schemas"].pop("ValidationError", None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi


def install(app: FastAPI) -> None:
    document(app)

    @app.exception_handler(InputError)
    async def _input(request: Request, exc: InputError):
        return problem(422, Msg("Invalid input"), exc.message, exc.path, request)

    @app.exception_handler(CaseError)
    async def _case(request: Request, exc: CaseError):
        return problem(exc.status, Msg("Action not possible"), exc.message, exc.field, request)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        errors = exc.errors()
        first = next((e for e in errors if e.get("type") == "extra_forbidden"), errors[0])  # as from_validation
        loc = [p for p in first.get("loc", ()) if p not in ("body", "query", "path", "header")]
        if loc and loc[0] in _UNION_TAGS:  # the branch of the action union, not a field
            loc = loc[1:]
        kind = first.get("type", "")
        if kind in ("union_tag_invalid", "union_tag_not_found"):
            loc = [*loc, "type"]
        status = 400 if kind in ("json_invalid",) else 422
        return problem(status, Msg("Invalid request"), describe(first), field_path(loc), request)  # "": the whole body

    from hukou.api.applications import Forbidden, Unauthorized

    @app.exception_handler(Unauthorized)
    async def _unauthorized(request: Request, exc: Unauthorized):
        response = problem(401, Msg("Not signed in"), exc.args[0] if exc.args else "", None, request)
        response.headers["WWW-Authenticate"] = "Bearer"
        return response

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden):
        return problem(403, Msg("Not allowed"), exc.args[0] if exc.args else "", "role", request)

    from hukou.web import error_pages

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        if exc.status_code in (404, 405) and error_pages.wants_html(request):  # a browser: a page, not JSON
            return await run_in_threadpool(error_pages.not_served, request, exc.status_code, exc.headers)
        field = {404: "path", 405: "method"}.get(exc.status_code, "")  # no such path; not a method it takes
        detail = {"Not Found": Msg("Not Found"), "Method Not Allowed": Msg("Method Not Allowed")}.get(
            str(exc.detail), str(exc.detail))
        return problem(exc.status_code, Msg("Request not served"), detail, field, request)

    @app.exception_handler(Exception)  # called by starlette's ServerErrorMiddleware, which then re-raises
    async def _unhandled(request: Request, exc: Exception):
        ref = error_pages.log_error(request, exc)
        if error_pages.wants_html(request):
            return error_pages.server_error(request, ref)
        return problem(500, Msg("Internal error"), Msg("an unexpected error on the server; quote reference {ref}",
                                                       ref=ref), None, request, reference=ref)

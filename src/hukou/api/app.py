"""The application: the API under /api/v1 and the web pages (hukou.web.pages). Stable paths for outside clients start with /api/v1.

`POST /api/v1/eligibility?date=D`: RULEBOOK §2 facts in, the §7 verdict out, no login needed.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Optional

from fastapi import Body, FastAPI, Query
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from hukou import __version__
from hukou.api import applications, problems, reports, tasks
from hukou.api.models import FACTS_REF, HealthOut, VerdictOut
from hukou.guide.file import load_guide
from hukou.policies import DEFAULT_POLICY, load, shipped
from hukou.i18n import Msg
from hukou.policy.errors import InputError
from hukou.policy.facts import parse_date
from hukou.policy.verdict import check
from hukou.web import after_applying, pages

FACTS_EXAMPLE = {
    "birth_date": "1992-04-18", "hukou": {"place": "622425", "urban": False},
    "residence": [{"from": "2015-03-01", "to": None, "place": "652301003", "urban": True}],
    "housing": {"kind": "rented", "registered": True}, "employment": [{"from": "2015-03-01", "to": None}],
    "education": [], "qualifications": [],
}
SWAGGER_UI = "/static/swagger-ui"  # Swagger UI's own files, from the swagger-ui-py package


def create_app(policy: str = DEFAULT_POLICY, database: str | None = None) -> FastAPI:
    """The API; the register and cases live in `database` (default: HUKOU_DATABASE_URL or SQLite)."""
    app = FastAPI(title="hukou", version=__version__,
                  description="落户与居住证：规则即代码。Settlement and residence-permit rules as code, with the law beside them.",
                  docs_url=None, redoc_url=None)  # /docs: _docs below; FastAPI's pages load from a CDN
    problems.install(app)
    default_policy = policy
    app.state.policy = policy  # casework reads it too: verdicts for officers, decision periods
    load_guide(policy, load(policy).city.code)  # a bad guide file stops the start, naming its field, not a page later
    app.state.casework = _lazy_casework(database, policy)
    app.include_router(applications.router)
    app.include_router(reports.router)
    app.include_router(tasks.router)  # department tasks (§十–§十五)
    app.include_router(pages.router)
    app.include_router(after_applying.router)  # the confirmation page and the inbox
    _docs(app)  # before /static, whose mount would take /static/swagger-ui too
    app.mount("/static", StaticFiles(packages=[("hukou.web", "static")]), name="static")

    @app.post("/api/v1/eligibility", tags=["eligibility"], summary="Check one person's facts (no login)",
              operation_id="check_eligibility", response_model=VerdictOut,
              openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                  "schema": {"$ref": FACTS_REF}, "examples": {"a migrant renting": {"value": FACTS_EXAMPLE}}}}}})
    async def eligibility(
        date_: Optional[str] = Query(None, alias="date", max_length=10,
                                     description="Evaluation date YYYY-MM-DD (default: today)"),
        policy: Optional[str] = Query(None, max_length=100, description="A shipped policy name (default: the city's)"),
        facts: Any = Body(None, description="RULEBOOK §2 facts (checked here: an error names the field)"),
    ) -> dict[str, Any]:
        try:
            d = parse_date(date_) if date_ else date.today()
        except ValueError as exc:
            raise InputError("date", str(exc)) from None
        if policy and policy not in shipped():
            raise InputError("policy", Msg("expected a shipped policy: {choices} (got {got!r})", choices=", ".join(shipped()),
                                           got=policy))
        if facts is None:
            raise InputError("", Msg("expected a JSON object of facts about a person"))
        return check(facts, d, load(policy or default_policy))

    @app.get("/api/v1/health", tags=["service"], summary="Liveness", operation_id="check_health",
             response_model=HealthOut)
    async def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    return app


def _docs(app: FastAPI) -> None:
    """The OpenAPI page at /docs with Swagger UI served by the app itself: it works without internet."""
    app.mount(SWAGGER_UI, StaticFiles(packages=[("swagger_ui", "static")]), name="swagger-ui")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=app.openapi_url, title=f"{app.title} API",
                                   swagger_js_url=f"{SWAGGER_UI}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{SWAGGER_UI}/swagger-ui.css",
                                   swagger_favicon_url=f"{SWAGGER_UI}/favicon-32x32.png")


def _lazy_casework(database: str | None, policy: str):
    """The casework services, connected and migrated on first use (the eligibility check needs no database)."""
    holder: dict = {}

    def get():
        if "casework" not in holder:
            from hukou.services.casework import Casework
            from hukou.store.database import connect, migrate

            engine = connect(database)
            migrate(engine)
            holder["casework"] = Casework(engine, load(policy))
        return holder["casework"]

    return get


app = create_app()

"""The pages a browser gets when a request is not served: 404 (no such page), 405 (an address that
only takes a form) and 500 (an unexpected error, with a reference to quote), in the site's layout and
the page's language. API clients, and every path under /api/, keep the problem+json answers of
`api/problems.py`; `wants_html` tells the two apart. A page never shows a traceback: the exception
goes to the log with the same reference the person reads out.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping

from fastapi import Request
from fastapi.responses import HTMLResponse

from hukou.cases.viewer import Viewer
from hukou.web import session as S
from hukou.web.i18n import text
from hukou.web.render import lang_of, render

log = logging.getLogger(__name__)
KINDS = {404: "not_found", 405: "not_allowed", 500: "server_error"}  # the prefix of each page's words


def wants_html(request: Request) -> bool:
    """A browser asking for a page: not an API path, and HTML among what it accepts."""
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "")


def reference() -> str:
    """A short random id, digits only so that it is easy to read out at a counter or on the phone."""
    n = secrets.randbelow(10**8)
    return f"{n // 10**4:04d}-{n % 10**4:04d}"


def log_error(request: Request, exc: BaseException) -> str:
    """Log an unhandled exception with its traceback under a new reference, and return the reference.
    Only the method and path are logged: a query string may hold someone's facts."""
    ref = reference()
    log.error("unhandled error, reference %s: %s %s", ref, request.method, request.url.path, exc_info=exc)
    return ref


def _viewer(request: Request) -> Viewer | None:
    try:
        return S.viewer(request)
    except Exception:  # the session lives in the database: a 404 page must not fail when it does
        log.warning("no session for an error page", exc_info=True)
        return None


def not_served(request: Request, status: int, headers: Mapping[str, str] | None = None) -> HTMLResponse:
    """The 404 or 405 page, with the navigation of whoever is signed in."""
    response = render(request, "error.html", status, _viewer(request), kind=KINDS[status], reference="")
    response.headers.update(headers or {})  # a 405's Allow
    return response


def server_error(request: Request, ref: str) -> HTMLResponse:
    """The 500 page. It reads neither the session nor the database, which may be what failed; if even
    the layout fails, a bare page still says what to do and gives the reference."""
    try:
        return render(request, "error.html", 500, None, kind="server_error", reference=ref)
    except Exception:
        log.exception("the error page failed, reference %s", ref)
        return HTMLResponse(_bare(lang_of(request), ref), status_code=500, headers={"Cache-Control": "no-store"})


def _bare(lang: str, ref: str) -> str:
    title = text("server_error_title", lang)
    return (f'<!doctype html><html lang="{"zh-CN" if lang == "zh" else "en"}"><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>'
            f'<h1>{title}</h1><p>{text("server_error_text", lang)}</p>'
            f'<p>{text("error_reference", lang)}: {ref}</p><p><a href="/">{text("error_home", lang)}</a></p></html>')

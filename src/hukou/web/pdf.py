"""Printable PDFs of the site's pages: the same templates and partials as the pages, laid out for A4
by `static/print.css`, made with WeasyPrint (which needs the pango library: Debian's libpango-1.0-0
and libpangoft2-1.0-0, and fonts-noto-cjk for the Chinese).

`pdf_response(request, template, filename, **ctx)` is what a page handler returns; `pdf_bytes` gives
the document alone (for tests and the command line).
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from hukou.cases.viewer import Viewer
from hukou.web.render import page_html


@lru_cache(maxsize=1)
def _stylesheet():
    from weasyprint import (
        CSS,  # imported on first use: it loads pango, and most requests make no PDF
    )

    return CSS(string=resources.files("hukou.web").joinpath("static", "print.css").read_text(encoding="utf-8"))


def pdf_bytes(html: str) -> bytes:
    """The PDF of a printable page's HTML. Nothing is fetched: the page carries all it shows (the QR
    code is inline SVG), and the fetcher refuses every address, so a page cannot make the server read one."""
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=_fetcher()).write_pdf(stylesheets=[_stylesheet()])


@lru_cache(maxsize=1)
def _fetcher():
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols=())


def pdf_response(request: Request, template: str, filename: str, viewer: Viewer | None = None,
                 **ctx: Any) -> Response:
    """A template as a PDF to open or save: `filename` is what the browser saves it as (ASCII)."""
    html = page_html(request, template, viewer, printing=True, **ctx)
    return Response(pdf_bytes(html), media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "no-store"})

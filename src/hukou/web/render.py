"""What every page shares: the templates, the page's language, rendering for the signed-in user
(with their form token), messages, redirects, and reading a posted form off the event loop."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from hukou.cases.access import OVERSIGHT
from hukou.cases.parties import masked
from hukou.cases.viewer import Viewer
from hukou.policies import load
from hukou.policy.catalog import RULES
from hukou.policy.labels import KEY_GROUP_NAMES, WORDS
from hukou.policy.residence_permit import ENTITLEMENTS
from hukou.store.users import display_name
from hukou.web import session as S
from hukou.web import verdict_view
from hukou.web.i18n import LANGS, text

ENV = Environment(loader=PackageLoader("hukou", "templates/web"), autoescape=select_autoescape(["html"]),
                  trim_blocks=True, lstrip_blocks=True)
_RULE_NAMES = {r.rule: (r.zh, r.en) for r in RULES}
PUNCTUATION = {  # what the templates put between words, by language
    "zh": {"colon": "：", "sep": "、", "semi": "；", "comma": "，", "lp": "（", "rp": "）"},
    "en": {"colon": ": ", "sep": ", ", "semi": "; ", "comma": ", ", "lp": " (", "rp": ")"},
}


def lang_of(request: Request) -> str:
    lang = request.query_params.get("lang") or request.cookies.get(S.LANG_COOKIE) or "zh"
    return lang if lang in LANGS else "zh"


def casework(request: Request):
    """The casework services (services.casework.Casework): the pages' only door to cases."""
    return request.app.state.casework()


def policy_of(request: Request):
    return load(request.app.state.policy)


def rule_name(rule: str, lang: str) -> str:
    """A rule or verdict code as people read it (the catalogue's name, else the page's word)."""
    if rule in _RULE_NAMES:
        return _RULE_NAMES[rule][0 if lang == "zh" else 1]
    label = text("code_" + rule, lang)
    return rule if label == "code_" + rule else label


def render(request: Request, template: str, status: int = 200, viewer: Viewer | None = None, **ctx: Any) -> HTMLResponse:
    html = page_html(request, template, viewer, **ctx)
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


def page_html(request: Request, template: str, viewer: Viewer | None = None, **ctx: Any) -> str:
    """A template rendered with what every page shares (a page, or the HTML a PDF is made from: web/pdf.py)."""
    lang = lang_of(request)
    token = S.session_token(request)
    base = {
        "lang": lang, "t": lambda key: text(key, lang), "w": WORDS[lang], "key_group_names": KEY_GROUP_NAMES,
        "entitlements": ENTITLEMENTS, "viewer": viewer, "oversight": OVERSIGHT, "here": request.url.path,
        "policy": policy_of(request), "csrf": S.csrf_token(token) if token and viewer else "", "form": {},
        "field_errors": {}, "masked": masked, "rule_name": lambda rule: rule_name(rule, lang),
        "viewer_name": display_name(casework(request).engine, viewer.username) if viewer else "",
        "item_name": lambda item: text("s_" + item, lang) if text("s_" + item, lang) != "s_" + item else item,
        "settlement_view": lambda part: verdict_view.settlement(part, WORDS[lang], lang),
        "permit_answer": lambda part: verdict_view.permit_answer(part, lang),
        "inbox_unread": lambda: _inbox_unread(request, viewer),  # the header's count, asked only for applicants
    }
    return ENV.get_template(template).render({**base, **PUNCTUATION[lang], **ctx})


def _inbox_unread(request: Request, viewer: Viewer | None) -> int:
    from hukou.web.after_applying import unread_count  # that module renders with this one

    return unread_count(request, viewer)


def message(request: Request, viewer: Viewer | None, status: int, heading: str, body: str, back: str = "/"):
    return render(request, "message.html", status, viewer, heading=heading, message=body, back=back)


def refused_read(request: Request, viewer: Viewer, exc: Exception, heading: str, then: str):
    """A read the casework service refused: the purpose page when the reader has not said why (then
    back to `then`), else the refusal in the reader's words."""
    from hukou.cases.errors import CaseError
    from hukou.web.refusals import refusal

    if isinstance(exc, CaseError) and exc.field == "purpose":
        return redirect(f"/purpose?next={quote(then)}")
    _, said, status = refusal(exc, lang_of(request))
    return message(request, viewer, status, heading, said, "/cases")


def safe_next(target: str | None) -> str:
    """Only a path on this site: no open redirect (browsers read "/\\host" as "//host")."""
    return target if target and target.startswith("/") and not target.startswith(("//", "/\\")) else ""


def redirect(to: str) -> RedirectResponse:
    return RedirectResponse(to, status_code=303)


def sign_in_first(request: Request) -> RedirectResponse:
    return redirect(f"/login?next={quote(request.url.path)}")


def posted(router: APIRouter, path: str):
    """A page that takes a form: the form is read on the event loop, and the work (database, password
    hashing) runs on a worker thread, so one slow request does not hold up the others."""
    def register(handler):
        async def endpoint(request: Request):
            form = await request.form()
            return await run_in_threadpool(handler, request, form, **request.path_params)

        endpoint.__name__ = handler.__name__
        router.add_api_route(path, endpoint, methods=["POST"], response_class=HTMLResponse)
        return handler
    return register

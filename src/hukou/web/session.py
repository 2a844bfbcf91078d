"""Web sign-in: a session cookie, and CSRF protection for every form that changes something.

The cookie holds a random session token, stored server-side as its SHA-256 only (the same table as
API tokens, so signing out or expiry ends it everywhere); it is HttpOnly and SameSite=Lax, and Secure
when the site is served over HTTPS. A signed-in form carries a CSRF token derived from the session
token with HMAC, which a page of another site cannot know; the sign-in form, before any session,
uses a double-submit token (a random cookie the form must repeat).

An officer's purpose for reading (cases.purposes) is remembered for the session in a cookie of its
own, cleared at sign-in and sign-out, so the next person at the same browser is asked again.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from fastapi import Request, Response

from hukou.cases.access import Viewer
from hukou.store.users import TOKEN_HOURS, revoke_token, viewer_for_token

SESSION_COOKIE = "hukou_session"
LOGIN_CSRF_COOKIE = "hukou_login_csrf"
LANG_COOKIE = "hukou_lang"
PURPOSE_COOKIE = "hukou_purpose"


class CsrfError(Exception):
    """A form without the token of its session: refused with 403, nothing done."""


def _same(expected: str, sent: str) -> bool:
    """Constant-time comparison of what the form sent, whatever characters it holds."""
    return hmac.compare_digest(expected.encode(), str(sent).encode())


def csrf_token(session_token: str) -> str:
    return hmac.new(session_token.encode(), b"hukou-csrf", hashlib.sha256).hexdigest()


def session_token(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE)


def viewer(request: Request) -> Viewer | None:
    token = session_token(request)
    if not token:
        return None
    return viewer_for_token(request.app.state.casework().engine, token, datetime.now())


def check_csrf(request: Request, sent: str | None) -> None:
    token = session_token(request)
    if not token or not sent or not _same(csrf_token(token), sent):
        raise CsrfError("the form has expired or did not come from this site; reload the page and try again")


def login_csrf(request: Request) -> str:
    return request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)


def check_login_csrf(request: Request, sent: str | None) -> None:
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not cookie or not sent or not _same(cookie, sent):
        raise CsrfError("the sign-in form has expired; reload the page and try again")


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_login_csrf(request: Request, response: Response, value: str) -> None:
    response.set_cookie(LOGIN_CSRF_COOKIE, value, httponly=True, samesite="strict", secure=_secure(request))


def start(request: Request, response: Response, token: str) -> None:
    response.set_cookie(SESSION_COOKIE, token, max_age=TOKEN_HOURS * 3600, httponly=True, samesite="lax",
                        secure=_secure(request))
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    response.delete_cookie(PURPOSE_COOKIE)


def purpose(request: Request) -> str | None:
    """The purpose the reader chose for this session, or None (the service then asks for one)."""
    return request.cookies.get(PURPOSE_COOKIE) or None


def remember_purpose(request: Request, response: Response, code: str) -> None:
    response.set_cookie(PURPOSE_COOKIE, code, httponly=True, samesite="lax", secure=_secure(request))


def end(request: Request, response: Response) -> None:
    token = session_token(request)
    if token:
        revoke_token(request.app.state.casework().engine, token)
    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(PURPOSE_COOKIE)

"""Users and API tokens: argon2id password hashes, bearer tokens stored as SHA-256 only."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session

from hukou.cases.access import Viewer
from hukou.cases.case import ROLES
from hukou.policy.errors import InputError
from hukou.store import schema as S

_HASHER = PasswordHasher()
TOKEN_HOURS = 12


def create_user(engine: Engine, username: str, password: str, role: str, township: str | None = None,
                display_name: str | None = None) -> None:
    if role not in ROLES:
        raise InputError("role", f"expected one of {', '.join(ROLES)} (got {role!r})")
    if len(password) < 8:
        raise InputError("password", "at least 8 characters")
    with Session(engine) as session, session.begin():
        session.merge(S.User(username=username, password_hash=_HASHER.hash(password), role=role, township=township,
                             display_name=display_name or username))


def authenticate(engine: Engine, username: str, password: str) -> Viewer | None:
    with Session(engine) as session:
        user = session.get(S.User, username)
        if user is None:
            _HASHER.hash(password)  # the same work whether or not the user exists
            return None
        try:
            _HASHER.verify(user.password_hash, password)
        except VerificationError:
            return None
        return Viewer(user.username, user.role, user.township)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(engine: Engine, viewer: Viewer, now: datetime) -> str:
    token = secrets.token_urlsafe(32)
    with Session(engine) as session, session.begin():
        session.execute(delete(S.ApiToken).where(S.ApiToken.expires_at < now))
        session.add(S.ApiToken(token_hash=_digest(token), username=viewer.username, expires_at=now + timedelta(hours=TOKEN_HOURS)))
    return token


def viewer_for_token(engine: Engine, token: str, now: datetime) -> Viewer | None:
    found = _token_viewer(engine, _digest(token), now)
    return found[0] if found else None


def _token_viewer(engine: Engine, digest: str, now: datetime) -> tuple[Viewer, datetime] | None:
    """The token's user and the token's expiry, or None when it is unknown or expired."""
    with Session(engine) as session:
        row = session.get(S.ApiToken, digest)
        if row is None or row.expires_at < now:
            return None
        user = session.get(S.User, row.username)
        return (Viewer(user.username, user.role, user.township), row.expires_at) if user else None


class TokenCache:
    """Who a token stands for, remembered in this process for at most `seconds` (never past the
    token's own expiry), so a busy API does not look each request's token up in the database.

    What that means for revocation: a token deleted from the database, or a user removed or given
    another role or jurisdiction, takes effect in every server process within `seconds`. Unknown
    tokens are not remembered: each is looked up again. One cache serves one database."""

    def __init__(self, seconds: float = 30.0, size: int = 10_000):
        self.ttl = timedelta(seconds=seconds)
        self.size = size
        self._known: dict[str, tuple[Viewer, datetime]] = {}

    def cached(self, token: str, now: datetime) -> Viewer | None:
        """The viewer when remembered and still valid; None means: look it up."""
        hit = self._known.get(_digest(token))
        return hit[0] if hit is not None and now < hit[1] else None

    def viewer(self, engine: Engine, token: str, now: datetime) -> Viewer | None:
        """The viewer, from memory or else from the database."""
        hit = self.cached(token, now)
        if hit is not None:
            return hit
        digest = _digest(token)
        found = _token_viewer(engine, digest, now)
        if found is None:
            self._known.pop(digest, None)
            return None
        if len(self._known) >= self.size:
            self._known.clear()
        self._known[digest] = (found[0], min(found[1], now + self.ttl))
        return found[0]



def revoke_token(engine: Engine, token: str) -> None:
    """Sign out: the token (API or web session) stops working at once."""
    with Session(engine) as session, session.begin():
        session.execute(delete(S.ApiToken).where(S.ApiToken.token_hash == _digest(token)))


def display_name(engine: Engine, username: str) -> str:
    with Session(engine) as session:
        user = session.get(S.User, username)
        return user.display_name if user else username

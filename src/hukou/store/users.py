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
    with Session(engine) as session:
        row = session.get(S.ApiToken, _digest(token))
        if row is None or row.expires_at < now:
            return None
        user = session.get(S.User, row.username)
        return Viewer(user.username, user.role, user.township) if user else None


def revoke_token(engine: Engine, token: str) -> None:
    """Sign out: the token (API or web session) stops working at once."""
    with Session(engine) as session, session.begin():
        session.execute(delete(S.ApiToken).where(S.ApiToken.token_hash == _digest(token)))


def display_name(engine: Engine, username: str) -> str:
    with Session(engine) as session:
        user = session.get(S.User, username)
        return user.display_name if user else username

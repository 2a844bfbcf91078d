"""Users and API tokens: argon2id password hashes, bearer tokens stored as SHA-256 only.

An account's jurisdiction fails closed (`check_account`): a police station has its township; a
county approver has a township or an explicit city-wide grant; an applicant may be bound to the
citizen ID number of the person they are (real-name verified when the account is made), which is
what lets them apply and find their cases.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from hukou.cases.case import ROLES
from hukou.cases.parties import IdNumberError, checked_id_number
from hukou.cases.viewer import Viewer
from hukou.i18n import Msg
from hukou.policy.errors import InputError
from hukou.registry.divisions import CITY_CODE, is_township_of
from hukou.store import schema as S

_HASHER = PasswordHasher()
TOKEN_HOURS = 12


def check_account(role: str, township: str | None, city_wide: bool, id_number: str | None,
                  city: str = CITY_CODE, department: str | None = None) -> str | None:
    """The account's ID number in compact form (None without one), or an InputError naming the option."""
    if role not in ROLES:
        raise InputError("role", Msg("expected one of {choices} (got {got!r})", choices=", ".join(ROLES), got=role))
    if township is not None and not is_township_of(township, city):
        raise InputError("township", Msg("expected the 9-digit code of a township of the city ({city}…)", city=city))
    if role == "police_station" and (township is None or city_wide):
        raise InputError("township", Msg("a police station serves one township: give its code (and no city-wide grant)"))
    if role == "county_approver" and (township is None) == (not city_wide):
        raise InputError("township", Msg("a county approver has a township, or a city-wide grant: exactly one of them"))
    if role not in ("police_station", "county_approver") and (township or city_wide):
        raise InputError("township", Msg("a {role} has no jurisdiction", role=role))
    if department is not None and (role != "department" or not re.fullmatch(r"[a-z][a-z0-9_]{1,19}", department)):
        raise InputError("department", Msg("only a department's account names a department: its code, 2 to 20 "
                                           "lower-case letters, digits or _"))
    if id_number is None:
        return None
    if role != "applicant":
        raise InputError("id_number", Msg("only an applicant's account is bound to a person"))
    try:
        return checked_id_number(id_number)
    except IdNumberError as exc:
        raise InputError("id_number", exc.args[0]) from None


def create_user(engine: Engine, username: str, password: str, role: str, township: str | None = None,
                display_name: str | None = None, *, city_wide: bool = False, id_number: str | None = None,
                city: str = CITY_CODE, department: str | None = None) -> None:
    """Create or update an account; a city-wide grant is the administrator's to give (the command line).
    A department's account names its department (a code of the policy's `departments`): without one
    it sees no tasks."""
    id_number = check_account(role, township, city_wide, id_number, city, department)
    if not username or len(username) > 60:
        raise InputError("username", Msg("1 to 60 characters"))
    if len(password) < 8:
        raise InputError("password", Msg("at least 8 characters"))
    with Session(engine) as session, session.begin():
        taken = session.scalar(select(S.User.username).where(S.User.id_number == id_number)) if id_number else None
        if taken and taken != username:
            raise InputError("id_number", Msg("already bound to the account {account}", account=taken))
        session.merge(S.User(username=username, password_hash=_HASHER.hash(password), role=role, township=township,
                             city_wide=city_wide, id_number=id_number, display_name=display_name or username,
                             department=department))


def _viewer(user: S.User) -> Viewer:
    """Who the account is; an applicant's register person is looked up with it (a submission then
    needs no look-up of its own; a person the register did not hold is looked up again each time)."""
    person = None
    if user.id_number:
        session = Session.object_session(user)
        person = session.scalar(select(S.Person.person_id).where(S.Person.id_number == user.id_number))
    return Viewer(user.username, user.role, user.township, bool(user.city_wide), user.id_number, user.display_name,
                  person, user.department)


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
        return _viewer(user)


def viewer_of(engine: Engine, username: str) -> Viewer | None:
    """Who an account is, without its password (for tools that already hold the database)."""
    with Session(engine) as session:
        user = session.get(S.User, username)
        return _viewer(user) if user else None


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
        return (_viewer(user), row.expires_at) if user else None


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

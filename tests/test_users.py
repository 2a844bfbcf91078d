"""Users and tokens: argon2 sign-in, tokens kept as digests, revocation, and the per-process memory
of who a token stands for (30 s at most, never past the token's expiry)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from hukou.store.database import connect, migrate
from hukou.store.users import (TOKEN_HOURS, TokenCache, authenticate, create_user, issue_token, revoke_token,
                               viewer_for_token)

NOW = datetime(2026, 11, 27, 9, 0, 0)


@pytest.fixture()
def engine(tmp_path):
    engine = connect(f"sqlite:///{tmp_path / 'users.sqlite'}")
    migrate(engine)
    create_user(engine, "p1", "p1-password", "police_station", "652301001")
    return engine


def test_passwords_are_hashed_and_checked(engine):
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT password_hash FROM users WHERE username = 'p1'")).scalar()
    assert stored.startswith("$argon2id$") and "p1-password" not in stored
    assert authenticate(engine, "p1", "p1-password").township == "652301001"
    assert authenticate(engine, "p1", "wrong-password") is None and authenticate(engine, "nobody", "x" * 8) is None


def test_a_token_is_stored_as_its_digest_expires_and_can_be_revoked(engine):
    viewer = authenticate(engine, "p1", "p1-password")
    token = issue_token(engine, viewer, NOW)
    with engine.connect() as conn:
        assert token not in conn.execute(text("SELECT token_hash FROM api_tokens")).scalars().all()
    assert viewer_for_token(engine, token, NOW + timedelta(hours=TOKEN_HOURS - 1)) == viewer
    assert viewer_for_token(engine, token, NOW + timedelta(hours=TOKEN_HOURS, seconds=1)) is None
    revoke_token(engine, token)
    assert viewer_for_token(engine, token, NOW) is None


def test_the_token_memory_forgets_within_its_time_and_never_outlives_the_token(engine):
    viewer = authenticate(engine, "p1", "p1-password")
    token = issue_token(engine, viewer, NOW)
    cache = TokenCache(seconds=30)
    assert cache.cached(token, NOW) is None  # nothing remembered before a lookup
    assert cache.viewer(engine, token, NOW) == viewer
    revoke_token(engine, token)
    assert cache.viewer(engine, token, NOW + timedelta(seconds=29)) == viewer  # remembered, as documented
    assert cache.viewer(engine, token, NOW + timedelta(seconds=31)) is None  # then looked up again: gone
    # near its expiry, a token is remembered only until it expires
    late = issue_token(engine, viewer, NOW - timedelta(hours=TOKEN_HOURS) + timedelta(seconds=10))
    assert cache.viewer(engine, late, NOW) == viewer
    assert cache.cached(late, NOW + timedelta(seconds=11)) is None
    assert cache.viewer(engine, "forged", NOW) is None and cache.cached("forged", NOW) is None

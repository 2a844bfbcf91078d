"""Shared fixtures: the shipped Changji policy and paths to test data."""

from pathlib import Path

import pytest

from hukou.policies import load

TESTS = Path(__file__).parent
CASES = TESTS / "cases"
POLICIES = TESTS / "policies"


@pytest.fixture(scope="session")
def changji():
    return load("changji-2018")


def _postgres_admin():
    import psycopg

    return psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres", autocommit=True, connect_timeout=3)


@pytest.fixture()
def postgres_url():
    """A fresh PostgreSQL database for one test, dropped afterwards. Skips (saying why) when no server
    answers at 127.0.0.1:5432, except under CI=true, where the server must be there."""
    import os
    import uuid

    try:
        admin = _postgres_admin()
    except Exception as exc:  # noqa: BLE001
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but PostgreSQL at 127.0.0.1:5432 is not reachable: {exc}")
        print(f"PostgreSQL not reachable at 127.0.0.1:5432 ({exc}); skipping")
        pytest.skip(f"PostgreSQL not reachable at 127.0.0.1:5432: {exc}")
    name = f"hukou_test_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        from sqlalchemy import create_engine  # noqa: F401 - engines of the test are gone by now

        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()

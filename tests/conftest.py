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

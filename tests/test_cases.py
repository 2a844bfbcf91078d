"""Every case in tests/cases/*.yaml, one test each, through the same runner as `hukou policy test`."""

from __future__ import annotations

import pytest
import yaml

from hukou.policies import load
from hukou.policy.casefile import run_case, validate_case

from conftest import CASES


def _all_cases():
    for path in sorted(CASES.glob("*.yaml")):
        for i, case in enumerate(yaml.safe_load(path.read_text(encoding="utf-8"))):
            yield pytest.param(case, i, id=f"{path.stem}:{case.get('name', i)}")


ALL = list(_all_cases())


def test_there_are_at_least_80_cases():
    assert len(ALL) >= 80


@pytest.mark.parametrize("case,index", ALL)
def test_case(case, index):
    validate_case(case, index)
    result = run_case(case, index, lambda name: load(name or "changji-2018"))
    assert result.passed, "\n".join(result.failures)

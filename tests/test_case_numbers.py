"""Case numbers: one series per city, kind and year, counted without gaps or repeats, on SQLite and
PostgreSQL, also when submissions arrive at the same moment."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytest

from hukou.cases.numbers import case_number, looks_like_case_number, series
from hukou.store.database import connect, migrate
from hukou.store.unit_of_work import UnitOfWork
from test_api_applications import _serve, _submit


def test_a_number_reads_as_the_city_the_kind_the_year_and_its_place():
    assert case_number(series("昌", "settlement", 2026), 123) == "昌落2026-000123"
    assert case_number(series("昌", "residence_permit", 2027), 1) == "昌居2027-000001"
    assert series("昌", "graduate_move", 2026) == series("昌", "settlement", 2026)  # a hukou moving in, either way
    assert looks_like_case_number(" 昌落2026－000123 ") and not looks_like_case_number("张三")


def _count(engine, series_: str, n: int) -> list[int]:
    def one(_):
        with UnitOfWork(engine) as uow:
            got = uow.cases.next_number(series_)
            uow.commit()
            return got
    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(one, range(n)))


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_concurrent_submissions_get_every_number_once(backend, tmp_path, request):
    url = f"sqlite:///{tmp_path / 'n.sqlite'}" if backend == "sqlite" else request.getfixturevalue("postgres_url")
    engine = connect(url)
    migrate(engine)
    got = _count(engine, "昌落2026", 40)
    assert sorted(got) == list(range(1, 41))
    assert sorted(_count(engine, "昌居2026", 3)) == [1, 2, 3]  # another series counts on its own
    engine.dispose()


def test_a_submission_is_numbered_and_a_replay_keeps_its_number(tmp_path):
    client, tokens, _ = _serve(f"sqlite:///{tmp_path / 'api.sqlite'}")
    year = datetime.now().year
    first, again = _submit(client, tokens, key="k1"), _submit(client, tokens, key="k1")
    second = _submit(client, tokens, key="k2", who="bob")
    permit = _submit(client, tokens, key="k3", kind="residence_permit")
    assert first.json()["number"] == again.json()["number"] == f"昌落{year}-000001"
    assert second.json()["number"] == f"昌落{year}-000002"
    assert permit.json()["number"] == f"昌居{year}-000001"
    case = client.get(f"/api/v1/applications/{first.json()['id']}", headers=tokens["alice"]).json()
    assert case["number"] == f"昌落{year}-000001"

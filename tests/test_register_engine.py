"""The synthetic register, the rules over it, reforms, and re-checking any row with the single engine."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from stdnum.cn import ric

from hukou.policies import load
from hukou.policy.reform import apply_reform
from hukou.policy.verdict import evaluate, parse_person
from hukou.registry.synth import generate, summary
from hukou.store.parquet_register import person_facts, write_register
from hukou.store.simulation import compare, simulate
from enginecheck import assert_agree, single_engine_row

D = date(2020, 11, 1)


@pytest.fixture(scope="module")
def register(tmp_path_factory):
    folder = tmp_path_factory.mktemp("register")
    write_register(generate(20_000, seed=11), folder)
    return folder


def test_synth_is_deterministic_for_a_seed():
    a, b, c = generate(2_000, seed=5), generate(2_000, seed=5), generate(2_000, seed=6)
    for name in a:
        assert a[name].equals(b[name]), name
    assert not a["identity"].equals(c["identity"])


def test_synth_id_numbers_are_valid_and_match_birth_date_and_sex():
    t = generate(5_000, seed=3)
    ids = t["identity"]["id_number"].to_pylist()
    sexes = t["identity"]["sex"].to_pylist()
    births = t["people"]["birth_date"].to_pylist()
    assert all(ric.is_valid(x) for x in ids)
    assert all(ric.get_birth_date(x) == b for x, b in zip(ids, births, strict=True))
    assert all((int(x[16]) % 2 == 1) == (s == "M") for x, s in zip(ids, sexes, strict=True))
    assert len(set(ids)) == len(ids)


def test_synth_is_calibrated_to_the_census_and_the_2018_hukou_rate():
    t = generate(100_000, seed=2020)
    census = summary(t)
    assert abs(census["urban_share"] - 0.7428) < 0.02
    assert 0.37 <= summary(t, date(2018, 12, 31))["hukou_urbanization"] <= 0.43


def _days(column) -> np.ndarray:
    return column.cast("int32").to_numpy(zero_copy_only=False)


def test_synth_histories_are_consistent():
    t = generate(20_000, seed=9)
    birth = dict(zip(t["people"]["person_id"].to_pylist(), _days(t["people"]["birth_date"]), strict=True))

    def born(table):
        return np.array([birth[p] for p in table["person_id"].to_pylist()])

    jobs = t["employment"]
    assert (_days(jobs["start"]) - born(jobs) >= 16 * 365).all()
    edu = t["education"].filter(pc.is_valid(t["education"]["graduated"]))
    assert (_days(edu["graduated"]) >= _days(edu["admitted"])).all()
    kids = t["family"].filter(pc.equal(t["family"]["relation"], "child"))
    assert (_days(kids["birth_date"]) - born(kids) >= 18 * 365).all()
    res = t["residence"]
    assert (_days(res["start"]) >= born(res)).all()
    assert set(res["place"].to_pylist()) <= set(t["units"]["code"].to_pylist())


def test_simulation_rows_agree_with_the_single_engine_on_the_registers_own_facts(register):
    """Every field, for a sample of people and for everyone registered twice on one day."""
    policy = load("changji-2018")
    verdicts = simulate(register, D, policy)
    assert verdicts.num_rows == 20_000
    hukou = pq.read_table(register / "hukou.parquet")
    corrected = set(hukou.filter(pc.equal(hukou["seq"], 3))["person_id"].to_pylist())  # into a community and back
    assert len(corrected) > 10
    rng = np.random.default_rng(0)
    sample = corrected | set(verdicts["person_id"].take(rng.choice(verdicts.num_rows, 300, replace=False)).to_pylist())
    expected = {pid: single_engine_row(evaluate(parse_person(person_facts(register, pid, D)), D, policy)) for pid in sample}
    assert_agree("native", expected, verdicts.filter(pc.is_in(verdicts["person_id"], pa.array(sorted(sample)))))
    assert not any(expected[pid]["settlement_reason"] == "already_settled" for pid in corrected)  # back in the village


def test_a_register_read_a_range_of_people_at_a_time_gives_the_same_verdicts(tmp_path, monkeypatch):
    from hukou.store import parquet_register
    from hukou.store.columnar import decoded, verdicts
    from hukou.store.parquet_register import open_register, person_ranges, run_by_person_ranges

    tables = generate(3_000, seed=12)
    monkeypatch.setattr(parquet_register, "ROW_GROUP_PEOPLE", 256)
    write_register(tables, tmp_path / "sorted")
    ranges = person_ranges(tmp_path / "sorted", people_per_range=700)
    assert 4 <= len(ranges) <= 6
    assert all(a[1] + 1 == b[0] for a, b in zip(ranges, ranges[1:], strict=False))
    policy = load("changji-2018")
    con, views = open_register(tmp_path / "sorted")
    in_ranges = verdicts(views, D, policy, run=lambda expr: run_by_person_ranges(con, expr, ranges))
    at_once = verdicts(views, D, policy)
    assert in_ranges.num_rows == 3_000
    assert decoded(in_ranges.sort_by("person_id")).equals(decoded(at_once.sort_by("person_id")))
    # a file not sorted by person id: the register is read in one go
    residence = pq.read_table(tmp_path / "sorted" / "residence.parquet")
    pq.write_table(residence.take(np.arange(residence.num_rows)[::-1]), tmp_path / "sorted" / "residence.parquet",
                   row_group_size=256)
    assert person_ranges(tmp_path / "sorted", people_per_range=700) == [parquet_register.ALL_PEOPLE]


def test_a_reform_moves_people_between_verdicts(register):
    policy = load("changji-2018")
    baseline = simulate(register, D, policy)
    stricter = simulate(register, D, apply_reform(policy, {"title": "12个月社保",
                        "parameters": {"settlement.general.min_social_insurance_months": 12}}))
    result = compare(baseline, stricter)
    routes = {r: (b, n) for r, b, n in result.by_route}
    assert routes["general"][1] < routes["general"][0]
    assert result.changed.num_rows > 0
    after = set(result.changed["failed_rule_after"].drop_null().to_pylist())
    assert "general.social_insurance" in after
    eligible_before = pc.sum(pc.equal(baseline["settlement"], "eligible")).as_py()
    assert sum(b for _, _, b, _ in result.by_township) == eligible_before
    # every person changed is one whose verdict differs, and every such person is listed
    differs = [x["person_id"] for x, y in zip(baseline.to_pylist(), stricter.to_pylist(), strict=True)
               if (x["settlement"], x["route"], x["household"], x["residence_permit"])
               != (y["settlement"], y["route"], y["household"], y["residence_permit"])]
    assert result.changed["person_id"].to_pylist() == differs

    # runs in another order (the DuckDB engine's), or of other people, are set side by side by person
    shuffled = stricter.take(np.random.default_rng(1).permutation(stricter.num_rows))
    again = compare(baseline, shuffled)
    assert (again.by_township, again.by_route, again.by_key_group) == (result.by_township, result.by_route, result.by_key_group)
    assert again.changed.equals(result.changed)
    fewer = compare(baseline, shuffled.slice(0, 5_000))
    assert fewer.people == 5_000
    kept = set(shuffled.slice(0, 5_000)["person_id"].to_pylist())
    assert fewer.changed["person_id"].to_pylist() == [p for p in differs if p in kept]


def hukou(*args):
    return subprocess.run([sys.executable, "-m", "hukou", *args], capture_output=True, text=True, timeout=300)


def test_cli_synth_simulate_facts_check(tmp_path):
    folder = tmp_path / "reg"
    r = hukou("synth", "--residents", "3000", "--seed", "4", "--out", str(folder))
    assert r.returncode == 0, r.stderr
    assert "3,000 residents (seed 4)" in r.stdout
    out = tmp_path / "v.parquet"
    r = hukou("simulate", "--register", str(folder), "--date", "2020-11-01", "--out", str(out))
    assert r.returncode == 0, r.stderr
    rows = pq.read_table(out)
    # person ids carry min/max statistics (a reader finds a range of people), the words do not
    meta = pq.ParquetFile(out).metadata.row_group(0)
    stats = {meta.column(i).path_in_schema: meta.column(i).statistics for i in range(meta.num_columns)}
    assert stats["person_id"].has_min_max and stats["settlement"] is None
    assert rows.num_rows == 3000
    assert set(rows.column_names) >= {"person_id", "settlement", "route", "household", "key_groups",
                                      "residence_permit", "failed_rule"}
    row = rows.filter(pc.equal(rows["settlement"], "eligible")).slice(0, 1).to_pylist()[0]
    facts = hukou("register", "facts", "--register", str(folder), "--person", str(row["person_id"]), "--date", "2020-11-01",
                  "--purpose", "compare with the bulk engine")
    assert facts.returncode == 0, facts.stderr
    checked = subprocess.run([sys.executable, "-m", "hukou", "check", "-", "--date", "2020-11-01"], input=facts.stdout,
                             capture_output=True, text=True, timeout=60)
    verdict = json.loads(checked.stdout)
    assert verdict["settlement"]["route"] == row["route"]


def test_cli_simulate_with_a_reform_prints_both_sides(tmp_path, register):
    reform = tmp_path / "reform.yaml"
    reform.write_text("title: 社保12个月\nparameters:\n  settlement.general.min_social_insurance_months: 12\n",
                      encoding="utf-8")
    changed = tmp_path / "changed.parquet"
    r = hukou("simulate", "--register", str(register), "--date", "2020-11-01", "--reform", str(reform),
              "--changed-out", str(changed))
    assert r.returncode == 0, r.stderr
    assert "By township" in r.stdout and "By route" in r.stdout and "By key group" in r.stdout
    assert "people change verdict" in r.stdout
    assert pq.read_table(changed).num_rows > 0


def test_cli_simulate_missing_register_is_an_input_error(tmp_path):
    r = hukou("simulate", "--register", str(tmp_path / "nowhere"), "--date", "2020-11-01")
    assert r.returncode == 2 and r.stderr.startswith("error: register: no register folder")


def _copy_with(register, tmp_path, name: str, change) -> object:
    import shutil

    folder = tmp_path / "changed"
    shutil.copytree(register, folder)
    pq.write_table(change(pq.read_table(folder / f"{name}.parquet")), folder / f"{name}.parquet")
    return folder


@pytest.mark.parametrize("engine", ["native", "duckdb"])
def test_a_register_column_of_the_wrong_type_or_missing_is_an_input_error_naming_it(register, tmp_path, engine):
    import pyarrow as pa

    from hukou.policy.errors import InputError

    as_text = _copy_with(register, tmp_path, "hukou", lambda t: t.set_column(1, "since", t["since"].cast(pa.string())))
    with pytest.raises(InputError) as e:
        simulate(as_text, D, load("changji-2018"), engine)
    assert e.value.path == "hukou.since" and "found string" in str(e.value)
    missing = _copy_with(register, tmp_path / "2", "residence", lambda t: t.drop_columns(["urban"]))
    with pytest.raises(InputError) as e:
        simulate(missing, D, load("changji-2018"), engine)
    assert e.value.path == "residence.urban"
    r = hukou("simulate", "--register", str(missing), "--date", "2020-11-01", "--engine", engine)
    assert r.returncode == 2 and r.stderr.startswith("error: residence.urban: ")


@pytest.mark.parametrize("engine", ["native", "duckdb"])
def test_a_register_without_hukou_seq_or_with_registrations_unnumbered_is_an_input_error(register, tmp_path, engine):
    import pyarrow as pa

    from hukou.policy.errors import InputError

    older = _copy_with(register, tmp_path, "hukou", lambda t: t.drop_columns(["seq"]))
    with pytest.raises(InputError) as e:
        simulate(older, D, load("changji-2018"), engine)
    assert e.value.path == "hukou.seq"
    unnumbered = _copy_with(register, tmp_path / "2", "hukou", lambda t: t.set_column(
        2, "seq", pa.array([None] * 3 + t["seq"].to_pylist()[3:], pa.int32())))
    with pytest.raises(InputError) as e:
        simulate(unnumbered, D, load("changji-2018"), engine)
    assert e.value.path == "hukou.seq" and "3 registrations" in e.value.message


def test_narrower_integers_and_64_bit_dates_read_as_the_schema_s_types(register, tmp_path):
    import pyarrow as pa

    from hukou.store.columnar import decoded

    def narrower(t):
        t = t.set_column(0, "person_id", t["person_id"].cast(pa.int32()))
        return t.set_column(1, "start", t["start"].cast(pa.date64()))

    folder = _copy_with(register, tmp_path, "residence", narrower)
    expected = decoded(simulate(register, D, load("changji-2018"))).sort_by("person_id")
    for engine in ("native", "duckdb"):
        got = decoded(simulate(folder, D, load("changji-2018"), engine)).sort_by("person_id")
        assert got.equals(expected), engine


def test_synth_households_hold_every_local_hukou_holder_once_with_one_head():
    t = generate(8_000, seed=13)
    members = t["household_members"].to_pylist()
    households = {h["id"]: h for h in t["households"].to_pylist()}
    heads = [m for m in members if m["relation"] == "head"]
    assert len(heads) == len(households)
    assert {m["household_id"] for m in heads} == set(households)
    assert all(households[m["household_id"]]["head_person_id"] == m["person_id"] for m in heads)
    # every person whose current hukou is in the city belongs to exactly one household at that place
    latest = {}
    for h in sorted(t["hukou"].to_pylist(), key=lambda r: (r["since"], r["seq"])):
        latest[h["person_id"]] = h["place"]
    local = {p for p, place in latest.items() if place.startswith("652301")}
    by_person = {}
    for m in members:
        assert m["person_id"] not in by_person
        by_person[m["person_id"]] = m["household_id"]
    assert set(by_person) == local
    assert all(households[hid]["place"] == latest[p] for p, hid in by_person.items())


def test_simulating_a_register_under_another_citys_policy_is_an_input_error(register):
    from pathlib import Path

    from hukou.policies import load_path
    from hukou.policy.errors import InputError

    city = load_path(Path(__file__).parent.parent / "docs" / "examples" / "example-city.yaml")
    with pytest.raises(InputError) as err:
        simulate(register, date(2020, 11, 1), city)
    assert err.value.path == "residence.place" and "lie outside 示例市" in err.value.message

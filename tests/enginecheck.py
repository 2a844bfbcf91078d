"""Holding a bulk engine to the single-person engine: each person's facts built from the register's
rows (`person_facts.facts_at`, as `hukou check --person` builds them), checked one at a time, and
every field a bulk engine returns compared person by person."""

from __future__ import annotations

from datetime import date

import pyarrow as pa

from hukou.policy.errors import InputError
from hukou.policy.verdict import evaluate, parse_person
from hukou.registry.fact_tables import SCHEMAS, to_tables
from hukou.registry.person_facts import ORDER, facts_at
from hukou.store.columnar import decoded

FIELDS = ("settlement", "settlement_reason", "route", "household", "route_talent", "route_student", "route_general",
          "key_groups", "followers", "settlement_missing", "residence_permit", "permit_reason", "permit_missing",
          "guardian_required", "failed_rule")


def single_engine_row(verdict) -> dict:
    """The bulk engines' fields of a single-person verdict (RULEBOOK §7)."""
    v = verdict.as_dict()
    s, p = v["settlement"], v["residence_permit"]
    return {"settlement": s["status"], "settlement_reason": s["reason"], "route": s["route"], "household": s["household"],
            **{f"route_{name}": result for name, result in s["routes"].items()},
            "key_groups": s["key_groups"], "followers": s["followers"], "settlement_missing": s["missing"],
            "residence_permit": p["status"], "permit_reason": p["reason"], "permit_missing": p["missing"],
            "guardian_required": p["guardian_required"], "failed_rule": s["failed_rule"]}


def register_rows(tables: dict[str, pa.Table]):
    """`facts_at`'s rows of a person from Arrow tables, in the order the stores read them (ORDER)."""
    by_person: dict[str, dict[int, list[dict]]] = {}
    for name, table in tables.items():
        rows: dict[int, list[dict]] = {}
        for row in table.to_pylist():
            rows.setdefault(row["person_id"], []).append(row)
        keys = ORDER.get(name, ())
        for records in rows.values():
            records.sort(key=lambda r: tuple((r[k] is None, r[k]) for k in keys))
        by_person[name] = rows
    return lambda pid: (lambda name: by_person[name].get(pid, []))


def expected_rows(tables: dict[str, pa.Table], d: date, policy) -> dict[int, dict]:
    """The single-person engine's row of every person registered at d (none for the others)."""
    rows_of = register_rows(tables)
    expected = {}
    for pid in tables["people"]["person_id"].to_pylist():
        try:
            facts = facts_at(pid, d, rows_of(pid))
        except InputError:  # no registration on or before d: not in the register's verdicts either
            continue
        expected[pid] = single_engine_row(evaluate(parse_person(facts), d, policy))
    return expected


def assert_agree(engine: str, expected: dict[int, dict], got: pa.Table) -> None:
    """Every field of every person the same, and the same people."""
    rows = decoded(got).to_pylist()
    assert sorted(r["person_id"] for r in rows) == sorted(expected), f"{engine}: other people"
    mismatches = [(row["person_id"], field, expected[row["person_id"]][field], row[field])
                  for row in rows for field in FIELDS if row[field] != expected[row["person_id"]][field]]
    assert not mismatches, f"{engine}: {len(mismatches)} mismatches (person, field, single, bulk), first: {mismatches[:10]}"


def same_day_register() -> dict[str, pa.Table]:
    """Two people whose registrations of one day were written in another order than the file's: the
    one written last (highest seq) is in force, whatever the other's flags."""
    born = date(1990, 1, 1)
    tables = to_tables([(pid, parse_person({"birth_date": born.isoformat(), "hukou": {"place": "622425", "urban": False}}))
                        for pid in (1, 2)])
    day, village, community = date(2019, 5, 1), "652301100201", "652301001001"
    hukou = [  # (person, since, seq, place, urban), in file order
        (1, day, 2, village, False), (1, day, 1, community, True), (1, date(2010, 1, 1), 3, "622425", False),
        (2, day, 3, "622425", False), (2, day, 1, community, True), (2, day, 2, village, False),
        (2, date(2020, 1, 1), 4, community, True)]
    tables["hukou"] = pa.Table.from_pylist([dict(zip(SCHEMAS["hukou"].names, h, strict=True)) for h in hukou],
                                           schema=SCHEMAS["hukou"])
    return tables

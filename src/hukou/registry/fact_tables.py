"""The register's facts as normalized tables: the columnar engine's input, and Parquet's layout.

One row per person in `people` with the hukou history in `hukou`, and one row per record in each
fact table. Whether a fact is known at all is explicit (`people.<key>_known`): a person with no
rows in `education` and `education_known = true` has known no education, and with
`education_known = false` has unknown education (RULEBOOK §2: absent means unknown, empty means none).
Military service, family and permit have no flag: absent means none. A person's registrations are
numbered in the order written (`hukou.seq`: 1, 2, …), so that of two registrations dated the same
day the later written is the one in force (`person_facts.in_force`). Months are integers
`year * 12 + month - 1`. Nullable columns carry the nested unknowns (`housing.registered`,
`residence.urban`, `education.certified`).
"""

from __future__ import annotations

from datetime import date
from typing import Iterable

import pyarrow as pa

from hukou.policy.facts import Person

KNOWN_FLAGS = ("residence", "housing", "employment", "social_insurance", "education", "qualifications")

SCHEMAS: dict[str, pa.Schema] = {
    "people": pa.schema([("person_id", pa.int64()), ("birth_date", pa.date32())]
                        + [(f"{k}_known", pa.bool_()) for k in KNOWN_FLAGS]),
    "hukou": pa.schema([("person_id", pa.int64()), ("since", pa.date32()), ("seq", pa.int32()), ("place", pa.string()),
                        ("urban", pa.bool_())]),
    "residence": pa.schema([("person_id", pa.int64()), ("start", pa.date32()), ("end", pa.date32()),
                           ("place", pa.string()), ("urban", pa.bool_())]),
    "housing": pa.schema([("person_id", pa.int64()), ("kind", pa.string()), ("registered", pa.bool_())]),
    "employment": pa.schema([("person_id", pa.int64()), ("start", pa.date32()), ("end", pa.date32())]),
    "social_insurance": pa.schema([("person_id", pa.int64()), ("start_month", pa.int32()), ("end_month", pa.int32())]),
    "education": pa.schema([("person_id", pa.int64()), ("level", pa.string()), ("admitted", pa.date32()),
                           ("graduated", pa.date32()), ("institution_in_city", pa.bool_()), ("abroad", pa.bool_()),
                           ("certified", pa.bool_())]),
    "qualifications": pa.schema([("person_id", pa.int64()), ("kind", pa.string()), ("obtained", pa.date32())]),
    "military": pa.schema([("person_id", pa.int64()), ("enlisted", pa.date32()), ("discharged", pa.date32())]),
    "family": pa.schema([("person_id", pa.int64()), ("relation", pa.string()), ("birth_date", pa.date32()),
                        ("moving", pa.bool_())]),
}
TABLES = tuple(SCHEMAS)

# The order of a person's records in a Parquet register (after person_id): the order in which the
# columnar engine measures a union of periods, so a register written this way needs no sorting to
# be read (`hukou.store.sorted_facts`).
SORTED_BY: dict[str, tuple[str, ...]] = {
    "hukou": ("since", "seq"), "residence": ("start", "end"), "employment": ("start", "end"),
    "social_insurance": ("start_month", "end_month"), "education": ("admitted",),
}


def month_number(month: tuple[int, int]) -> int:
    return month[0] * 12 + month[1] - 1


def to_tables(people: Iterable[tuple[int, Person]], hukou_since: date | None = None) -> dict[str, pa.Table]:
    """Normalize persons' §2 facts into the register tables (the hukou registered since birth by default)."""
    rows: dict[str, list[dict]] = {name: [] for name in TABLES}
    for pid, p in people:
        rows["people"].append({"person_id": pid, "birth_date": p.birth_date,
                               **{f"{k}_known": getattr(p, k) is not None for k in KNOWN_FLAGS}})
        rows["hukou"].append({"person_id": pid, "since": hukou_since or p.birth_date, "seq": 1,
                              "place": p.hukou.place, "urban": p.hukou.urban})
        for r in p.residence or ():
            rows["residence"].append({"person_id": pid, "start": r.start, "end": r.end, "place": r.place, "urban": r.urban})
        if p.housing is not None:
            rows["housing"].append({"person_id": pid, "kind": p.housing.kind, "registered": p.housing.registered})
        for e in p.employment or ():
            rows["employment"].append({"person_id": pid, "start": e.start, "end": e.end})
        for s in p.social_insurance or ():
            rows["social_insurance"].append({"person_id": pid, "start_month": month_number(s.start),
                                             "end_month": month_number(s.end) if s.end else None})
        for e in p.education or ():
            rows["education"].append({"person_id": pid, "level": e.level, "admitted": e.admitted, "graduated": e.graduated,
                                      "institution_in_city": e.institution_in_city, "abroad": e.abroad,
                                      "certified": e.certified})
        for q in p.qualifications or ():
            rows["qualifications"].append({"person_id": pid, "kind": q.kind, "obtained": q.obtained})
        if p.military is not None:
            rows["military"].append({"person_id": pid, "enlisted": p.military.enlisted, "discharged": p.military.discharged})
        if p.family is not None:
            if p.family.spouse is not None:
                rows["family"].append({"person_id": pid, "relation": "spouse", "birth_date": None, "moving": p.family.spouse.moving})
            for c in p.family.children:
                rows["family"].append({"person_id": pid, "relation": "child", "birth_date": c.birth_date, "moving": c.moving})
            for parent in p.family.parents:
                rows["family"].append({"person_id": pid, "relation": "parent", "birth_date": None, "moving": parent.moving})
    return {name: pa.Table.from_pylist(rows[name], schema=SCHEMAS[name]) for name in TABLES}

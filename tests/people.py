"""Hypothesis strategies for RULEBOOK §2 facts, unknown keys included (absent top-level keys)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import strategies as st

LOW, HIGH = date(1995, 1, 1), date(2022, 12, 31)
OUTSIDE_PLACES = ["622425", "410521", "511025", "650102", "652302", "110105", "441900"]
CITY_PLACES = ["652301001", "652301003", "652301104201", "652301003005", "652301"]
DATES = st.dates(min_value=date(2018, 12, 5), max_value=date(2022, 12, 31))
TOP_LEVEL_OPTIONAL = ["residence", "housing", "employment", "social_insurance", "education",
                      "qualifications", "military", "permit", "family"]


def _iso(d: date) -> str:
    return d.isoformat()


@st.composite
def interval(draw, low=LOW, high=HIGH):
    start = draw(st.dates(min_value=low, max_value=high))
    end = draw(st.one_of(st.none(), st.dates(min_value=start, max_value=start + timedelta(days=3000))))
    return {"from": _iso(start), "to": _iso(end) if end else None}


@st.composite
def residence_record(draw):
    rec = draw(interval())
    rec["place"] = draw(st.sampled_from(CITY_PLACES))
    urban = draw(st.sampled_from([True, False, None]))
    if urban is not None:
        rec["urban"] = urban
    return rec


@st.composite
def month_interval(draw):
    y, m = draw(st.integers(2005, 2022)), draw(st.integers(1, 12))
    rec = {"from": f"{y:04d}-{m:02d}"}
    if draw(st.booleans()):
        span = draw(st.integers(0, 120))
        idx = y * 12 + m - 1 + span
        rec["to"] = f"{idx // 12:04d}-{idx % 12 + 1:02d}"
    return rec


@st.composite
def education_record(draw):
    admitted = draw(st.dates(min_value=LOW, max_value=HIGH))
    rec = {"level": draw(st.sampled_from(["vocational", "associate", "bachelor", "master", "doctor"])),
           "admitted": _iso(admitted)}
    if draw(st.booleans()):
        rec["graduated"] = _iso(admitted + timedelta(days=draw(st.integers(0, 2000))))
    for key in ("institution_in_city", "abroad"):
        if draw(st.booleans()):
            rec[key] = draw(st.booleans())
    certified = draw(st.sampled_from([True, False, None]))
    if certified is not None:
        rec["certified"] = certified
    return rec


@st.composite
def qualification(draw):
    rec = {"kind": draw(st.sampled_from(["skill_certificate", "vocational_qualification"]))}
    if draw(st.integers(0, 4)):
        rec["obtained"] = _iso(draw(st.dates(min_value=LOW, max_value=HIGH)))
    return rec


@st.composite
def housing(draw):
    rec = {"kind": draw(st.sampled_from(["owned", "rented", "employer", "school", "none"]))}
    registered = draw(st.sampled_from([True, False, None]))
    if registered is not None:
        rec["registered"] = registered
    return rec


@st.composite
def family(draw):
    rec: dict = {}
    if draw(st.booleans()):
        rec["spouse"] = {"moving": draw(st.booleans())}
    rec["children"] = [{"birth_date": _iso(draw(st.dates(min_value=date(1995, 1, 1), max_value=HIGH))),
                        "moving": draw(st.booleans())} for _ in range(draw(st.integers(0, 3)))]
    rec["parents"] = [{"moving": draw(st.booleans())} for _ in range(draw(st.integers(0, 2)))]
    return rec


@st.composite
def military(draw):
    enlisted = draw(st.dates(min_value=LOW, max_value=HIGH))
    rec = {"enlisted": _iso(enlisted)}
    if draw(st.booleans()):
        rec["discharged"] = _iso(enlisted + timedelta(days=draw(st.integers(300, 3000))))
    return rec


@st.composite
def permit(draw):
    issued = draw(st.dates(min_value=date(2016, 1, 1), max_value=HIGH))
    ends = sorted(issued + timedelta(days=draw(st.integers(200, 2500))) for _ in range(draw(st.integers(0, 4))))
    return {"issued": _iso(issued), "endorsements": [_iso(e) for e in ends]}


FIELD_STRATEGIES = {
    "residence": st.lists(residence_record(), max_size=3),
    "housing": housing(),
    "employment": st.lists(interval(), max_size=3),
    "social_insurance": st.lists(month_interval(), max_size=3),
    "education": st.lists(education_record(), max_size=2),
    "qualifications": st.lists(qualification(), max_size=2),
    "military": military(),
    "permit": permit(),
    "family": family(),
}


@st.composite
def people(draw, all_known: bool = False):
    """A person as raw §2 facts; each optional top-level key present or absent (unknown)."""
    person = {
        "birth_date": _iso(draw(st.dates(min_value=date(1955, 1, 1), max_value=date(2020, 12, 31)))),
        "hukou": {"place": draw(st.sampled_from(OUTSIDE_PLACES + CITY_PLACES)), "urban": draw(st.booleans())},
    }
    for key in TOP_LEVEL_OPTIONAL:
        if all_known or draw(st.booleans()):
            person[key] = draw(FIELD_STRATEGIES[key])
    return person

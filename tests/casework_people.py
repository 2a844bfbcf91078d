"""People and actions for the casework tests: valid citizen ID numbers, viewers bound to them, and
the data the service would give a submission or a decision."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from stdnum.cn import ric

from hukou.cases import case as C
from hukou.cases.viewer import Viewer


def id_number(body17: str) -> str:
    """A valid citizen ID number from its first 17 digits (place 6, birth date 8, sequence 3)."""
    return body17 + ric.calc_check_digit(body17 + "0")


WANG = id_number("62242519900307451")  # a man born 1990-03-07 in 622425
ZHAO = id_number("62242519920411002")  # his wife, born 1992-04-11
CHILD = id_number("65230120150601003")  # their son, born 2015-06-01
GRANDPA = id_number("62242519600101001")  # his father, born 1960-01-01
TEEN = id_number("65230120020301004")  # born 2002-03-01: a minor until 2020-03-01

T0 = datetime(2019, 9, 20, 9, 0)
TOWN, OTHER = "652301001", "652301002"

wang = Viewer("wang", "applicant", id_number=WANG)
zhao = Viewer("zhao", "applicant", id_number=ZHAO)
grandpa = Viewer("grandpa", "applicant", id_number=GRANDPA)
stranger = Viewer("eve", "applicant", id_number=id_number("11010119850101001"))
p1 = Viewer("p1", "police_station", TOWN)
p2 = Viewer("p2", "police_station", OTHER)
a1 = Viewer("a1", "county_approver", city_wide=True)
a2 = Viewer("a2", "county_approver", city_wide=True)
a3 = Viewer("a3", "county_approver", TOWN)


def party(key: str, relation: str, number: str, name: str, person_id: int | None = None) -> dict:
    return {"key": key, "relation": relation, "id_number": number, "name": name, "person_id": person_id}


def followers(*people: tuple[str, str, str]) -> list[dict]:
    """(relation, id_number, name) → the parties f1, f2, … of a submission."""
    return [party(f"f{i}", rel, number, name) for i, (rel, number, name) in enumerate(people, start=1)]


def submission(*follow: tuple[str, str, str], applicant: str = WANG, name: str = "王五", counter: bool = False,
               **extra) -> dict:
    return {"applicant": party("applicant", "applicant", applicant, name), "followers": followers(*follow),
            "counter": counter, **extra}


def verdict_at(status: str = "eligible", on: date = T0.date()) -> dict:
    return {"status": status, "date": on.isoformat(), "policy": "changji-2018"}


def decision(status: str = "eligible", *, override: bool | None = None, **data) -> dict:
    """A decision's data as the service records it (the verdict it was made on)."""
    rejected = "failed_rule" in data
    if override is None:
        override = rejected == (status == "eligible")
    return {**data, "override": override, "verdict": verdict_at(status), "facts": {"birth_date": "1990-03-07"}}


def act(type_: str, viewer: Viewer, minutes: int = 0, **data) -> tuple[C.Action, Viewer]:
    return C.Action(type_, T0 + timedelta(minutes=minutes), viewer.username, viewer.role, data), viewer


def run(kind: str, *steps: tuple[C.Action, Viewer]) -> C.Case:
    c = C.Case("c1", kind)
    for action, viewer in steps:
        c = C.append(c, action, c.version, viewer)
    return c


def then(c: C.Case, step: tuple[C.Action, Viewer]) -> C.Case:
    return C.append(c, step[0], c.version, step[1])

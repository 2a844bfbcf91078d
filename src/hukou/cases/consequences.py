"""What an action does to the register: a pure function from (case, action, register facts) to commands.

A registered settlement or move: the applicant, the adults who consented and the minor children
listed get a hukou at the chosen place (a community or village of the case's township, urban or
rural as the register's divisions class it, never as a client says), in one new household headed by
the applicant; a person the register does not hold yet is created from the case (identity from the
ID number and name, residence from the facts the decision was made on). Their issued residence
permits are cancelled. An issued permit: refused when its holder's hukou was moved into the city by
another case since the permit was applied for.

The service looks up the register facts (under a lock on the people concerned), calls these
functions, carries the commands out and appends the action, in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from hukou.cases.case import Case, State, state, who_moves
from hukou.cases.errors import CaseError
from hukou.cases.parties import APPLICANT, Party, sex_of
from hukou.i18n import Msg


@dataclass(frozen=True)
class Place:
    """A community or village of the register's divisions."""

    code: str
    township: str
    urban: bool


@dataclass(frozen=True)
class RegisterFacts:
    """What the register says about the people an action concerns, looked up by the service."""

    people: dict[str, int]  # id_number -> person_id, for the parties the register holds
    moved_since_submission: dict[str, str]  # id_number -> the other case that moved that person since
    open_permits: tuple[str, ...] = ()  # issued, open permit cases of the people who move
    place: Place | None = None
    new_person_ids: tuple[int, ...] = ()  # ids for the people the register does not hold yet
    new_household_id: int | None = None


@dataclass(frozen=True)
class CreatePerson:
    person_id: int
    id_number: str
    name: str
    sex: str
    birth_date: date
    residence: tuple[dict[str, Any], ...] | None  # rows of the residence table (start, end, place, urban); None: unknown


@dataclass(frozen=True)
class FoundHousehold:
    household_id: int
    kind: str
    place: str
    head_person_id: int


@dataclass(frozen=True)
class RegisterHukou:
    person_id: int
    place: str
    urban: bool
    since: date
    household_id: int
    relation: str  # in the household: head | spouse | child | parent


@dataclass(frozen=True)
class CancelPermit:
    case_id: str
    reason: str


Command = CreatePerson | FoundHousehold | RegisterHukou | CancelPermit


def refuse_if_moved(parties: tuple[Party, ...], facts: RegisterFacts) -> None:
    for p in parties:
        other = facts.moved_since_submission.get(p.id_number)
        if other:
            raise CaseError("person", Msg("{name}'s hukou was registered by case {other} after this case was "
                                          "submitted: a second registration is refused", name=p.name, other=other),
                            status=409)


def registration(case: Case, data: dict[str, Any], on: date, township: str | None,
                 facts: RegisterFacts) -> tuple[dict[str, Any], list[Command]]:
    """The registered action's record and its commands; CaseError when the place or the people do not allow it."""
    s = state(case)
    place = facts.place
    if place is None or place.code != data["place"]:
        raise CaseError("data.place", Msg("not a community or village of the register"))
    if township is None or place.township != township:
        raise CaseError("data.place", Msg("choose a community or village of the case's township ({township})",
                                             township=township))
    movers = who_moves(case, on, data.get("followers"))
    refuse_if_moved(movers, facts)
    new = [p for p in movers if p.id_number not in facts.people]
    if len(facts.new_person_ids) < len(new) or facts.new_household_id is None:
        raise ValueError("the service allocates an id for each new person and for the household")  # a bug, not input
    ids = dict(facts.people)
    commands: list[Command] = []
    for p, pid in zip(new, facts.new_person_ids):
        ids[p.id_number] = pid
        residence = _residence(s) if p.key == APPLICANT else None
        commands.append(CreatePerson(pid, p.id_number, p.name, sex_of(p.id_number), p.birth_date, residence))
    household = _household_kind(case, s)
    head = ids[movers[0].id_number]
    commands.append(FoundHousehold(facts.new_household_id, household, place.code, head))
    for p in movers:
        relation = "head" if p.key == APPLICANT else p.relation
        commands.append(RegisterHukou(ids[p.id_number], place.code, place.urban, on, facts.new_household_id, relation))
    commands += [CancelPermit(c, f"settled: hukou registered by case {case.id}") for c in facts.open_permits if c != case.id]
    moved_keys = {p.key for p in movers}
    record = {**data, "urban": place.urban, "household": household, "household_id": facts.new_household_id,
              "moved": [{"party": p.key, "person_id": ids[p.id_number], "created": p.id_number not in facts.people}
                        for p in movers],
              "left_out": [p.key for p in s.parties if p.key not in moved_keys]}
    return record, commands


def issuance(case: Case, facts: RegisterFacts) -> None:
    """A permit is not issued to someone whose hukou another case moved into the city since they applied."""
    refuse_if_moved(state(case).parties[:1], facts)


def _household_kind(case: Case, s: State) -> str:
    if case.kind == "student_move":
        return "collective"
    decided = s.decision.data.get("verdict", {}) if s.decision else {}
    return "collective" if decided.get("household") == "collective" else "family"


def _residence(s: State) -> tuple[dict[str, Any], ...] | None:
    """The residence records of the facts the decision was made on, as register rows (None: not known)."""
    facts = (s.decision.data.get("facts") if s.decision else None) or {}
    if not isinstance(facts.get("residence"), list):
        return None
    rows = []
    for r in facts["residence"]:
        if isinstance(r, dict) and r.get("from") and r.get("place"):
            rows.append({"start": date.fromisoformat(r["from"]), "end": date.fromisoformat(r["to"]) if r.get("to") else None,
                         "place": r["place"], "urban": r.get("urban")})
    return tuple(rows)

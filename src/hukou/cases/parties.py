"""The people of a case: the applicant and the followers (随迁) fixed at submission (pure).

Every party is named by a citizen ID number (GB 11643, checked with python-stdnum), which also
gives the birth date and sex; the server adds the register's `person_id` when the register holds
that number, never the client. Each party has a key: `applicant`, then `f1`, `f2`, … in the order
the followers were listed. Adults (18 or over on the day) consent for themselves (§二(二)2:
settlement is voluntary); the applicant consents for the minor children listed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from hukou.policy.calendar import age_on

APPLICANT = "applicant"
RELATIONS = ("spouse", "child", "parent")
ADULT_AGE = 18
MAX_FOLLOWERS = 10


class IdNumberError(ValueError):
    """Not a citizen ID number: the message says why, without repeating the number."""


def checked_id_number(value: str) -> str:
    """The ID number in its compact form (upper-case X), or IdNumberError."""
    try:
        return ric.validate(str(value).strip())
    except ValidationError as exc:
        raise IdNumberError(_WHY.get(type(exc).__name__, "not a valid citizen ID number")) from None


_WHY = {"InvalidLength": "a citizen ID number has 18 characters",
        "InvalidFormat": "a citizen ID number is 17 digits and a digit or X",
        "InvalidChecksum": "the last character does not match (a digit was mistyped)",
        "InvalidComponent": "the birth date or place in it is not valid"}


def birth_date_of(id_number: str) -> date:
    return ric.get_birth_date(id_number)


def sex_of(id_number: str) -> str:
    """M or F, from the 17th digit (odd: male)."""
    return "M" if int(id_number[16]) % 2 else "F"


def masked(id_number: str) -> str:
    """The number as shown beside a name: the first six digits and the last one."""
    return id_number[:6] + "*" * 11 + id_number[-1:]


@dataclass(frozen=True)
class Party:
    key: str  # applicant | f1 | f2 | …
    relation: str  # applicant | spouse | child | parent
    id_number: str
    name: str
    person_id: int | None = None  # the register's person, when it holds this ID number

    @property
    def birth_date(self) -> date:
        return birth_date_of(self.id_number)

    def adult_on(self, d: date) -> bool:
        return age_on(self.birth_date, d) >= ADULT_AGE

    def as_data(self) -> dict[str, Any]:
        return {"key": self.key, "relation": self.relation, "id_number": self.id_number, "name": self.name,
                "person_id": self.person_id}


def party_from_data(data: Any) -> Party | None:
    """A party as the submission recorded it; None for anything that is not one (an old log)."""
    if not isinstance(data, dict):
        return None
    try:
        person = data.get("person_id")
        return Party(str(data["key"]), str(data["relation"]), checked_id_number(data["id_number"]),
                     str(data.get("name") or ""), person if isinstance(person, int) else None)
    except (KeyError, IdNumberError):
        return None


def consent_needed(parties: tuple[Party, ...], d: date) -> tuple[Party, ...]:
    """Who must consent on `d`: the applicant and every follower who is an adult that day."""
    return tuple(p for p in parties if p.key == APPLICANT or p.adult_on(d))


def moving(parties: tuple[Party, ...], consented: frozenset[str], d: date) -> tuple[Party, ...]:
    """Who a registration on `d` moves: the applicant, the adults who consented, the minors listed."""
    return tuple(p for p in parties if p.key == APPLICANT or p.key in consented or not p.adult_on(d))


def party_of(parties: tuple[Party, ...], id_number: str | None) -> Party | None:
    """The party with this ID number (an applicant's account), or None."""
    if not id_number:
        return None
    return next((p for p in parties if p.id_number == id_number), None)

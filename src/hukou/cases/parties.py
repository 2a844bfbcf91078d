"""The people of a case: the applicant and the followers (随迁) fixed at submission (pure).

Every party is named by a citizen ID number (GB 11643, checked with python-stdnum), which also
gives the birth date and sex; the server adds the register's `person_id` when the register holds
that number, never the client. Each party has a key: `applicant`, then `f1`, `f2`, … in the order
the followers were listed. Adults (18 or over on the day) consent for themselves (§二(二)2:
settlement is voluntary); the applicant consents for the minor children listed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable

from stdnum.cn import ric
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength, ValidationError

from hukou.i18n import Msg
from hukou.policy.calendar import age_on

APPLICANT = "applicant"
RELATIONS = ("spouse", "child", "parent")
ADULT_AGE = 18
MAX_FOLLOWERS = 10


class IdNumberError(ValueError):
    """Not a citizen ID number: the message says why, without repeating the number."""


def checked_id_number(value: str, place: bool = True) -> str:
    """The ID number in its compact form (upper-case X), or IdNumberError. `place=False` leaves out
    the look-up of the place code (python-stdnum's slowest part): for numbers checked in full before."""
    try:
        if place:
            return ric.validate(str(value).strip())
        number = ric.compact(str(value))
        if len(number) != 18:
            raise InvalidLength()
        if not number[:17].isdigit():
            raise InvalidFormat()
        if number[-1] != ric.calc_check_digit(number):
            raise InvalidChecksum()
        birth_date_of(number)
        return number
    except ValidationError as exc:
        raise IdNumberError(_WHY.get(type(exc).__name__, Msg("not a valid citizen ID number"))) from None
    except ValueError:
        raise IdNumberError(_WHY["InvalidComponent"]) from None


_WHY = {"InvalidLength": Msg("a citizen ID number has 18 characters"),
        "InvalidFormat": Msg("a citizen ID number is 17 digits and a digit or X"),
        "InvalidChecksum": Msg("the last character does not match (a digit was mistyped)"),
        "InvalidComponent": Msg("the birth date or place in it is not valid")}


def birth_date_of(id_number: str) -> date:
    """Digits 7–14 (the number was checked when it entered the system)."""
    return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


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
    """A party as the submission recorded it; None for anything that is not one (an old log). The
    number was checked in full when the submission was appended; here only its shape is (a log is
    read far more often than written)."""
    if not isinstance(data, dict):
        return None
    number, person = data.get("id_number"), data.get("person_id")
    if not (isinstance(number, str) and _SHAPE.match(number) and isinstance(data.get("key"), str)):
        return None
    try:
        birth_date_of(number)
    except ValueError:
        return None
    return Party(data["key"], str(data.get("relation", "")), number, str(data.get("name") or ""),
                 person if isinstance(person, int) else None)


_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")


def consent_needed(parties: tuple[Party, ...], d: date) -> tuple[Party, ...]:
    """Who must consent on `d`: the applicant and every follower who is an adult that day."""
    return tuple(p for p in parties if p.key == APPLICANT or p.adult_on(d))


def moving(parties: tuple[Party, ...], consented: frozenset[str], d: date,
           chosen: Iterable[str] | None = None) -> tuple[Party, ...]:
    """Who a registration on `d` moves: the applicant, the adults who consented, the minors listed;
    with `chosen` (the followers the police station ticked), only those of them who may move."""
    may = tuple(p for p in parties if p.key == APPLICANT or p.key in consented or not p.adult_on(d))
    if chosen is None:
        return may
    keys = set(chosen)
    return tuple(p for p in may if p.key == APPLICANT or p.key in keys)


def party_of(parties: tuple[Party, ...], id_number: str | None) -> Party | None:
    """The party with this ID number (an applicant's account), or None."""
    if not id_number:
        return None
    return next((p for p in parties if p.id_number == id_number), None)

"""Who is acting or reading: a signed-in user's role, jurisdiction and, for an applicant, person."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Viewer:
    username: str
    role: str
    township: str | None = None  # an officer's jurisdiction (9 digits)
    city_wide: bool = False  # an explicit grant of the whole city, given by an administrator
    id_number: str | None = None  # an applicant account's citizen ID number: the person it is
    name: str = ""  # the account's name (an applicant's: as on the ID card)
    person_id: int | None = None  # an applicant's person in the register, when it held them at sign-in
    department: str | None = None  # a department account's: whose tasks it works (hukou.linkage)

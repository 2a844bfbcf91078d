"""The register as casework reads and changes it, inside one unit of work: people by ID number, the
places a hukou can be registered at, locks on the people an action moves, and carrying out the
commands of `cases.consequences` (people created, households founded, hukou registered).

Locks: on PostgreSQL a transaction-scoped advisory lock per person (by ID number, so a person the
register does not hold yet is locked too), taken in a fixed order; the second of two registrations
of one person waits for the first to commit, then sees it. SQLite transactions hold the database's
write lock from their start, so they never overlap.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any, Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hukou.cases.consequences import Command, CreatePerson, FoundHousehold, Place, RegisterHukou
from hukou.store import schema as S
from hukou.store.database import person_facts
from hukou.store.driver_sql import DriverSQL

PERSON_IDS_LOCK = 0x68756B70  # serializes handing out new person ids on PostgreSQL


def _lock_key(id_number: str) -> int:
    return int.from_bytes(hashlib.sha256(f"person:{id_number}".encode()).digest()[:8], "big", signed=True)


class RegisterRepository:
    def __init__(self, session: Session):
        self.session = session
        self.postgres = session.get_bind().dialect.name == "postgresql"

    def person_ids(self, id_numbers: Iterable[str]) -> dict[str, int]:
        """id_number -> person_id for those the register holds (a plain statement: every submission asks)."""
        numbers = sorted(set(id_numbers))
        if not numbers:
            return {}
        db = DriverSQL.of(self.session)
        db.run(f"SELECT id_number, person_id FROM people WHERE id_number IN ({', '.join('?' for _ in numbers)})", numbers)
        return {number: pid for number, pid in db.cursor.fetchall()}

    def person_id(self, id_number: str) -> int | None:
        return self.session.scalar(select(S.Person.person_id).where(S.Person.id_number == id_number))

    def facts(self, person_id: int, on: date) -> dict[str, Any]:
        return person_facts(self.session.connection(), person_id, on)

    def place(self, code: str) -> Place | None:
        row = self.session.get(S.Division, code)
        if row is None or row.urban_class is None or row.parent_code is None:
            return None
        return Place(row.code, row.parent_code, row.urban_class.startswith("1"))

    def division_names(self, codes: Iterable[str]) -> dict[str, str]:
        """code -> name of the register's divisions among `codes` (the places named in a person's facts)."""
        wanted = sorted(set(codes))
        if not wanted:
            return {}
        return dict(self.session.execute(select(S.Division.code, S.Division.name)
                                         .where(S.Division.code.in_(wanted))).all())

    def places_of(self, township: str) -> list[tuple[str, str, bool]]:
        """(12-digit code, name, urban) of the communities and villages under a township, by code."""
        rows = self.session.execute(select(S.Division.code, S.Division.name, S.Division.urban_class)
                                    .where(S.Division.parent_code == township, S.Division.urban_class.is_not(None))
                                    .order_by(S.Division.code)).all()
        return [(code, name, urban_class.startswith("1")) for code, name, urban_class in rows]

    def lock_people(self, id_numbers: Iterable[str]) -> None:
        if self.postgres:
            for key in sorted({_lock_key(n) for n in id_numbers}):
                self.session.connection().exec_driver_sql(f"SELECT pg_advisory_xact_lock({key})")

    def new_ids(self, people: int) -> tuple[tuple[int, ...], int]:
        """Ids for `people` new persons and for one new household."""
        conn = self.session.connection()
        if self.postgres:
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PERSON_IDS_LOCK})")
            household = conn.exec_driver_sql("SELECT nextval(pg_get_serial_sequence('households', 'id'))").scalar()
        else:
            household = (self.session.scalar(select(func.max(S.Household.id))) or 0) + 1
        first = (self.session.scalar(select(func.max(S.Person.person_id))) or 0) + 1
        return tuple(range(first, first + people)), household

    def carry_out(self, commands: Iterable[Command]) -> None:
        """The register's part of the commands, in an order the foreign keys accept (permits are the service's)."""
        commands = list(commands)
        for c in commands:
            if isinstance(c, CreatePerson):
                self.session.add(S.Person(person_id=c.person_id, id_number=c.id_number, name=c.name, sex=c.sex,
                                          birth_date=c.birth_date, residence_known=c.residence is not None))
                self.session.add_all(S.Residence(person_id=c.person_id, **r) for r in c.residence or ())
        self.session.flush()
        for c in commands:
            if isinstance(c, FoundHousehold):
                self.session.add(S.Household(id=c.household_id, kind=c.kind, place=c.place, head_person_id=c.head_person_id))
        self.session.flush()
        for c in commands:
            if isinstance(c, RegisterHukou):
                seq = (self.session.scalar(select(func.max(S.Hukou.seq)).where(S.Hukou.person_id == c.person_id)) or 0) + 1
                self.session.add(S.Hukou(person_id=c.person_id, since=c.since, seq=seq, place=c.place, urban=c.urban,
                                         household_id=c.household_id))
                self.session.add(S.HouseholdMember(household_id=c.household_id, person_id=c.person_id,
                                                   relation=c.relation, since=c.since))
        self.session.flush()

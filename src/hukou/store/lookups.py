"""Lookups in the register for casework: a person by citizen ID number (an application that names
one), and the communities and villages of a township (where a hukou can be registered)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from hukou.policy.errors import InputError
from hukou.store import schema as S
from hukou.store.case_store import audit


def person_by_id_number(engine: Engine, id_number: str, who: str, why: str) -> int | None:
    """The register's person_id for a valid ID number, or None when the register does not hold it.
    A malformed number is an input error; the lookup is a read of personal data, so it is logged."""
    try:
        number = ric.validate(id_number)
    except ValidationError as exc:
        raise InputError("id_number", f"not a valid citizen ID number ({exc.message})") from None
    with Session(engine) as session, session.begin():
        person_id = session.scalar(select(S.Person.person_id).where(S.Person.id_number == number))
        audit(session, datetime.now(), who, "person.lookup", number[:6] + "…" + number[-2:], why)
    return person_id


def places_of(engine: Engine, township: str) -> list[tuple[str, str, bool]]:
    """(12-digit code, name, urban) of the communities and villages under a township, by code."""
    with Session(engine) as session:
        rows = session.execute(select(S.Division.code, S.Division.name, S.Division.urban_class)
                               .where(S.Division.parent_code == township, S.Division.urban_class.is_not(None))
                               .order_by(S.Division.code)).all()
    return [(code, name, urban_class.startswith("1")) for code, name, urban_class in rows]

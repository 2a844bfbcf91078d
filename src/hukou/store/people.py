"""Finding a person of the register by citizen ID number (for an application that names one)."""

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

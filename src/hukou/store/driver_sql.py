"""Plain statements through the database driver, inside a session's transaction: for the writes on
the API's hot path (a submission, every audit entry), where SQLAlchemy's statement machinery cost
more CPU than the database itself. The session still begins and commits (or rolls back) the
transaction; values are stored exactly as the SQLAlchemy types store them (SQLite: datetimes as
"YYYY-MM-DD HH:MM:SS.ffffff" text, JSON as text), so the ORM reads them back unchanged.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Sequence

from sqlalchemy.orm import Session


class DriverSQL:
    """`run(sql, params)` with `?` placeholders, on the session's connection."""

    def __init__(self, session: Session):
        connection = session.connection()
        self.postgres = connection.dialect.name == "postgresql"
        self.cursor = connection.connection.cursor()
        self.integrity_error = connection.dialect.dbapi.IntegrityError

    @classmethod
    def of(cls, session: Session) -> "DriverSQL":
        """The session's driver statements, made once per connection (a submission runs several)."""
        connection = session.connection()
        held = session.info.get("driver_sql")
        if held is None or held[0] is not connection:
            held = (connection, cls(session))
            session.info["driver_sql"] = held
        return held[1]

    def sql(self, statement: str) -> str:
        return statement.replace("?", "%s") if self.postgres else statement

    def run(self, statement: str, params: Sequence[Any] = ()) -> None:
        self.cursor.execute(self.sql(statement), params)

    def one(self, statement: str, params: Sequence[Any] = ()) -> tuple | None:
        self.run(statement, params)
        return self.cursor.fetchone()

    def when(self, value: datetime) -> Any:
        return value if self.postgres else value.strftime("%Y-%m-%d %H:%M:%S.%f")

    def json(self, value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    def json_slot(self) -> str:
        """The placeholder for a JSON value (PostgreSQL is told the text is JSON)."""
        return "?::json" if self.postgres else "?"

"""The migrations build exactly the schema the models describe, on SQLite and on PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from hukou.store.database import connect, migrate
from hukou.store.schema import Base


def _differences(url: str) -> list:
    engine = connect(url)
    migrate(engine)
    with engine.connect() as conn:
        found = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    return found


def test_the_migrations_give_the_models_schema_on_sqlite(tmp_path):
    assert _differences(f"sqlite:///{tmp_path / 'm.sqlite'}") == []


def test_the_migrations_give_the_models_schema_on_postgres(postgres_url):
    assert _differences(postgres_url) == []


def test_a_database_with_cases_upgrades_and_keeps_them(tmp_path):
    """A city's database from before case numbers (revision 0005, with cases whose rows other tables
    point at) upgrades in place; the parties' names are copied from each submission."""
    import json

    from sqlalchemy import text

    engine = connect(f"sqlite:///{tmp_path / 'old.sqlite'}")
    migrate(engine, "0005")
    submission = {"applicant": {"key": "applicant", "name": "王五"}, "followers": [{"key": "f1", "name": "王小五"}]}
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO cases (id, kind, township, created_at) VALUES ('c1', 'settlement', "
                          "'652301001', '2026-01-05 09:00:00')"))
        conn.execute(text("INSERT INTO case_actions (case_id, seq, type, at, by_user, role, data) VALUES "
                          "('c1', 1, 'submitted', '2026-01-05 09:00:00', 'w', 'applicant', :data)"),
                     {"data": json.dumps(submission, ensure_ascii=False)})
        for party, number in (("applicant", "652301199001011234"), ("f1", "652301201501011234")):
            conn.execute(text("INSERT INTO case_parties (case_id, party, kind, relation, id_number) VALUES "
                              "('c1', :party, 'settlement', 'applicant', :number)"), {"party": party, "number": number})
    migrate(engine)
    with engine.connect() as conn:
        names = dict(conn.execute(text("SELECT party, name FROM case_parties ORDER BY party")).all())
        number = conn.execute(text("SELECT number FROM cases WHERE id = 'c1'")).scalar()
    engine.dispose()
    assert names == {"applicant": "王五", "f1": "王小五"} and number is None

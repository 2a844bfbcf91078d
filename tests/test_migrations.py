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

"""Alembic environment: migrations run on the connection handed over by `hukou.store.database.migrate`."""

from alembic import context

from hukou.store.schema import Base

config = context.config
connection = config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()

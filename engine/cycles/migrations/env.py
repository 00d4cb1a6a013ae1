"""Alembic's entry point for the store's migrations. ladder runs them itself when it opens a
store (`engine.cycles.database.migrate`), handing over a connection already in a transaction:
the whole upgrade commits or rolls back with it. There is no alembic.ini: to write a new
revision, copy the newest file in versions/, give it the next number as `revision` and the
previous one as `down_revision`, and change `engine/cycles/tables.py` to match."""
from alembic import context

connection = context.config.attributes["connection"]
# render_as_batch: SQLite alters a table by copying it, which Alembic's batch mode does for us.
context.configure(connection=connection, render_as_batch=True, transaction_per_migration=False)
with context.begin_transaction():
    context.run_migrations()

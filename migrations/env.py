"""Alembic environment of the built-in schema (PostgreSQL and SQLite). The backend's schema
manager (``adapters.persistence.schema.migrate.AlembicSchema``) hands it the engine: run
migrations with ``todo-chatbot migrate``."""

from alembic import context

from adapters.persistence.schema.migrate import run_migrations
from adapters.persistence.schema.models import metadata

run_migrations(context, metadata)

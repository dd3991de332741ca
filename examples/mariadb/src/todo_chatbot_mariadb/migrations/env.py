"""Alembic environment of the MariaDB schema: the backend's schema manager hands it the engine."""

from alembic import context

from adapters.persistence.schema.migrate import run_migrations
from adapters.persistence.schema.models import metadata

run_migrations(context, metadata)

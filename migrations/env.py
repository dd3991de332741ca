"""Alembic environment (async): the URL comes from the caller (``adapters.persistence.schema.migrate``
puts it in ``config.attributes``), else ``sqlalchemy.url``, else ``DATABASE_URL``."""

import asyncio
import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection

from adapters.persistence.asyncpg.urls import async_database_url, database_target
from adapters.persistence.schema.migrate import URL_ATTRIBUTE, migration_engine
from adapters.persistence.schema.models import metadata
from adapters.persistence.sqlalchemy.engine import ensure_sqlite_directory

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = metadata


def database_url() -> str:
    url = (
        config.attributes.get(URL_ATTRIBUTE)
        or config.get_main_option("sqlalchemy.url")
        or os.environ.get("DATABASE_URL")
    )
    if not url:
        raise RuntimeError("no database URL: set DATABASE_URL (or sqlalchemy.url in alembic.ini)")
    return async_database_url(url)


def run_migrations_offline() -> None:
    """Emit SQL to stdout instead of running it (``alembic upgrade head --sql``)."""
    url = database_target(database_url()).url.render_as_string(hide_password=False)
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    url = database_url()
    ensure_sqlite_directory(url)
    engine = migration_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(do_run_migrations)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_async_migrations())

"""Migrations: the stairway (up, down to base, up again) and agreement with the models."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from adapters.persistence.schema import migrate as schema_migrate
from adapters.persistence.schema.models import metadata
from application.errors import StorageUnavailable
from tests import storage as migrate
from tests.postgres import create_empty_database

REPO = Path(__file__).resolve().parents[2]
TABLES = {"users", "tasks", "task_tags", "idempotency_keys", "conversations", "messages", "accounts", "sessions"}
ACCOUNT_TABLES = {"accounts", "sessions"}  # added by 0002


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'nested' / 'todo.db'}"
    else:
        yield create_empty_database(request.getfixturevalue("postgres_url"))


def _inspect(url: str, check: Any) -> Any:
    async def run() -> Any:
        engine = create_async_engine(url, poolclass=NullPool)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(check)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


def _diffs(connection: Connection) -> list[Any]:
    # SQLite reports a default on its identity column that the model cannot express.
    defaults = connection.dialect.name != "sqlite"
    context = MigrationContext.configure(connection, opts={"compare_type": True, "compare_server_default": defaults})
    return list(compare_metadata(context, metadata))


def test_stairway_up_down_up(empty_url: str) -> None:
    assert migrate.current(empty_url) is None
    migrate.upgrade(empty_url)
    assert migrate.current(empty_url) == migrate.head()
    assert _inspect(empty_url, _tables) == TABLES
    migrate.downgrade(empty_url, "base")
    assert migrate.current(empty_url) is None
    assert _inspect(empty_url, _tables) == set()
    migrate.upgrade(empty_url, "head")
    assert migrate.current(empty_url) == migrate.head()
    assert _inspect(empty_url, _tables) == TABLES


def test_models_and_migrations_agree(empty_url: str) -> None:
    migrate.upgrade(empty_url)
    assert _inspect(empty_url, _diffs) == []


def test_plain_alembic_command_reads_database_url(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"], cwd=REPO, env=env, check=True, capture_output=True
    )
    assert migrate.current(url) == migrate.head()


def test_migrations_are_found_in_the_checkout() -> None:
    assert migrate.migrations_directory() == REPO / "migrations"
    assert (migrate.migrations_directory() / "versions").is_dir()


def test_an_installed_wheel_uses_its_packaged_migrations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "site-packages" / "adapters" / "persistence"
    (package / "migrations").mkdir(parents=True)
    (package / "migrations" / "env.py").write_text("")
    monkeypatch.setattr(schema_migrate, "__file__", str(package / "schema" / "migrate.py"))
    assert schema_migrate.migrations_directory() == package / "migrations"
    (package / "migrations" / "env.py").unlink()
    with pytest.raises(FileNotFoundError):
        schema_migrate.migrations_directory()


def test_an_unreachable_database_is_storage_unavailable() -> None:
    url = "postgresql://nobody@127.0.0.1:9/nothing"
    with pytest.raises(StorageUnavailable):
        migrate.upgrade(url)
    with pytest.raises(StorageUnavailable):
        migrate.current(url)


def _rows(statement: str) -> Any:
    def run(connection: Connection) -> Any:
        return connection.exec_driver_sql(statement).fetchall()

    return run


def _write(statements: list[str]) -> Any:
    def run(connection: Connection) -> None:
        for statement in statements:
            connection.exec_driver_sql(statement)
        connection.commit()

    return run


_USER = (
    "INSERT INTO users (id, last_task_number, last_conversation_number, created_at) "
    "VALUES ('{id}', 0, 0, '2026-11-24 10:00:00+00:00')"
)
_ACCOUNT = (
    "INSERT INTO accounts (user_id, email, name, password_hash, email_verified, created_at, updated_at) "
    "VALUES ('{id}', 'ada@example.com', 'Ada', 'h', false, '2026-11-24 10:00:00+00:00', '2026-11-24 10:00:00+00:00')"
)


def test_accounts_step_down_and_up_keeps_the_older_rows(empty_url: str) -> None:
    migrate.upgrade(empty_url, "0002")
    _inspect(empty_url, _write([_USER.format(id="u1"), _ACCOUNT.format(id="u1")]))
    with pytest.raises(Exception, match=r"(?i)unique"):  # one account per e-mail
        _inspect(empty_url, _write([_USER.format(id="u2"), _ACCOUNT.format(id="u2")]))

    migrate.downgrade(empty_url, "0001")

    assert _inspect(empty_url, _tables) == TABLES - ACCOUNT_TABLES
    assert _inspect(empty_url, _rows("SELECT id FROM users")) == [("u1",)]
    migrate.upgrade(empty_url)
    assert _inspect(empty_url, _tables) == TABLES
    assert _inspect(empty_url, _rows("SELECT count(*) FROM accounts")) == [(0,)]


_TASK = (
    "INSERT INTO tasks (owner_id, number, title, title_key, search_text, priority, tags, recurrence, completed, "
    "created_at, updated_at) VALUES ('u1', {n}, '{title}', '{key}', '', 1, '[]', 'none', false, "
    "'2026-11-24 10:00:00+00:00', '2026-11-24 10:00:00+00:00')"
)


def test_title_keys_become_case_folded_and_back(empty_url: str) -> None:
    migrate.upgrade(empty_url, "0002")
    titles = {1: "Straße", 2: "Plain", 3: "ΣΊΣΥΦΟΣ"}
    rows = [_TASK.format(n=n, title=title, key=title.lower()) for n, title in titles.items()]
    _inspect(empty_url, _write([_USER.format(id="u1"), *rows]))
    keys = _rows("SELECT number, title_key FROM tasks ORDER BY number")

    migrate.upgrade(empty_url)
    assert migrate.head() == "0003"
    assert _inspect(empty_url, keys) == [(n, title.casefold()) for n, title in titles.items()]
    migrate.downgrade(empty_url, "0002")
    assert _inspect(empty_url, keys) == [(n, title.lower()) for n, title in titles.items()]

"""The runbook's data procedures, run as written (docs/operations.md#runbook) on the throwaway
PostgreSQL: backup and restore with pg_dump/pg_restore, and migration rollback with the CLI."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests import storage as migrate
from tests.postgres import create_database
from tests.runbook import ACCOUNT_TABLES, execute, libpq_url, piped, run_async, seed, snapshot

pytestmark = pytest.mark.postgres


async def test_restore_brings_back_exactly_what_was_backed_up(postgres_url: str, tmp_path: Path) -> None:
    url = create_database(postgres_url)
    await seed(url)
    before = await snapshot(url)
    assert all(before[table] for table in ("tasks", "task_tags", "conversations", "messages", "accounts", "sessions"))
    dump = tmp_path / "todo.dump"

    # As the runbook's Compose commands run them: the archive goes through pipes both ways.
    dump.write_bytes(await asyncio.to_thread(piped, "pg_dump", "--format=custom", libpq_url(url)))
    await asyncio.to_thread(piped, "pg_restore", "--list", stdin=dump.read_bytes())

    await execute(
        url,
        "UPDATE tasks SET title = 'changed after the backup' WHERE owner_id = 'alice' AND number = 1",
        "DELETE FROM tasks WHERE owner_id = 'bob'",
        "DELETE FROM conversations WHERE owner_id = 'alice'",
        "DELETE FROM accounts WHERE user_id = 'bob'",
        "DELETE FROM sessions",
    )
    await seed(url, owners=("carol",))
    assert await snapshot(url) != before

    await asyncio.to_thread(
        piped, "pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error",
        f"--dbname={libpq_url(url)}", stdin=dump.read_bytes(),
    )  # fmt: skip

    assert await snapshot(url) == before
    assert (await run_async("todo-chatbot", "migrate", "current", DATABASE_URL=url)).stdout.strip() == migrate.head()


async def test_a_downgrade_keeps_the_data_the_older_schema_holds(postgres_url: str) -> None:
    url = create_database(postgres_url)
    await seed(url)
    before = await snapshot(url)
    assert migrate.head() == "0003"  # down to 0001 takes accounts and sessions away (0003 only rekeys titles)

    down = await run_async("todo-chatbot", "migrate", "downgrade", "0001", DATABASE_URL=url)
    assert down.stdout.strip() == "database at 0001"
    downgraded = await snapshot(url)
    assert set(before) - set(downgraded) == ACCOUNT_TABLES
    kept = set(downgraded) - {"alembic_version"}
    assert {table: downgraded[table] for table in kept} == {table: before[table] for table in kept}

    up = await run_async("todo-chatbot", "migrate", DATABASE_URL=url)
    assert up.stdout.strip() == "database at 0003"
    upgraded = await snapshot(url)
    assert {table: upgraded[table] for table in ACCOUNT_TABLES} == {table: [] for table in ACCOUNT_TABLES}
    assert {table: upgraded[table] for table in set(before) - ACCOUNT_TABLES} == {
        table: before[table] for table in set(before) - ACCOUNT_TABLES
    }
    await seed(url, owners=("dave",))  # the app writes to the upgraded schema again

"""Helpers for the runbook's tests: a database with some of everything the app stores, its
whole content as data, and the runbook's own commands (pg_dump, pg_restore, the CLI)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from adapters.persistence.asyncpg.uow import AsyncpgUnitOfWork, create_asyncpg_pool
from application.ports import IdempotencyRecord
from domain.accounts import Account, Session
from domain.conversations import Conversation, Message, Role, ToolCallRecord
from domain.recurrence import Recurrence
from domain.tasks import Priority, Task
from tests.postgres import PG_BIN

T0 = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
ACCOUNT_TABLES = frozenset({"accounts", "sessions"})
"""What migration 0002 added: a one-step downgrade from it drops these, nothing else."""


def libpq_url(url: str) -> str:
    """The URL as libpq tools (pg_dump, pg_restore, psql) take it: ``postgresql://...``."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _task(owner: str, title: str, minutes: int, **fields: Any) -> Task:
    at = T0 + timedelta(minutes=minutes)
    return Task(owner_id=owner, number=0, title=title, created_at=at, updated_at=at, **fields)


async def seed(url: str, owners: tuple[str, ...] = ("alice", "bob")) -> None:
    """Tasks (live, done, trashed, tagged, due), conversations with tool calls, accounts,
    sessions and an idempotency record, written by the app's own adapter."""
    pool = await create_asyncpg_pool(url, pool_size=2)
    try:
        async with AsyncpgUnitOfWork(pool).begin() as tx:
            for index, owner in enumerate(owners):
                await tx.accounts.add(Account(owner, f"{owner}@example.com", owner.title(), "hash", T0, T0))
                expires = T0 + timedelta(days=7)
                await tx.sessions.add(Session(f"s-{owner}", owner, f"token-hash-{owner}", expires, T0, T0))
                trashed = _task(owner, "Old draft", 2)
                trashed.trash(T0 + timedelta(hours=1))
                for task in (
                    _task(owner, "Buy oat milk", 0, tags=("home", "Errands"), due=date(2026, 12, 1)),
                    _task(owner, "Ship the report", 1, priority=Priority.HIGH, due=T0 + timedelta(days=2)),
                    _task(owner, "Water plants", 3, recurrence=Recurrence.WEEKLY, due=date(2026, 11, 21)),
                    _task(owner, "Done thing", 4, completed=True, completed_at=T0 + timedelta(minutes=9)),
                    trashed,
                ):
                    await tx.tasks.add(task)
                chat = await tx.conversations.create(Conversation(owner, 0, "groceries", T0, T0))
                call = ToolCallRecord("call_1", "add_task", {"title": "Buy oat milk"}, {"id": 1}, False)
                await tx.conversations.add_message(owner, chat.number, Message(Role.USER, "add milk", T0))
                await tx.conversations.add_message(owner, chat.number, Message(Role.ASSISTANT, "Added.", T0, (call,)))
                record = IdempotencyRecord(owner, f"key-{index}", "fingerprint", b'{"id": 1}', T0)
                await tx.idempotency.save(record)
            await tx.commit()
    finally:
        await pool.close()


async def snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a fixed order, and the position of every sequence."""
    connection = await asyncpg.connect(libpq_url(url))
    try:
        tables = await connection.fetch(
            "SELECT c.relname, c.relnatts FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY c.relname"
        )
        content: dict[str, list[tuple[Any, ...]]] = {}
        for name, width in tables:
            order = ", ".join(str(position) for position in range(1, width + 1))
            rows = await connection.fetch(f'SELECT * FROM "{name}" ORDER BY {order}')  # noqa: S608 (catalogue names)
            content[name] = [tuple(row) for row in rows]
        sequences = await connection.fetch(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1"
        )
        content["<sequences>"] = [tuple(row) for row in sequences]
        return content
    finally:
        await connection.close()


async def execute(url: str, *statements: str) -> None:
    connection = await asyncpg.connect(libpq_url(url))
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


def run(*command: str, **env: str) -> subprocess.CompletedProcess[str]:
    """A runbook command (``pg_dump``/``pg_restore`` from the server's own binaries, or
    ``todo-chatbot``), checked."""
    program, *args = command
    if program == "todo-chatbot":
        argv = [sys.executable, "-m", "entrypoints.cli", *args]
    else:
        argv = [str(PG_BIN / program), *args]
    full_env = {**{k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "BETTER_AUTH_"))}, **env}
    result = subprocess.run(
        argv, env=full_env, cwd=Path.cwd(), capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, f"{' '.join(command)}: {result.stderr}"
    return result


async def run_async(*command: str, **env: str) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(run, *command, **env)


def piped(*command: str, stdin: bytes | None = None) -> bytes:
    """A PostgreSQL tool reading and writing pipes, as ``docker compose exec -T db ... < file``
    and ``... > file`` make it do (an archive read from a pipe cannot be seeked)."""
    program, *args = command
    result = subprocess.run([str(PG_BIN / program), *args], input=stdin, capture_output=True, timeout=300, check=False)
    assert result.returncode == 0, f"{' '.join(command)}: {result.stderr.decode(errors='replace')}"
    return result.stdout


__all__ = ["ACCOUNT_TABLES", "execute", "libpq_url", "piped", "run", "run_async", "seed", "snapshot"]

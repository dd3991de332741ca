"""The bench data set, written straight into the project's tables with COPY.

1,000 users x 100 tasks, plus one user with 100,000 tasks. Rows go through the same
mapping the app writes (``adapters.persistence.schema.rows.task_values``, which derives
``title_key``, ``search_text``, ``due_key``...), so every column is what the app would
have stored: ``users.last_task_number`` equals each user's task count, and ``task_tags``
holds one row per tag of each live task.
"""

from __future__ import annotations

import json
import random
import time
from datetime import UTC, date, datetime, timedelta

import asyncpg

from adapters.persistence.schema.models import tasks as tasks_table
from adapters.persistence.schema.rows import tag_rows, task_values
from domain.recurrence import Recurrence
from domain.tasks import Priority, Task

USERS = 1000
TASKS_PER_USER = 100
BIG_USER = "big-user"
BIG_TASKS = 100_000
RECURRING_EVERY = 25
"""Every 25th task repeats weekly; the toggle scenario leaves those alone (a recurring task
advances to its next occurrence instead of flipping)."""

_TASK_COLUMNS = tuple(column.name for column in tasks_table.c)
_WORDS = ("buy", "call", "write", "book", "pay", "water", "fix", "review", "plan", "clean", "renew", "send")
_WORDS += ("milk", "dentist", "report", "flights", "rent", "plants", "bike", "trip", "kitchen", "passport")
_TAGS = ("home", "work", "Errands", "health", "finance", "family", "Urgent", "reading")
_PRIORITIES = (Priority.LOW, Priority.MEDIUM, Priority.MEDIUM, Priority.HIGH)


def user_id(index: int) -> str:
    return f"user-{index:04d}"


def is_recurring(number: int) -> bool:
    return number % RECURRING_EVERY == 0


def _task(rng: random.Random, owner: str, number: int, base: datetime) -> Task:
    created = base + timedelta(seconds=number * 37)
    words = rng.sample(_WORDS, 3)
    due_roll = rng.random()
    due: date | datetime | None = None
    if due_roll < 0.35:
        due = (base + timedelta(days=rng.randint(-20, 60))).date()
    elif due_roll < 0.55:
        due = (base + timedelta(days=rng.randint(-20, 60), minutes=rng.randint(0, 1439))).replace(second=0)
    tags = tuple(rng.sample(_TAGS, rng.choice((0, 0, 1, 1, 2, 3))))
    completed = rng.random() < 0.3 and not is_recurring(number)
    return Task(
        owner_id=owner,
        number=number,
        title=f"{words[0].capitalize()} {words[1]} {words[2]} #{number}",
        created_at=created,
        updated_at=created,
        description=None if rng.random() < 0.6 else f"Notes about {' and '.join(words)}.",
        priority=rng.choice(_PRIORITIES),
        due=due,
        tags=tags,
        recurrence=Recurrence.WEEKLY if is_recurring(number) else Recurrence.NONE,
        completed=completed,
        completed_at=created + timedelta(hours=1) if completed else None,
    )


def _rows(owner: str, count: int, rng: random.Random, base: datetime) -> tuple[list[tuple], list[tuple]]:
    tasks, tags = [], []
    for number in range(1, count + 1):
        task = _task(rng, owner, number, base)
        values = task_values(task)
        values["tags"] = json.dumps(values["tags"])
        tasks.append(tuple(values[c] for c in _TASK_COLUMNS))
        tags.extend((r["owner_id"], r["tag_key"], r["task_number"], r["name"]) for r in tag_rows(task))
    return tasks, tags


async def seed(dsn: str, *, users: int = USERS, per_user: int = TASKS_PER_USER, big: int = BIG_TASKS) -> dict:
    """Fill an empty migrated database; returns counts and the time it took."""
    started = time.perf_counter()
    rng = random.Random(20261129)
    base = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    owners = [(user_id(i), per_user) for i in range(users)] + [(BIG_USER, big)]
    connection = await asyncpg.connect(dsn)
    try:
        await connection.copy_records_to_table(
            "users",
            records=[(owner, count, 0, base) for owner, count in owners],
            columns=["id", "last_task_number", "last_conversation_number", "created_at"],
        )
        total_tasks = total_tags = 0
        batch_tasks: list[tuple] = []
        batch_tags: list[tuple] = []
        for owner, count in owners:
            tasks, tags = _rows(owner, count, rng, base)
            batch_tasks += tasks
            batch_tags += tags
            if len(batch_tasks) >= 20_000:
                total_tasks, total_tags = await _flush(connection, batch_tasks, batch_tags, total_tasks, total_tags)
                batch_tasks, batch_tags = [], []
        total_tasks, total_tags = await _flush(connection, batch_tasks, batch_tags, total_tasks, total_tags)
        await connection.execute("ANALYZE")
    finally:
        await connection.close()
    return {
        "users": len(owners),
        "tasks": total_tasks,
        "task_tags": total_tags,
        "seconds": time.perf_counter() - started,
    }


async def _flush(
    connection: asyncpg.Connection, tasks: list[tuple], tags: list[tuple], total_tasks: int, total_tags: int
) -> tuple[int, int]:
    if tasks:
        await connection.copy_records_to_table("tasks", records=tasks, columns=list(_TASK_COLUMNS))
    if tags:
        await connection.copy_records_to_table(
            "task_tags", records=tags, columns=["owner_id", "tag_key", "task_number", "name"]
        )
    return total_tasks + len(tasks), total_tags + len(tags)


async def copy_conversation(dsn: str, owner: str, number: int, copies: int) -> list[int]:
    """``copies`` exact copies of one of ``owner``'s conversations (rows the app wrote: title,
    messages with their tool calls and times), numbered after the owner's last conversation
    as the app numbers them; returns their numbers."""
    connection = await asyncpg.connect(dsn)
    try:
        async with connection.transaction():
            last = await connection.fetchval(
                "UPDATE users SET last_conversation_number = last_conversation_number + $2 WHERE id = $1 "
                "RETURNING last_conversation_number",
                owner,
                copies,
            )
            first = last - copies + 1
            await connection.execute(
                "INSERT INTO conversations (owner_id, number, title, created_at, updated_at) "
                "SELECT owner_id, $3 + g, title, created_at, updated_at "
                "FROM conversations CROSS JOIN generate_series(0, $4 - 1) AS g WHERE owner_id = $1 AND number = $2",
                owner,
                number,
                first,
                copies,
            )
            await connection.execute(
                "INSERT INTO messages (owner_id, conversation_number, role, content, tool_calls, created_at) "
                "SELECT m.owner_id, $3 + g, m.role, m.content, m.tool_calls, m.created_at "
                "FROM generate_series(0, $4 - 1) AS g CROSS JOIN messages AS m "
                "WHERE m.owner_id = $1 AND m.conversation_number = $2 ORDER BY g, m.id",
                owner,
                number,
                first,
                copies,
            )
        await connection.execute("ANALYZE conversations; ANALYZE messages; ANALYZE users")
    finally:
        await connection.close()
    return list(range(first, first + copies))


async def message_counts(dsn: str, owner: str, numbers: list[int]) -> list[int]:
    """How many messages each of these conversations holds now."""
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch(
            "SELECT conversation_number, count(*) FROM messages WHERE owner_id = $1 "
            "AND conversation_number = ANY($2::int[]) GROUP BY conversation_number",
            owner,
            numbers,
        )
    finally:
        await connection.close()
    return [row[1] for row in rows]

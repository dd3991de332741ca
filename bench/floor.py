"""The floor: a bare ASGI app (no framework, no auth) on a raw asyncpg pool.

Served by uvicorn exactly like the project (uvloop, httptools, one worker):

- ``GET /api/{user}/tasks``: the query the project runs for a first page of 50 in the
  default order (``limit + 1`` rows fetched to know whether there is a next page), rows
  encoded as JSON;
- ``POST /api/{user}/tasks``: one ``INSERT ... RETURNING`` (a CTE allocates the owner's
  next number, as the app does), the new row encoded as JSON;
- ``GET /health``.

``FLOOR_DSN`` names the database; ``FLOOR_POOL_SIZE`` the pool size (10, as the app's).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

import asyncpg
import msgspec

from adapters.persistence.schema.rows import TASK_COLUMNS, VIEW_COLUMNS

COLUMNS = ", ".join(TASK_COLUMNS)
LIST_SQL = (
    f"SELECT {', '.join(VIEW_COLUMNS)} FROM tasks "
    "WHERE owner_id = $1 AND deleted_at IS NULL ORDER BY number ASC LIMIT $2"
)
INSERT_SQL = f"""
WITH n AS (
    INSERT INTO users (id, last_task_number, last_conversation_number, created_at) VALUES ($1, 1, 0, $5)
    ON CONFLICT (id) DO UPDATE SET last_task_number = users.last_task_number + 1
    RETURNING last_task_number
)
INSERT INTO tasks (owner_id, number, title, title_key, search_text, priority, tags, recurrence, completed,
                   created_at, updated_at)
SELECT $1, n.last_task_number, $2, $3, $4, 1, '[]', 'none', false, $5, $5 FROM n
RETURNING {COLUMNS}
"""
PAGE = 50


class NewTask(msgspec.Struct):
    title: str


_encode = msgspec.json.Encoder().encode
_decode_new = msgspec.json.Decoder(NewTask).decode
_JSON = [(b"content-type", b"application/json")]
_state: dict[str, asyncpg.Pool] = {}


async def _respond(send, status: int, body: bytes) -> None:
    await send(
        {"type": "http.response.start", "status": status, "headers": [*_JSON, (b"content-length", b"%d" % len(body))]}
    )
    await send({"type": "http.response.body", "body": body})


async def _read_body(receive) -> bytes:
    chunks = []
    more = True
    while more:
        message = await receive()
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    return b"".join(chunks)


async def _lifespan(receive, send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            size = int(os.environ.get("FLOOR_POOL_SIZE", "10"))
            _state["pool"] = await asyncpg.create_pool(os.environ["FLOOR_DSN"], min_size=size, max_size=size)
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            if "pool" in _state:
                await _state.pop("pool").close()
            await send({"type": "lifespan.shutdown.complete"})
            return


async def app(scope, receive, send) -> None:
    if scope["type"] == "lifespan":
        await _lifespan(receive, send)
        return
    pool = _state["pool"]
    parts = scope["path"].split("/")  # ["", "api", user, "tasks"]
    method = scope["method"]
    if len(parts) == 4 and parts[1] == "api" and parts[3] == "tasks":
        user = parts[2]
        if method == "GET":
            rows = await pool.fetch(LIST_SQL, user, PAGE + 1)
            page = {"items": [dict(row) for row in rows[:PAGE]], "next_cursor": "more" if len(rows) > PAGE else None}
            await _respond(send, 200, _encode(page))
            return
        if method == "POST":
            new = _decode_new(await _read_body(receive))
            now = datetime.now(UTC)
            row = await pool.fetchrow(INSERT_SQL, user, new.title, new.title.lower(), f"{new.title}\n".casefold(), now)
            await _respond(send, 201, _encode(dict(row)))
            return
    if scope["path"] == "/health":
        await _respond(send, 200, b'{"status":"ok"}')
        return
    await _respond(send, 404, b'{"status":404}')

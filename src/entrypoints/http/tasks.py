"""The task REST API: /api/{user_id}/tasks (see docs/api.md)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, HttpMethod, MediaType, Request, Response, delete, get, patch, post, route
from litestar.params import FromPath
from litestar.response.base import ASGIResponse
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from application.errors import ValidationError
from application.schemas import NewTask, TagList, TaskChanges, TaskFilter, TaskPage, TaskView
from application.task_list import ListTasks
from application.tasks import AddTask, DeleteTask, GetTask, ListTags, RestoreTask, ToggleTask, UpdateTask
from entrypoints.http.deps import PathId, caller_of, path_id, read_body, read_query, request_zone, serves
from entrypoints.http.openapi import AUTHENTICATED, documented

ZONE_HEADER = ("X-Timezone", {"type": "string", "maxLength": 64}, "IANA time zone for due dates (default UTC).")
IDEMPOTENCY_HEADER = (
    "Idempotency-Key",
    {"type": "string", "minLength": 1, "maxLength": 255},
    "Retrying with the same key and body within 24 hours replays the first answer.",
)
ONE_TASK = (*AUTHENTICATED, 404)
TASK_OPERATIONS = ("get_task", "update_task_patch", "toggle_task", "delete_task", "restore_task")
WRITES = (400, 413)

MAX_IDEMPOTENCY_KEY = 255
_encode = msgspec.json.Encoder().encode


serves(ListTasks, AddTask, GetTask, UpdateTask, ToggleTask, DeleteTask, RestoreTask, ListTags)


class TaskController(Controller):
    """Tasks of the user named in the path; the token must name the same user."""

    path = "/api/{user_id:str}"
    tags = ["tasks"]  # noqa: RUF012

    @get(
        "/tasks",
        opt=documented(query=TaskFilter, headers=[ZONE_HEADER], errors=AUTHENTICATED, response=TaskPage),
    )
    async def list_tasks(self, request: Request[Any, Any, Any], user_id: FromPath[str]) -> ASGIResponse:
        """List tasks: filter by status, priority, tag, text, due range or overdue; sort; page by cursor."""
        caller = await caller_of(request, user_id)
        query = read_query(request.scope, TaskFilter)
        zone = request_zone(request.scope)
        page = await caller.use(ListTasks).execute(caller.owner_id, query, zone, field_prefix="query")
        # Encoded here: the page is the hottest answer, and Litestar's response object and
        # serialisation cost ~30 us of it (measured in process); the document still names TaskPage.
        return ASGIResponse(body=_encode(page), media_type=MediaType.JSON)

    @post(
        "/tasks",
        status_code=HTTP_201_CREATED,
        opt=documented(
            body=NewTask,
            headers=[IDEMPOTENCY_HEADER],
            errors=(*AUTHENTICATED, *WRITES, 409),
            links=[(target, "task_id", "$response.body#/id") for target in TASK_OPERATIONS],
        ),
    )
    async def add_task(self, request: Request[Any, Any, Any], user_id: FromPath[str]) -> Response[TaskView]:
        """Create a task. An ``Idempotency-Key`` header makes retries safe for 24 hours."""
        caller = await caller_of(request, user_id)
        command: NewTask = await read_body(request, NewTask)
        key = request.headers.get("idempotency-key")
        if key is not None and not 0 < len(key.strip()) <= MAX_IDEMPOTENCY_KEY:
            raise ValidationError.single("header.Idempotency-Key", f"must be 1..{MAX_IDEMPOTENCY_KEY} characters")
        view = await caller.use(AddTask).execute(caller.owner_id, command, key.strip() if key else None)
        location = f"/api/{caller.owner_id}/tasks/{view.id}"
        return Response(view, status_code=HTTP_201_CREATED, headers={"Location": location})

    @get("/tasks/{task_id:str}", opt=documented(errors=ONE_TASK))
    async def get_task(self, request: Request[Any, Any, Any], user_id: FromPath[str], task_id: PathId) -> TaskView:
        """One task by id."""
        caller = await caller_of(request, user_id)
        return await caller.use(GetTask).execute(caller.owner_id, path_id(task_id, "task_id"))

    @route(
        "/tasks/{task_id:str}",
        http_method=[HttpMethod.PATCH, HttpMethod.PUT],
        opt=documented(body=TaskChanges, headers=[ZONE_HEADER], errors=(*ONE_TASK, *WRITES)),
    )
    async def update_task(self, request: Request[Any, Any, Any], user_id: FromPath[str], task_id: PathId) -> TaskView:
        """Change some fields; ``null`` clears description or due; ``tags`` replaces the list.
        PUT does the same as PATCH (kept for Phase II clients)."""
        caller = await caller_of(request, user_id)
        number = path_id(task_id, "task_id")
        changes: TaskChanges = await read_body(request, TaskChanges)
        return await caller.use(UpdateTask).execute(caller.owner_id, number, changes, request_zone(request.scope))

    @patch("/tasks/{task_id:str}/complete", opt=documented(headers=[ZONE_HEADER], errors=ONE_TASK))
    async def toggle_task(self, request: Request[Any, Any, Any], user_id: FromPath[str], task_id: PathId) -> TaskView:
        """Toggle done / not done (a recurring task advances to its next occurrence instead)."""
        caller = await caller_of(request, user_id)
        return await caller.use(ToggleTask).execute(
            caller.owner_id, path_id(task_id, "task_id"), request_zone(request.scope)
        )

    @delete("/tasks/{task_id:str}", status_code=HTTP_204_NO_CONTENT, opt=documented(errors=ONE_TASK))
    async def delete_task(self, request: Request[Any, Any, Any], user_id: FromPath[str], task_id: PathId) -> None:
        """Move a task to the trash (restorable for 30 days)."""
        caller = await caller_of(request, user_id)
        await caller.use(DeleteTask).execute(caller.owner_id, path_id(task_id, "task_id"))

    @post("/tasks/{task_id:str}/restore", status_code=200, opt=documented(errors=ONE_TASK))
    async def restore_task(self, request: Request[Any, Any, Any], user_id: FromPath[str], task_id: PathId) -> TaskView:
        """Bring a task back from the trash."""
        caller = await caller_of(request, user_id)
        return await caller.use(RestoreTask).execute(caller.owner_id, path_id(task_id, "task_id"))

    @get("/tags", opt=documented(errors=AUTHENTICATED))
    async def list_tags(self, request: Request[Any, Any, Any], user_id: FromPath[str]) -> TagList:
        """Tags over the user's live tasks with their counts."""
        caller = await caller_of(request, user_id)
        return await caller.use(ListTags).execute(caller.owner_id)

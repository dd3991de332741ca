"""Inputs that once gave 500, against the real server on PostgreSQL: each gets the 4xx
api.md promises, names the field, and changes nothing."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.server import RunningServer

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

BEYOND_INT4 = 2_147_483_648
BEYOND_INT8 = 99_999_999_999_999_999_999


@pytest.fixture
def user(server: RunningServer) -> Iterator[tuple[httpx.Client, str]]:
    name = f"hostile-{uuid.uuid4().hex[:8]}"
    with httpx.Client(base_url=f"{server.url}/api/{name}", headers=server.auth(name), timeout=10) as client:
        assert client.post("/tasks", json={"title": "keep me", "due": "2026-12-01"}).status_code == 201
        yield client, name


def _fields(response: httpx.Response) -> list[str]:
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    return [error["field"] for error in response.json().get("errors", [])]


def _tasks(client: httpx.Client) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client.get("/tasks", params={"limit": 100}).json()["items"]
    return items


@pytest.mark.parametrize("task_id", [BEYOND_INT4, BEYOND_INT8, 0, -1])
@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("GET", "", None),
        ("PATCH", "", {"title": "x"}),
        ("PUT", "", {"title": "x"}),
        ("PATCH", "/complete", None),
        ("DELETE", "", None),
        ("POST", "/restore", None),
    ],
)
def test_task_ids_beyond_the_integer_range_are_not_found(
    user: tuple[httpx.Client, str], task_id: int, method: str, suffix: str, body: Any
) -> None:
    client, _ = user
    response = client.request(method, f"/tasks/{task_id}{suffix}", json=body)
    assert response.status_code == 404, response.text
    assert [t["title"] for t in _tasks(client)] == ["keep me"]


@pytest.mark.parametrize("conversation_id", [BEYOND_INT4, BEYOND_INT8])
def test_conversation_ids_beyond_the_integer_range_are_not_found(
    user: tuple[httpx.Client, str], conversation_id: int
) -> None:
    client, _ = user
    assert client.get(f"/conversations/{conversation_id}").status_code == 404
    assert client.delete(f"/conversations/{conversation_id}").status_code == 404
    chat = client.post("/chat", json={"message": "what's on my list?", "conversation_id": conversation_id})
    assert chat.status_code == 404, chat.text


def test_chat_naming_a_task_beyond_the_integer_range_changes_nothing(user: tuple[httpx.Client, str]) -> None:
    client, _ = user
    response = client.post("/chat", json={"message": "complete task 99999999999"})
    assert response.status_code == 200, response.text
    assert [t["completed"] for t in _tasks(client)] == [False]


NUL = "a\u0000b"


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("POST", "/tasks", {"title": NUL}, "title"),
        ("POST", "/tasks", {"title": "ok", "description": NUL}, "description"),
        ("POST", "/tasks", {"title": "ok", "tags": ["fine", NUL]}, "tags.1"),
        ("POST", "/tasks", {"title": "ok", "due": "2026-12-01\u0000"}, "due"),
        ("PATCH", "/tasks/1", {"title": NUL}, "title"),
        ("PATCH", "/tasks/1", {"tags": [NUL]}, "tags.0"),
        ("POST", "/chat", {"message": NUL}, "message"),
        ("POST", "/chat", {"message": "hi", "timezone": NUL}, "timezone"),
    ],
)
def test_a_nul_character_in_a_body_is_a_422_naming_the_field(
    user: tuple[httpx.Client, str], method: str, path: str, body: dict[str, Any], field: str
) -> None:
    client, _ = user
    response = client.request(method, path, json=body)
    assert response.status_code == 422, response.text
    assert field in _fields(response)
    assert [t["title"] for t in _tasks(client)] == ["keep me"]


@pytest.mark.parametrize("name", ["q", "tag", "due_before", "due_after", "cursor", "status", "sort"])
def test_a_nul_character_in_a_query_parameter_is_a_422_naming_it(user: tuple[httpx.Client, str], name: str) -> None:
    client, _ = user
    response = client.get("/tasks", params={name: NUL})
    assert response.status_code == 422, response.text
    assert f"query.{name}" in _fields(response)


@pytest.mark.parametrize(
    "zone", ["Europe", "Europe/", "../../etc/passwd", "A" * 300, "Europe/" + "x" * 5000, "No/Such"]
)
def test_time_zones_that_are_not_zones_are_a_422(user: tuple[httpx.Client, str], zone: str) -> None:
    client, _ = user
    listed = client.get("/tasks", params={"sort": "due"}, headers={"X-Timezone": zone})
    assert listed.status_code == 422, listed.text
    assert "header.X-Timezone" in _fields(listed)
    chat = client.post("/chat", json={"message": "what's overdue?", "timezone": zone})
    assert chat.status_code == 422, chat.text
    assert "timezone" in _fields(chat)


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Kiritimati", "America/Adak", "Etc/GMT+12"])
def test_the_last_representable_day_is_a_due_date_in_every_zone(user: tuple[httpx.Client, str], zone: str) -> None:
    client, _ = user
    zone_header = {"X-Timezone": zone}
    created = client.post("/tasks", json={"title": "far away", "due": "9999-12-31"}, headers=zone_header)
    assert created.status_code == 201, created.text
    assert created.json()["due"] == "9999-12-31"
    for params in ({"due_before": "9999-12-31"}, {"due_after": "9999-12-31"}, {"sort": "due", "order": "desc"}):
        listed = client.get("/tasks", params=params, headers=zone_header)
        assert listed.status_code == 200, (params, listed.text)
    early = client.get("/tasks", params={"due_before": "0001-01-01"}, headers=zone_header)
    assert early.status_code == 200, early.text
    assert early.json()["items"] == []
    instant = client.post("/tasks", json={"title": "edge", "due": "9999-12-31T23:59:59-05:00"})
    assert instant.status_code == 422, instant.text
    assert _fields(instant) == ["due"]


@pytest.mark.parametrize("recurrence", ["daily", "weekly", "monthly", "yearly"])
def test_a_recurrence_that_would_pass_year_9999_is_a_422_on_due(
    user: tuple[httpx.Client, str], recurrence: str
) -> None:
    client, _ = user
    created = client.post("/tasks", json={"title": "forever", "due": "9999-12-31", "recurrence": recurrence})
    assert created.status_code == 201, created.text
    number = created.json()["id"]
    for method, suffix, body in (("PATCH", "/complete", None), ("PATCH", "", {"completed": True})):
        response = client.request(method, f"/tasks/{number}{suffix}", json=body)
        assert response.status_code == 422, response.text
        assert _fields(response) == ["due"]
    assert client.get(f"/tasks/{number}").json()["due"] == "9999-12-31"


def _cursor(parts: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(parts).encode()).rstrip(b"=").decode()


@pytest.mark.parametrize(
    ("sort", "parts"),
    [
        ("created_at", ["created_at", False, None, BEYOND_INT4]),
        ("created_at", ["created_at", False, None, BEYOND_INT8]),
        ("created_at", ["created_at", False, "text", 1]),
        ("due", ["due", False, "not a number", 1]),
        ("due", ["due", False, BEYOND_INT8, 1]),
        ("priority", ["priority", False, "high", 1]),
        ("priority", ["priority", False, 7, 1]),
        ("title", ["title", False, 12, 1]),
        ("title", ["title", False, "a\u0000b", 1]),
        ("title", ["title", False, "x" * 5000, 1]),
        ("title", ["title", False, None, -5]),
    ],
)
def test_a_forged_task_cursor_is_a_422(user: tuple[httpx.Client, str], sort: str, parts: list[Any]) -> None:
    client, _ = user
    response = client.get("/tasks", params={"sort": sort, "cursor": _cursor(parts)})
    assert response.status_code == 422, response.text
    assert _fields(response) == ["query.cursor"]


@pytest.mark.parametrize(
    ("path", "parts"),
    [
        ("/conversations", ["2026-01-01T00:00:00", 1]),
        ("/conversations", ["2026-01-01T00:00:00+00:00", BEYOND_INT8]),
        ("/conversations", ["99999-01-01", 1]),
        ("/conversations/1", [BEYOND_INT8]),
        ("/conversations/1", [-1]),
    ],
)
def test_a_forged_conversation_cursor_is_a_422(user: tuple[httpx.Client, str], path: str, parts: list[Any]) -> None:
    client, _ = user
    assert client.post("/chat", json={"message": "hello"}).status_code == 200
    response = client.get(path, params={"cursor": _cursor(parts)})
    assert response.status_code == 422, response.text
    assert _fields(response) == ["query.cursor"]


@pytest.mark.parametrize("number", [BEYOND_INT4, BEYOND_INT8])
def test_ids_beyond_the_integer_range_are_not_found_on_sqlite(sqlite_server: RunningServer, number: int) -> None:
    api = f"{sqlite_server.url}/api/sam"
    auth = sqlite_server.auth("sam")
    assert httpx.get(f"{api}/tasks/{number}", headers=auth).status_code == 404
    assert httpx.post(f"{api}/tasks/{number}/restore", headers=auth).status_code == 404
    assert httpx.get(f"{api}/conversations/{number}", headers=auth).status_code == 404
    chat = httpx.post(f"{api}/chat", json={"message": "hi", "conversation_id": number}, headers=auth)
    assert chat.status_code == 404

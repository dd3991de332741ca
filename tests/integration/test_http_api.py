"""The task REST API in-process (real app, real auth, in-memory storage)."""

from __future__ import annotations

import gc
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from entrypoints.http.app import YOUNG_GC_THRESHOLD, create_app
from tests.fakes import InMemoryHealthProbe, InMemoryUnitOfWork
from tests.http_support import PUBLIC_URL, InMemoryProvider, make_settings

Client = AsyncTestClient[Any]


@pytest.fixture
def probe() -> InMemoryHealthProbe:
    return InMemoryHealthProbe()


@pytest.fixture
def store() -> InMemoryUnitOfWork:
    return InMemoryUnitOfWork()


@pytest.fixture
async def client(tmp_path: Path, store: InMemoryUnitOfWork, probe: InMemoryHealthProbe) -> AsyncIterator[Client]:
    app = create_app(make_settings(tmp_path), InMemoryProvider(store, probe))
    async with AsyncTestClient(app=app, base_url=PUBLIC_URL) as test_client:
        yield test_client


async def token_for(client: Client, user: str) -> dict[str, str]:
    from application.ports import TokenIssuer
    from entrypoints.http.deps import resolve

    issuer = await resolve(client.app.state, TokenIssuer)  # type: ignore[type-abstract]
    return {"Authorization": f"Bearer {issuer.issue(user, 600)}"}


async def test_start_up_freezes_the_heap_and_spaces_young_collections(tmp_path: Path) -> None:
    gc.unfreeze()
    gc.set_threshold(700, 10, 10)
    app = create_app(make_settings(tmp_path), InMemoryProvider(InMemoryUnitOfWork(), InMemoryHealthProbe()))
    async with AsyncTestClient(app=app, base_url=PUBLIC_URL):
        assert gc.get_threshold() == (YOUNG_GC_THRESHOLD, 10, 10)
        assert gc.get_freeze_count() > 0


async def test_health_endpoints(client: Client, probe: InMemoryHealthProbe) -> None:
    assert (await client.get("/health")).json() == {"status": "healthy"}
    assert (await client.get("/health/db")).json() == {"status": "healthy", "database": "ok"}
    assert (await client.get("/ready")).status_code == 200
    probe.current = False
    assert (await client.get("/ready")).status_code == 503
    probe.up = False
    down = await client.get("/health/db")
    assert down.status_code == 503
    assert down.json()["status"] == "unhealthy"
    assert (await client.get("/health")).status_code == 200


async def test_create_get_list_update_delete_restore(client: Client) -> None:
    auth = await token_for(client, "alice")
    created = await client.post("/api/alice/tasks", json={"title": " Buy milk ", "tags": ["home"]}, headers=auth)
    assert created.status_code == 201
    assert created.headers["location"] == "/api/alice/tasks/1"
    body = created.json()
    assert body["title"] == "Buy milk"
    assert body["priority"] == "medium"
    assert body["created_at"].endswith("Z")
    assert set(body) == {
        "id", "title", "description", "completed", "completed_at", "priority", "due", "tags", "recurrence",
        "created_at", "updated_at",
    }  # fmt: skip
    assert (await client.get("/api/alice/tasks/1", headers=auth)).json()["title"] == "Buy milk"
    listed = (await client.get("/api/alice/tasks", headers=auth)).json()
    assert [t["id"] for t in listed["items"]] == [1]
    assert listed["next_cursor"] is None
    patched = await client.patch("/api/alice/tasks/1", json={"due": "2026-12-01", "priority": "high"}, headers=auth)
    assert patched.json()["due"] == "2026-12-01"
    put = await client.put("/api/alice/tasks/1", json={"title": "Buy oat milk"}, headers=auth)
    assert put.json()["title"] == "Buy oat milk"
    assert put.json()["priority"] == "high"
    toggled = await client.patch("/api/alice/tasks/1/complete", headers=auth)
    assert toggled.json()["completed"] is True
    assert (await client.get("/api/alice/tags", headers=auth)).json() == {"items": [{"name": "home", "count": 1}]}
    assert (await client.delete("/api/alice/tasks/1", headers=auth)).status_code == 204
    assert (await client.delete("/api/alice/tasks/1", headers=auth)).status_code == 404
    assert (await client.get("/api/alice/tasks/1", headers=auth)).status_code == 404
    restored = await client.post("/api/alice/tasks/1/restore", headers=auth)
    assert restored.status_code == 200
    assert restored.json()["completed"] is True
    assert (await client.post("/api/alice/tasks/1/restore", headers=auth)).status_code == 404


async def test_other_users_tasks_are_invisible_and_untouchable(client: Client, store: InMemoryUnitOfWork) -> None:
    alice, bob = await token_for(client, "alice"), await token_for(client, "bob")
    await client.post("/api/alice/tasks", json={"title": "secret"}, headers=alice)
    assert (await client.get("/api/alice/tasks/1", headers=bob)).status_code == 403
    assert (await client.delete("/api/alice/tasks/1", headers=bob)).status_code == 403
    assert (await client.get("/api/bob/tasks/1", headers=bob)).status_code == 404
    assert (await client.patch("/api/bob/tasks/1", json={"title": "x"}, headers=bob)).status_code == 404
    assert (await client.get("/api/bob/tasks", headers=bob)).json()["items"] == []
    assert (await client.get("/api/alice/tasks/1", headers=alice)).json()["title"] == "secret"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "x", "user_id": "bob"}, "user_id"),
        ({"title": "x", "id": 7}, "id"),
        ({"title": "x", "created_at": "2020-01-01T00:00:00Z"}, "created_at"),
        ({"title": "   "}, "title"),
        ({"title": "x", "tags": ["ok", ""]}, "tags.1"),
        ({"title": "x", "due": "next week"}, "due"),
        ({"title": "x" * 201}, "title"),
        ({"title": " " + "x" * 201 + " "}, "title"),
        ({"title": "x", "tags": ["t" * 51]}, "tags.0"),
        ({"title": "x", "tags": ["ok", " " + "t" * 51]}, "tags.1"),
    ],
)
async def test_bad_bodies_are_422_naming_the_field(client: Client, body: dict[str, Any], field: str) -> None:
    auth = await token_for(client, "alice")
    response = await client.post("/api/alice/tasks", json=body, headers=auth)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 422
    assert field in [e["field"] for e in problem["errors"]]
    assert (await client.get("/api/alice/tasks", headers=auth)).json()["items"] == [], "nothing was written"


async def test_title_and_tag_lengths_count_after_trimming(client: Client) -> None:
    auth = await token_for(client, "alice")
    padded = {"title": " " + "a" * 200 + "\t", "tags": [" " + "t" * 50 + " "]}
    created = await client.post("/api/alice/tasks", json=padded, headers=auth)
    assert created.status_code == 201, created.text
    assert (created.json()["title"], created.json()["tags"]) == ("a" * 200, ["t" * 50])
    renamed = await client.patch("/api/alice/tasks/1", json={"title": "  " + "b" * 200 + " "}, headers=auth)
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["title"] == "b" * 200


@pytest.mark.parametrize("raw", ["abc", "1.5", "1e3", "1_0", "%EF%BC%91", "0x10", "%201"])
async def test_an_id_that_is_not_a_number_is_422_naming_the_path(client: Client, raw: str) -> None:
    auth = await token_for(client, "alice")
    await client.post("/api/alice/tasks", json={"title": "keep me"}, headers=auth)
    for method, path, field in [("GET", f"/tasks/{raw}", "path.task_id"),
                                ("PATCH", f"/tasks/{raw}", "path.task_id"),
                                ("PATCH", f"/tasks/{raw}/complete", "path.task_id"),
                                ("DELETE", f"/tasks/{raw}", "path.task_id"),
                                ("POST", f"/tasks/{raw}/restore", "path.task_id"),
                                ("GET", f"/conversations/{raw}", "path.conversation_id"),
                                ("DELETE", f"/conversations/{raw}", "path.conversation_id")]:  # fmt: skip
        body = {"title": "x"} if method == "PATCH" else None
        response = await client.request(method, f"/api/alice{path}", json=body, headers=auth)
        assert response.status_code == 422, (method, path, response.text)
        assert [e["field"] for e in response.json()["errors"]] == [field]
    assert (await client.get(f"/api/alice/tasks/{raw}")).status_code == 401, "no token: refused before the path"
    assert (await client.get("/api/alice/tasks/1", headers=auth)).json()["title"] == "keep me"


@pytest.mark.parametrize("number", ["0", "-1", "2147483648", "9" * 25, "9" * 5000])
async def test_an_id_no_task_can_have_is_404(client: Client, number: str) -> None:
    auth = await token_for(client, "alice")
    assert (await client.get(f"/api/alice/tasks/{number}", headers=auth)).status_code == 404
    assert (await client.delete(f"/api/alice/conversations/{number}", headers=auth)).status_code == 404


async def test_a_body_declared_as_another_media_type_is_415_and_writes_nothing(client: Client) -> None:
    auth = await token_for(client, "alice")
    body = b'{"title": "typed"}'
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"):
        refused = await client.post("/api/alice/tasks", content=body, headers={**auth, "content-type": content_type})
        assert refused.status_code == 415, content_type
        assert refused.headers["content-type"] == "application/problem+json"
        chat = await client.post("/api/alice/chat", content=b'{"message": "add milk"}',
                                 headers={**auth, "content-type": content_type})  # fmt: skip
        assert chat.status_code == 415, content_type
    assert (await client.get("/api/alice/tasks", headers=auth)).json()["items"] == []
    for content_type in ("application/json; charset=utf-8", "application/merge-patch+json", None):
        headers = auth if content_type is None else {**auth, "content-type": content_type}
        assert (await client.post("/api/alice/tasks", content=body, headers=headers)).status_code == 201


async def test_malformed_json_is_400_and_empty_patch_is_422(client: Client) -> None:
    auth = await token_for(client, "alice")
    bad = await client.post("/api/alice/tasks", content=b"{nope", headers={**auth, "content-type": "application/json"})
    assert bad.status_code == 400
    await client.post("/api/alice/tasks", json={"title": "x"}, headers=auth)
    empty = await client.patch("/api/alice/tasks/1", json={}, headers=auth)
    assert empty.status_code == 422
    assert empty.json()["errors"][0]["field"] == "body"


async def test_query_validation_and_unknown_params(client: Client) -> None:
    auth = await token_for(client, "alice")
    for query, field in [("limit=0", "query.limit"), ("limit=abc", "query.limit"), ("status=done", "query.status"),
                         ("cursor=%25%25", "query.cursor"), ("due_before=soon", "query.due_before")]:  # fmt: skip
        response = await client.get(f"/api/alice/tasks?{query}", headers=auth)
        assert response.status_code == 422, query
        assert response.json()["errors"][0]["field"] == field
    assert (await client.get("/api/alice/tasks?whatever=1", headers=auth)).status_code == 200
    bad_zone = await client.get("/api/alice/tasks", headers={**auth, "X-Timezone": "Mars/Olympus"})
    assert bad_zone.json()["errors"][0]["field"] == "header.X-Timezone"


async def test_pagination_with_cursor(client: Client) -> None:
    auth = await token_for(client, "alice")
    for i in range(5):
        await client.post("/api/alice/tasks", json={"title": f"t{i}"}, headers=auth)
    seen: list[int] = []
    url = "/api/alice/tasks?limit=2"
    while True:
        page = (await client.get(url, headers=auth)).json()
        seen += [t["id"] for t in page["items"]]
        if page["next_cursor"] is None:
            break
        url = f"/api/alice/tasks?limit=2&cursor={page['next_cursor']}"
    assert seen == [1, 2, 3, 4, 5]


async def test_idempotency_key(client: Client) -> None:
    auth = {**(await token_for(client, "alice")), "Idempotency-Key": "abc-123"}
    first = await client.post("/api/alice/tasks", json={"title": "once"}, headers=auth)
    again = await client.post("/api/alice/tasks", json={"title": "once"}, headers=auth)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    conflict = await client.post("/api/alice/tasks", json={"title": "other"}, headers=auth)
    assert conflict.status_code == 409
    assert len((await client.get("/api/alice/tasks", headers=auth)).json()["items"]) == 1


async def test_body_over_one_mib_is_413(client: Client) -> None:
    auth = await token_for(client, "alice")
    huge = b'{"title": "' + b"x" * (1024 * 1024) + b'"}'
    response = await client.post("/api/alice/tasks", content=huge, headers={**auth, "content-type": "application/json"})
    assert response.status_code == 413


async def test_request_id_and_security_headers(client: Client) -> None:
    echoed = await client.get("/health", headers={"X-Request-ID": "req-42"})
    assert echoed.headers["x-request-id"] == "req-42"
    generated = await client.get("/health")
    assert re.fullmatch(r"[0-9a-f]{32}", generated.headers["x-request-id"])
    another = await client.get("/health")
    assert another.headers["x-request-id"] != generated.headers["x-request-id"]
    assert generated.headers["x-content-type-options"] == "nosniff"
    assert generated.headers["x-frame-options"] == "DENY"
    assert "default-src 'none'" in generated.headers["content-security-policy"]
    assert "strict-transport-security" not in generated.headers


async def test_docs_openapi_and_jwks(client: Client) -> None:
    assert (await client.get("/docs")).status_code == 200
    spec = (await client.get("/openapi.json")).json()
    assert "/api/{user_id}/tasks" in spec["paths"]
    jwks = (await client.get("/api/auth/jwks")).json()
    assert jwks["keys"][0]["kty"] == "OKP"
    assert jwks["keys"][0]["crv"] == "Ed25519"


async def test_unknown_host_is_refused(client: Client) -> None:
    refused = await client.get("/docs/", headers={"Host": "evil.example"})
    assert refused.status_code == 400
    assert refused.headers["content-type"] == "application/problem+json"
    assert (await client.get("/docs/", headers={"Host": "localhost:8123"})).status_code == 200
    assert (await client.get("/docs/", headers={"Host": "[::1]:80"})).status_code == 400


async def test_cors_allows_only_the_configured_frontend(
    tmp_path: Path, store: InMemoryUnitOfWork, probe: InMemoryHealthProbe
) -> None:
    settings = make_settings(tmp_path, frontend_origins=("https://app.example",))
    async with AsyncTestClient(app=create_app(settings, InMemoryProvider(store, probe)), base_url=PUBLIC_URL) as client:
        preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"}
        allowed = await client.options("/api/alice/tasks", headers={"Origin": "https://app.example", **preflight})
        assert allowed.headers.get("access-control-allow-origin") == "https://app.example"
        other = await client.options("/api/alice/tasks", headers={"Origin": "https://evil.example", **preflight})
        assert other.headers.get("access-control-allow-origin") != "https://evil.example"

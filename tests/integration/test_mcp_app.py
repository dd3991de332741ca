"""MCP mounted in the real application (``create_app``: real auth, in-memory storage),
in-process: the task an MCP client changes is the one REST shows, and REST's changes show
over MCP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx2
import pytest
from litestar import Litestar
from mcp.client import Client
from mcp.client.streamable_http import streamable_http_client

from application.ports import TokenIssuer
from application.tools import CATALOGUE
from entrypoints.http.app import create_app
from entrypoints.http.deps import resolve
from tests.fakes import InMemoryHealthProbe, InMemoryUnitOfWork
from tests.http_support import PUBLIC_URL, InMemoryProvider, hs256_token, make_settings

SECRET = "mcp-integration-shared-secret-0123456789abcdef"


@asynccontextmanager
async def application(tmp_path: Path) -> AsyncIterator[Litestar]:
    settings = make_settings(tmp_path, better_auth_secret=SECRET)
    app = create_app(settings, InMemoryProvider(InMemoryUnitOfWork(), InMemoryHealthProbe()))
    async with app.lifespan():
        yield app


async def token(app: Litestar, user: str, ttl: int = 600) -> str:
    issuer = await resolve(app.state, TokenIssuer)  # type: ignore[type-abstract]
    return issuer.issue(user, ttl)


def http(app: Litestar, token: str | None = None) -> httpx2.AsyncClient:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    return httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url=PUBLIC_URL, headers=headers)


@asynccontextmanager
async def mcp(app: Litestar, token: str, mode: str = "legacy") -> AsyncIterator[Client]:
    async with (
        http(app, token) as client,
        Client(streamable_http_client(f"{PUBLIC_URL}/mcp", http_client=client), mode=mode) as session,
    ):
        yield session


@pytest.mark.parametrize("mode", ["legacy", "2026-07-28"])
async def test_a_task_changed_over_mcp_is_the_one_rest_shows(tmp_path: Path, mode: str) -> None:
    async with application(tmp_path) as app:
        alice = await token(app, "alice")
        async with mcp(app, alice, mode) as client:
            added = (await client.call_tool("add_task", {"title": "Call mum", "tags": ["family"]})).structured_content
            assert added is not None
            await client.call_tool("complete_task", {"task_id": added["id"]})
        async with http(app, alice) as rest:
            shown = (await rest.get(f"/api/alice/tasks/{added['id']}")).json()
            await rest.patch(f"/api/alice/tasks/{added['id']}", json={"priority": "high"})
        async with mcp(app, alice, mode) as client:
            again = (await client.call_tool("get_task", {"task_id": added["id"]})).structured_content
    assert shown["title"] == "Call mum" and shown["completed"] is True and shown["tags"] == ["family"]
    assert again is not None and again["priority"] == "high" and again["completed"] is True


async def test_tokens_of_every_accepted_kind_act_for_their_subject(tmp_path: Path) -> None:
    async with application(tmp_path) as app:
        async with mcp(app, await token(app, "alice")) as client:
            await client.call_tool("add_task", {"title": "Alice's"})
        async with mcp(app, hs256_token(SECRET, "bob")) as client:
            bobs = (await client.call_tool("list_tasks", {})).structured_content
    assert bobs == {"items": [], "next_cursor": None}


async def test_missing_expired_and_wrong_key_tokens_get_401_with_resource_metadata(tmp_path: Path) -> None:
    async with application(tmp_path) as app:
        bad: dict[str, str | None] = {
            "missing": None,
            "expired": hs256_token(SECRET, "alice", ttl=-60),
            "wrong key": hs256_token("another-secret-that-is-long-enough-0123456789", "alice"),
            "garbage": "not.a.jwt",
        }
        answers: dict[str, Any] = {}
        for name, value in bad.items():
            async with http(app, value) as client:
                answers[name] = await client.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
    for name, response in answers.items():
        assert response.status_code == 401, name
        challenge = response.headers["www-authenticate"]
        assert challenge.startswith("Bearer "), name
        assert f'resource_metadata="{PUBLIC_URL}/.well-known/oauth-protected-resource"' in challenge, name
        assert "x-request-id" in response.headers, "the app's middleware wraps the mount"


async def test_health_and_metadata_are_public_on_the_app(tmp_path: Path) -> None:
    async with application(tmp_path) as app, http(app) as client:
        health = await client.get("/mcp/health")
        metadata = await client.get("/.well-known/oauth-protected-resource")
        nested = await client.get("/.well-known/oauth-protected-resource/mcp")
    assert health.json() == {"status": "healthy", "tools": [tool.name for tool in CATALOGUE]}
    assert metadata.json() == nested.json()
    assert metadata.json()["resource"] == f"{PUBLIC_URL}/mcp"
    assert metadata.json()["authorization_servers"] == [PUBLIC_URL], "standalone: the server is its own issuer"


async def test_mcp_callers_count_as_active_users_and_their_route_is_the_mount(tmp_path: Path) -> None:
    async with application(tmp_path) as app:
        async with mcp(app, await token(app, "mia")) as client:
            await client.call_tool("list_tasks", {})
        async with http(app) as plain:
            scraped = (await plain.get("/metrics")).text
    assert "todo_active_users 1" in scraped
    assert 'route="/mcp",status="200"' in scraped
    assert "mia" not in scraped

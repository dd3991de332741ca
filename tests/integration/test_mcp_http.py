"""The /mcp mount over streamable HTTP, in-process: a Litestar app hosting the integration,
driven by the official MCP client through ``httpx2.ASGITransport``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx2
import mcp_types as types
import pytest
from litestar import Litestar
from mcp.client import Client
from mcp.client.streamable_http import streamable_http_client

from application.errors import AuthUnavailable
from application.ports import Principal
from application.tools import CATALOGUE, TaskTools
from entrypoints.config import Settings
from entrypoints.mcp import mcp_integration
from tests.fakes import InMemoryUnitOfWork, StaticTokenVerifier, task_tools

PUBLIC_URL = "http://todo.test"
METADATA_URL = f"{PUBLIC_URL}/.well-known/oauth-protected-resource"
SETTINGS = Settings(
    public_url=PUBLIC_URL,
    allowed_hosts=("localhost", "127.0.0.1"),
    frontend_origins=("https://chat.example.com",),
    better_auth_url="https://auth.example.com",
)
MODES = ["legacy", "2026-07-28"]


class DownVerifier:
    """A verifier whose signing keys cannot be fetched."""

    async def verify(self, token: str) -> Principal:
        raise AuthUnavailable("JWKS at https://auth.example.com unreachable", retry_after=9)


@asynccontextmanager
async def running(verifier: Any = None, uow: InMemoryUnitOfWork | None = None) -> AsyncIterator[Litestar]:
    tools = task_tools(uow or InMemoryUnitOfWork())
    integration = mcp_integration(tools, verifier or StaticTokenVerifier(), SETTINGS)
    app = Litestar(route_handlers=integration.route_handlers, lifespan=[integration.lifespan])
    async with app.lifespan():
        yield app


def http(app: Litestar, **headers: str) -> httpx2.AsyncClient:
    return httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url=PUBLIC_URL, headers=headers)


@asynccontextmanager
async def connect(
    app: Litestar, user: str, mode: str = "legacy", path: str = "/mcp", **headers: str
) -> AsyncIterator[Client]:
    async with (
        http(app, authorization=f"Bearer user:{user}", **headers) as client,
        Client(streamable_http_client(f"{PUBLIC_URL}{path}", http_client=client), mode=mode) as session,
    ):
        yield session


def text_of(result: types.CallToolResult) -> str:
    block = result.content[0]
    assert isinstance(block, types.TextContent)
    return block.text


@pytest.mark.parametrize("mode", MODES)
async def test_list_tools_over_http_is_the_catalogue(mode: str) -> None:
    async with running() as app:
        async with connect(app, "alice", mode) as client:
            listed = (await client.list_tools()).tools
        assert [(t.name, t.title, t.description) for t in listed] == [
            (t.name, t.title, t.description) for t in CATALOGUE
        ]
        for published, tool in zip(listed, CATALOGUE, strict=True):
            assert published.input_schema == tool.input_schema and published.output_schema == tool.output_schema
            assert published.annotations is not None
            assert published.annotations.read_only_hint is tool.read_only
            assert published.annotations.destructive_hint is tool.destructive
            assert published.annotations.idempotent_hint is tool.idempotent


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("path", ["/mcp", "/mcp/"])
async def test_both_paths_serve_without_redirect(mode: str, path: str) -> None:
    async with running() as app:
        async with connect(app, "alice", mode, path) as client:
            result = await client.call_tool("add_task", {"title": "Buy milk"})
        assert not result.is_error and result.structured_content is not None
        assert result.structured_content["title"] == "Buy milk"


@pytest.mark.parametrize("path", ["/mcp", "/mcp/"])
async def test_json_responses_without_a_session_or_redirect(path: str) -> None:
    async with running() as app:
        body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
        headers = {"authorization": "Bearer user:alice", "accept": "application/json, text/event-stream"}
        async with http(app, **headers) as client:
            response = await client.post(path, json=body, headers={"mcp-protocol-version": "2025-11-25"})
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/json")
        assert "mcp-session-id" not in response.headers
        assert [t["name"] for t in response.json()["result"]["tools"]] == [t.name for t in CATALOGUE]


@pytest.mark.parametrize("mode", MODES)
async def test_two_users_never_see_each_others_tasks(mode: str) -> None:
    async with running() as app:
        async with connect(app, "alice", mode) as alice:
            mine = (await alice.call_tool("add_task", {"title": "Alice's secret"})).structured_content
        assert mine is not None
        async with connect(app, "bob", mode) as bob:
            listed = (await bob.call_tool("list_tasks", {})).structured_content
            missing = await bob.call_tool("get_task", {"task_id": 99})
            attempts = {
                name: await bob.call_tool(name, {"task_id": mine["id"], **extra})
                for name, extra in [
                    ("get_task", {}),
                    ("update_task", {"title": "pwned"}),
                    ("complete_task", {}),
                    ("toggle_task_status", {}),
                    ("delete_task", {}),
                ]
            }
        assert listed == {"items": [], "next_cursor": None}
        for name, result in attempts.items():
            assert result.is_error, name
            assert text_of(result) == text_of(missing).replace("99", str(mine["id"])), name
        async with connect(app, "alice", mode) as alice:
            again = (await alice.call_tool("get_task", {"task_id": mine["id"]})).structured_content
        assert again == mine, "nothing changed"


async def test_pagination_over_http() -> None:
    async with running() as app:
        async with connect(app, "carol") as client:
            for n in range(5):
                await client.call_tool("add_task", {"title": f"t{n}"})
            first = (await client.call_tool("list_tasks", {"limit": 2})).structured_content
            assert first is not None and first["next_cursor"]
            second = (
                await client.call_tool("list_tasks", {"limit": 2, "cursor": first["next_cursor"]})
            ).structured_content
            assert second is not None
        assert [t["title"] for t in first["items"] + second["items"]] == ["t0", "t1", "t2", "t3"]


async def test_an_unknown_argument_is_a_tool_error() -> None:
    async with running() as app:
        async with connect(app, "alice", "2026-07-28") as client:
            result = await client.call_tool("add_task", {"title": "x", "user_id": "bob"})
        assert result.is_error and "user_id" in text_of(result)


@pytest.mark.parametrize(
    ("headers", "challenge"),
    [
        ({}, f'Bearer resource_metadata="{METADATA_URL}"'),
        ({"authorization": "Basic YWxpY2U6eA=="}, f'Bearer resource_metadata="{METADATA_URL}"'),
        (
            {"authorization": "Bearer garbage"},
            'Bearer error="invalid_token", error_description="The token is invalid", '
            f'resource_metadata="{METADATA_URL}"',
        ),
    ],
)
async def test_without_a_valid_token_401_points_at_the_resource_metadata(
    headers: dict[str, str], challenge: str
) -> None:
    async with running() as app, http(app, **headers) as client:
        for response in [await client.post("/mcp", json={}), await client.get("/mcp/")]:
            assert response.status_code == 401
            assert response.headers["www-authenticate"] == challenge
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["status"] == 401


async def test_a_token_in_the_query_string_is_not_accepted() -> None:
    async with running() as app:
        async with http(app) as client:
            response = await client.post("/mcp?access_token=user:alice", json={})
        assert response.status_code == 401


async def test_keys_unavailable_is_503_with_retry_after() -> None:
    async with running(DownVerifier()) as app, http(app, authorization="Bearer anything") as client:
        response = await client.post("/mcp", json={})
    assert response.status_code == 503 and response.headers["retry-after"] == "9"
    assert "auth.example.com" not in response.text


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"host": "evil.example"}, 421),
        ({"host": "todo.test.evil.example"}, 421),
        ({"origin": "https://evil.example"}, 403),
        ({"x-timezone": "Mars/Olympus"}, 422),
    ],
)
async def test_rebinding_and_bad_headers_are_refused(headers: dict[str, str], status: int) -> None:
    async with running() as app:
        async with http(app, authorization="Bearer user:alice") as client:
            response = await client.post("/mcp", json={}, headers=headers)
        assert response.status_code == status


@pytest.mark.parametrize(
    "headers",
    [
        {"host": "localhost"},
        {"host": "localhost:8000"},
        {"host": "127.0.0.1:49152"},
        {"origin": "https://chat.example.com"},
        {"origin": PUBLIC_URL},
        {"x-timezone": "Europe/Paris"},
    ],
)
async def test_allowed_hosts_origins_and_zones_are_served(headers: dict[str, str]) -> None:
    async with running() as app:
        async with connect(app, "alice", "legacy", **headers) as client:
            result = await client.call_tool("list_tasks", {"overdue": True})
        assert not result.is_error


async def test_only_the_endpoint_itself_is_served_under_the_mount() -> None:
    async with running() as app, http(app, authorization="Bearer user:alice") as client:
        assert (await client.post("/mcp/other", json={})).status_code == 404
        assert (await client.post("/mcpx", json={})).status_code == 404


async def test_health_and_protected_resource_metadata_need_no_token() -> None:
    async with running() as app:
        async with http(app) as client:
            health = await client.get("/mcp/health")
            documents = [await client.get(path) for path in [METADATA_URL, f"{METADATA_URL}/mcp"]]
        assert health.status_code == 200
        assert health.json() == {"status": "healthy", "tools": [tool.name for tool in CATALOGUE]}
        for document in documents:
            assert document.status_code == 200
            assert document.json() == {
                "resource": f"{PUBLIC_URL}/mcp",
                "authorization_servers": ["https://auth.example.com"],
                "bearer_methods_supported": ["header"],
                "resource_name": "Todo Chatbot MCP server",
            }


async def test_tools_and_verifier_can_be_resolved_lazily() -> None:
    uow = InMemoryUnitOfWork()
    calls: list[str] = []

    async def tools() -> TaskTools:
        calls.append("tools")
        return task_tools(uow)

    async def verifier() -> StaticTokenVerifier:
        calls.append("verifier")
        return StaticTokenVerifier()

    integration = mcp_integration(tools, verifier, SETTINGS)
    app = Litestar(route_handlers=integration.route_handlers, lifespan=[integration.lifespan])
    async with app.lifespan(), connect(app, "alice") as client:
        assert calls == ["verifier"], "the first request verified a token; no tool has run yet"
        for _ in range(2):
            assert not (await client.call_tool("add_task", {"title": "x"})).is_error
    assert calls == ["verifier", "tools"]


async def test_stateless_endpoint_answers_post_only_and_bounds_the_body() -> None:
    headers = {"authorization": "Bearer user:alice", "accept": "application/json, text/event-stream"}
    async with running() as app, http(app, **headers) as client:
        methods = {method: await client.request(method, "/mcp") for method in ["GET", "DELETE", "PUT"]}
        too_big = await client.post(
            "/mcp", content=b"x" * (1024 * 1024 + 1), headers={"content-type": "application/json"}
        )
        not_json = await client.post("/mcp", content=b"{", headers={"content-type": "application/json"})
    for method, response in methods.items():
        assert response.status_code == 405, method
        assert response.headers["allow"] == "POST", method
    assert too_big.status_code == 413
    assert not_json.status_code == 400 and not_json.json()["error"]["code"] == types.PARSE_ERROR


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"content-type": "text/plain"}, 415),
        ({"accept": "text/html"}, 406),
    ],
)
async def test_http_level_refusals_are_problems(headers: dict[str, str], status: int) -> None:
    base = {"authorization": "Bearer user:alice", "accept": "application/json, text/event-stream"}
    body = b'{"jsonrpc": "2.0", "id": 1, "method": "ping"}'
    async with running() as app, http(app, **{**base, "content-type": "application/json", **headers}) as client:
        response = await client.post("/mcp", content=body)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == status


@pytest.mark.parametrize(
    "body",
    [b'{"x": 1}', b"{", b'{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": 5}}'],
)
async def test_json_rpc_errors_carry_no_library_internals(body: bytes) -> None:
    headers = {"authorization": "Bearer user:alice", "accept": "application/json", "content-type": "application/json"}
    async with running() as app, http(app, **headers) as client:
        response = await client.post("/mcp", content=body)
    error = response.json()["error"]
    assert set(error) == {"code", "message"}
    for leak in ["pydantic", "http", "validation error", "line 1", "input_value"]:
        assert leak not in error["message"].lower()


async def test_server_info_names_the_package_version() -> None:
    from importlib.metadata import version

    async with running() as app, connect(app, "alice") as client:
        info = client.server_info
    assert (info.name, info.version) == ("todo-chatbot", version("todo-chatbot"))

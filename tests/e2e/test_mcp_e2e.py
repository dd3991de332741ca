"""MCP against the real server process on 127.0.0.1: streamable HTTP at /mcp (PostgreSQL),
and stdio by spawning ``todo-chatbot mcp --user`` on the SQLite file a server also uses."""

from __future__ import annotations

import json
import shutil
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx2
import jwt
import mcp_types as types
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from mcp.client import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from adapters.auth import load_or_create_signing_key
from application.tools import CATALOGUE
from tests.e2e.server import RunningServer

pytestmark = pytest.mark.e2e


@asynccontextmanager
async def mcp_http(server: RunningServer, user: str, mode: str = "auto") -> AsyncIterator[Client]:
    async with (
        httpx2.AsyncClient(headers=server.auth(user), timeout=10) as http,
        Client(streamable_http_client(f"{server.url}/mcp", http_client=http), mode=mode) as client,
    ):
        yield client


def text_of(result: types.CallToolResult) -> str:
    block = result.content[0]
    assert isinstance(block, types.TextContent)
    return block.text


@pytest.mark.postgres
@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_mcp_over_http_changes_what_rest_shows(server: RunningServer, mode: str) -> None:
    user = f"mcp-e2e-{mode}"
    async with mcp_http(server, user, mode) as client:
        names = [tool.name for tool in (await client.list_tools()).tools]
        added = (await client.call_tool("add_task", {"title": "Renew passport", "priority": "high"})).structured_content
        assert added is not None
        done = await client.call_tool("complete_task", {"task_id": added["id"]})
        unknown = await client.call_tool("update_task", {"task_id": added["id"], "owner": "x"})
    assert names == [tool.name for tool in CATALOGUE]
    assert not done.is_error and unknown.is_error and "owner" in text_of(unknown)
    async with httpx2.AsyncClient(headers=server.auth(user), timeout=10) as rest:
        shown = (await rest.get(f"{server.url}/api/{user}/tasks/{added['id']}")).json()
    assert shown == {
        **added,
        "completed": True,
        "completed_at": shown["completed_at"],
        "updated_at": shown["updated_at"],
    }
    assert shown["completed_at"] is not None


@pytest.mark.postgres
async def test_two_users_over_http_never_see_each_other(server: RunningServer) -> None:
    async with mcp_http(server, "mcp-e2e-owner") as owner:
        task = (await owner.call_tool("add_task", {"title": "Private"})).structured_content
    assert task is not None
    async with mcp_http(server, "mcp-e2e-intruder") as intruder:
        listed = (await intruder.call_tool("list_tasks", {})).structured_content
        deleted = await intruder.call_tool("delete_task", {"task_id": task["id"]})
    assert listed == {"items": [], "next_cursor": None}
    assert deleted.is_error and json.loads(text_of(deleted))["kind"] == "not_found"
    assert json.loads(text_of(deleted))["error"].startswith(f"There is no task {task['id']}.")
    async with mcp_http(server, "mcp-e2e-owner") as owner:
        still = (await owner.call_tool("get_task", {"task_id": task["id"]})).structured_content
    assert still == task


@pytest.mark.postgres
async def test_missing_expired_and_wrong_key_tokens_get_401(server: RunningServer) -> None:
    now = int(time.time())
    own_key, _ = load_or_create_signing_key(server.key_file)
    claims = {"sub": "mallory", "iss": server.url, "aud": server.url, "exp": now + 300}
    tokens: dict[str, str | None] = {
        "missing": None,
        "expired": jwt.encode({**claims, "exp": now - 10}, own_key, algorithm="EdDSA"),
        "wrong key": jwt.encode(claims, Ed25519PrivateKey.generate(), algorithm="EdDSA"),
    }
    metadata = f'resource_metadata="{server.url}/.well-known/oauth-protected-resource"'
    async with httpx2.AsyncClient(timeout=10) as http:
        for name, token in tokens.items():
            headers = {"authorization": f"Bearer {token}"} if token else {}
            response = await http.post(f"{server.url}/mcp", json={}, headers=headers)
            assert response.status_code == 401, name
            assert metadata in response.headers["www-authenticate"], name
        document = (await http.get(f"{server.url}/.well-known/oauth-protected-resource")).json()
        health = (await http.get(f"{server.url}/mcp/health")).json()
    assert document["resource"] == f"{server.url}/mcp"
    assert health == {"status": "healthy", "tools": [tool.name for tool in CATALOGUE]}


def cli_command() -> list[str]:
    """The installed console script when there is one, else the module."""
    script = shutil.which("todo-chatbot", path=str(sys.prefix) + "/bin")
    return [script, "mcp"] if script else [sys.executable, "-m", "entrypoints.cli", "mcp"]


async def test_stdio_cli_acts_for_its_user_on_the_servers_database(sqlite_server: RunningServer) -> None:
    command, *args = cli_command()
    parameters = StdioServerParameters(
        command=command,
        args=[*args, "--user", "stdio-alice"],
        env=sqlite_server.env,
        cwd=str(sqlite_server.key_file.parent),
    )
    async with Client(parameters, mode="legacy") as client:
        assert client.instructions and "list_tasks" in client.instructions
        added = (await client.call_tool("add_task", {"title": "Desktop task"})).structured_content
        assert added is not None
        toggled = (await client.call_tool("toggle_task_status", {"task_id": added["id"]})).structured_content
    assert toggled is not None and toggled["completed"] is True
    async with httpx2.AsyncClient(headers=sqlite_server.auth("stdio-alice"), timeout=10) as rest:
        shown = (await rest.get(f"{sqlite_server.url}/api/stdio-alice/tasks")).json()
    assert [(t["title"], t["completed"]) for t in shown["items"]] == [("Desktop task", True)]

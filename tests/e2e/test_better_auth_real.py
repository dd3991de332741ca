"""The real Better Auth (npm ``better-auth`` in Node, JWT plugin, memory adapter) as the
auth server: a user signs up and in there, and the JWT it issues (EdDSA, its JWKS, its
default ``iss``/``aud``) works against our REST, chat and MCP endpoints."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import httpx2
import jwt
import pytest
from mcp.client import Client
from mcp.client.streamable_http import streamable_http_client

from tests.e2e.browser import NODE_MODULES, REPO
from tests.e2e.server import RunningServer, free_port, run_server, stop

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]
SCRIPT = REPO / "tests" / "node" / "better_auth_server.mjs"
START_TIMEOUT = 30.0


@pytest.fixture(scope="module")
def better_auth() -> Iterator[str]:
    """The Better Auth server's base URL."""
    node = shutil.which("node")
    if node is None or not (NODE_MODULES / "better-auth").is_dir():
        raise RuntimeError("needs node and `npm ci` in tests/node (./scripts/test.sh does both)")
    port = free_port()
    env = {**os.environ, "PORT": str(port), "BETTER_AUTH_SECRET": "better-auth-e2e-secret-0123456789abcdef",
           "BETTER_AUTH_TELEMETRY": "0"}  # fmt: skip
    log = Path(tempfile.mkdtemp(prefix="better-auth-")) / "node.log"
    with log.open("wb") as out:
        process = subprocess.Popen([node, str(SCRIPT)], cwd=SCRIPT.parent, env=env, stdout=out, stderr=out)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while "ready" not in log.read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Better Auth did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.05)  # polling interval, bounded by the deadline
        yield url
    finally:
        stop(process)


@pytest.fixture(scope="module")
def our_server(better_auth: str, postgres_url: str) -> Iterator[RunningServer]:
    from tests.postgres import create_database

    workdir = Path(tempfile.mkdtemp(prefix="todo-better-auth-"))
    with run_server(workdir, create_database(postgres_url), BETTER_AUTH_URL=better_auth) as running:
        yield running


def _better_auth_jwt(url: str, email: str) -> tuple[str, str]:
    """Sign up, sign out, sign in again at Better Auth; its JWT for the session and the user id."""
    with httpx.Client(base_url=url, headers={"Origin": url}, timeout=10) as client:
        user = client.post("/api/auth/sign-up/email", json={"name": "Ada", "email": email, "password": "correct horse"})
        assert user.status_code == 200, user.text
        assert client.post("/api/auth/sign-out").json() == {"success": True}
        client.cookies.clear()
        signed = client.post("/api/auth/sign-in/email", json={"email": email, "password": "correct horse"})
        assert signed.status_code == 200 and signed.json()["redirect"] is False
        session = client.get("/api/auth/get-session")
        assert session.headers.get("set-auth-jwt")
        token = client.get("/api/auth/token").json()["token"]
    return token, signed.json()["user"]["id"]


async def test_a_better_auth_jwt_works_for_rest_chat_and_mcp(better_auth: str, our_server: RunningServer) -> None:
    token, user_id = _better_auth_jwt(better_auth, "ada@example.com")
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert header["alg"] == "EdDSA" and "kid" in header
    assert claims["iss"] == claims["aud"] == better_auth and claims["sub"] == user_id
    assert claims["email"] == "ada@example.com"  # Better Auth puts the user in; we use only sub
    auth = {"Authorization": f"Bearer {token}"}

    async with httpx2.AsyncClient(base_url=our_server.url, headers=auth, timeout=10) as api:
        created = await api.post(f"/api/{user_id}/tasks", json={"title": "Renew passport"})
        assert created.status_code == 201, created.text
        chat = await api.post(f"/api/{user_id}/chat", json={"message": "remind me to call the dentist tomorrow"})
        assert chat.status_code == 200 and chat.json()["tool_calls"][0]["name"] == "add_task"
        assert (await api.get("/api/someone-else/tasks")).status_code == 403
        async with Client(streamable_http_client(f"{our_server.url}/mcp", http_client=api)) as mcp:
            listed = (await mcp.call_tool("list_tasks", {})).structured_content
    assert listed is not None
    assert sorted(item["title"] for item in listed["items"]) == ["Call the dentist", "Renew passport"]
    assert "ada@example.com" not in our_server.logs()
    assert token not in our_server.logs()


async def test_a_tampered_better_auth_jwt_is_refused(better_auth: str, our_server: RunningServer) -> None:
    token, user_id = _better_auth_jwt(better_auth, "grace@example.com")
    head, payload, signature = token.split(".")
    forged = f"{head}.{payload}.{signature[:-4]}AAAA"
    async with httpx2.AsyncClient(base_url=our_server.url, timeout=10) as api:
        refused = await api.get(f"/api/{user_id}/tasks", headers={"Authorization": f"Bearer {forged}"})
    assert refused.status_code == 401

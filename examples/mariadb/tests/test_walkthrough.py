"""The README's walk through the task API, on the real server process with
``DATABASE_URL=mysql+asyncmy://...``: ``todo-chatbot serve`` migrates the database with this
package's migrations and serves every request from MariaDB."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conftest import MariaDb

START_SECONDS = 30
_BESIDE = Path(sys.executable).with_name("todo-chatbot")
CLI = str(_BESIDE) if _BESIDE.exists() else shutil.which("todo-chatbot") or "todo-chatbot"
"""The server's command, from this interpreter's environment."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(mariadb: MariaDb, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """``todo-chatbot serve`` on a fresh MariaDB database; its URL and environment."""
    workdir, port = tmp_path_factory.mktemp("server"), _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "BETTER_AUTH_"))},
        "DATABASE_URL": mariadb.url("todo_walkthrough"),  # mysql+asyncmy://todo:todo@127.0.0.1:PORT/...
        "PORT": str(port),
        "PUBLIC_URL": url,
        "AUTH_SIGNING_KEY_FILE": str(workdir / "signing-key.pem"),
        "CHAT_RATE_LIMIT": "0",
        "AUTH_RATE_LIMIT": "0",
        "AUTH_RATE_LIMIT_PER_IP": "0",
        "RATE_LIMIT_PER_IP": "0",
    }
    log = (workdir / "server.log").open("wb")
    process = subprocess.Popen([CLI, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_until_ready(url, process, workdir / "server.log")
        yield url, env
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)
        log.close()


def _wait_until_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text()[-4000:]}")
        try:
            if httpx.get(f"{url}/ready", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)  # polling interval, bounded by the deadline
    raise TimeoutError(f"server not ready within {START_SECONDS}s:\n{log.read_text()[-4000:]}")


def test_the_readme_walk_through_runs_on_mariadb(server: tuple[str, dict[str, str]]) -> None:
    url, env = server
    token = subprocess.run([CLI, "token", "alice"], env=env, check=True, capture_output=True, text=True).stdout.strip()
    api = httpx.Client(base_url=f"{url}/api/alice", headers={"Authorization": f"Bearer {token}"}, timeout=10)

    created = api.post(
        "/tasks", json={"title": "Buy groceries", "due": "2026-12-01", "tags": ["home"], "priority": "high"}
    )
    assert created.status_code == 201, created.text
    assert (created.json()["id"], created.json()["due"]) == (1, "2026-12-01")
    api.post("/tasks", json={"title": "straße sweeping"})
    api.post("/tasks", json={"title": "Zebra crossing"})
    listed = api.get("/tasks", params={"status": "pending", "sort": "due", "limit": 20}).json()
    assert [task["id"] for task in listed["items"]] == [1, 2, 3]  # undated tasks last
    by_title = api.get("/tasks", params={"sort": "title"}).json()
    assert [task["title"] for task in by_title["items"]] == ["Buy groceries", "straße sweeping", "Zebra crossing"]
    assert api.patch("/tasks/1", json={"title": "Buy oat milk"}).json()["title"] == "Buy oat milk"
    assert api.patch("/tasks/1/complete").json()["completed"] is True
    assert api.delete("/tasks/1").status_code == 204
    assert api.get("/tasks/1").status_code == 404
    assert api.post("/tasks/1/restore").json()["title"] == "Buy oat milk"
    assert api.get("/tags").json()["items"] == [{"name": "home", "count": 1}]
    chat = api.post("/chat", json={"message": "remind me to call the dentist tomorrow"})
    assert chat.status_code == 200, chat.text
    assert [call["name"] for call in chat.json()["tool_calls"]] == ["add_task"]
    assert [task["id"] for task in api.get("/tasks", params={"q": "DENTIST"}).json()["items"]] == [4]
    current = subprocess.run([CLI, "migrate", "current"], env=env, check=True, capture_output=True, text=True)
    assert current.stdout.strip() == "0001"

"""Database down: readiness and requests answer 503 fast, and service resumes by itself."""

from __future__ import annotations

import json
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.e2e.server import run_server
from tests.fake_model import Hang, model_in_thread
from tests.postgres import PG_BIN, Cluster, _as_postgres_user, create_database, start_cluster

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


def _pg_ctl(cluster: Cluster, *args: str) -> None:
    data = str(cluster.root / "data")
    subprocess.run([*_as_postgres_user(), str(PG_BIN / "pg_ctl"), "-D", data, *args], check=True, capture_output=True)


def _restart(cluster: Cluster) -> None:
    options = f"-p {cluster.port} -k {cluster.root} -c listen_addresses=127.0.0.1 -c fsync=off"
    _pg_ctl(cluster, "-l", str(cluster.root / "log"), "-o", options, "-w", "-t", "60", "start")


def _poll(url: str, headers: dict[str, str], status: int, seconds: float) -> httpx.Response:
    deadline = time.monotonic() + seconds
    while True:
        response = httpx.get(url, headers=headers, timeout=5)
        if response.status_code == status or time.monotonic() > deadline:
            return response
        time.sleep(0.1)  # polling interval, bounded by the deadline


def test_database_outage_is_503_then_recovers() -> None:
    cluster = start_cluster()
    try:
        workdir = Path(tempfile.mkdtemp(prefix="todo-outage-"))
        with run_server(workdir, create_database(cluster.url)) as server:
            auth = server.auth("olga")
            tasks = f"{server.url}/api/olga/tasks"
            assert httpx.post(tasks, json={"title": "survive"}, headers=auth).status_code == 201

            _pg_ctl(cluster, "-m", "fast", "stop")  # clean stop: the test cluster runs with async commit
            started = time.monotonic()
            db = httpx.get(f"{server.url}/health/db", timeout=5)
            assert db.status_code == 503
            assert time.monotonic() - started < 2.5
            assert db.json()["status"] == "unhealthy"
            assert httpx.get(f"{server.url}/ready", timeout=5).status_code == 503
            down = _poll(tasks, auth, 503, 5)
            assert down.status_code == 503
            assert "retry-after" in down.headers
            assert httpx.post(tasks, json={"title": "lost?"}, headers=auth, timeout=5).status_code == 503
            assert httpx.get(f"{server.url}/health", timeout=5).status_code == 200

            _restart(cluster)
            back = _poll(tasks, auth, 200, 20)
            assert back.status_code == 200
            assert [t["title"] for t in back.json()["items"]] == ["survive"]
            assert httpx.get(f"{server.url}/ready", timeout=5).status_code == 200
    finally:
        cluster.stop()


_REQUESTS = (("GET", "/tasks", None), ("POST", "/tasks", {"title": "t"}), ("GET", "/tags", None))


def _hammer(server_url: str, auth: dict[str, str], user: str, stop: threading.Event, seen: list[int]) -> None:
    with httpx.Client(base_url=f"{server_url}/api/{user}", headers=auth, timeout=10) as client:
        while not stop.is_set():
            for method, path, body in (
                ("GET", "/tasks", None),
                ("POST", "/tasks", {"title": "t"}),
                ("GET", "/tags", None),
            ):
                try:
                    seen.append(client.request(method, path, json=body).status_code)
                except httpx.TransportError:
                    seen.append(0)


@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_postgresql_shutting_down_mid_request_is_503_never_500(mode: str) -> None:
    cluster = start_cluster()
    try:
        workdir = Path(tempfile.mkdtemp(prefix="todo-shutdown-"))
        with run_server(workdir, create_database(cluster.url)) as server:
            stop, seen = threading.Event(), []
            workers = [
                threading.Thread(target=_hammer, args=(server.url, server.auth(f"u{i}"), f"u{i}", stop, seen))
                for i in range(6)
            ]
            for worker in workers:
                worker.start()
            _wait(lambda: len(seen) > 200, 20)
            _pg_ctl(cluster, "-m", mode, "stop")
            _wait(lambda: seen[-20:].count(503) == 20, 20)
            stop.set()
            for worker in workers:
                worker.join(15)
            assert set(seen) <= {200, 201, 503}, (sorted(set(seen)), server.logs()[-5000:])
            assert seen.count(503) >= 20
            logs = server.logs()
            assert '"status":500' not in logs  # access lines: no request answered 500
            assert '"level": "error"' not in logs  # a 503 is logged as a warning, a bug as an error
    finally:
        cluster.stop()


def _wait(condition: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)  # polling interval, bounded by the deadline


def test_a_streamed_chat_turn_whose_database_goes_away_ends_with_a_503_error_event() -> None:
    cluster = start_cluster()
    try:
        workdir = Path(tempfile.mkdtemp(prefix="todo-chat-outage-"))
        with model_in_thread() as model:
            env = {"OPENAI_BASE_URL": model.url, "OPENAI_MODEL": "local-test", "OPENAI_TIMEOUT": "20"}
            with run_server(workdir, create_database(cluster.url), **env) as server:
                model.play(Hang(3))  # then it answers, when the database is gone
                url = f"{server.url}/api/rita/chat"
                headers = {**server.auth("rita"), "Accept": "text/event-stream"}
                with (
                    httpx.Client(timeout=30) as http,
                    http.stream("POST", url, json={"message": "hi"}, headers=headers) as r,
                ):
                    assert r.status_code == 200
                    _wait(lambda: len(model.requests) > 0, 10)
                    _pg_ctl(cluster, "-m", "fast", "stop")
                    body = r.read().decode()
                last = [block for block in body.split("\n\n") if block.strip()][-1]
                event, data = last.split("\n")
                assert event == "event: error"
                problem = json.loads(data.removeprefix("data: "))
                assert problem["status"] == 503
                assert problem["conversation_id"] == 1
                assert "retry_after" in problem
    finally:
        cluster.stop()

"""Database down: readiness and requests answer 503 fast, and service resumes by itself."""

from __future__ import annotations

import subprocess
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.server import run_server
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

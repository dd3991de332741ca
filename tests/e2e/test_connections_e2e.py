"""HTTP_HEADER_TIMEOUT and MAX_CONNECTIONS on the real server: idle and half-sent sockets
are closed in time, connections over the cap get a 503 problem, and /health answers again."""

from __future__ import annotations

import json
import socket
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.server import run_server

pytestmark = pytest.mark.e2e

HEAD_TIMEOUT = 1
CAP = 4


def _connect(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=10)
    return sock


def _closed_by_server(sock: socket.socket) -> bool:
    try:
        return sock.recv(4096) == b""
    except ConnectionResetError:
        return True


def test_slow_and_idle_sockets_are_closed_and_the_cap_answers_503(tmp_path: Path) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="todo-conn-"))
    env = {"HTTP_HEADER_TIMEOUT": str(HEAD_TIMEOUT), "MAX_CONNECTIONS": str(CAP)}
    with run_server(workdir, f"sqlite+aiosqlite:///{workdir / 'todo.db'}", **env) as server:
        idle = [_connect(server.url) for _ in range(CAP)]
        half = [_connect(server.url) for _ in range(2)]
        for sock in half:
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        opened = time.monotonic()

        over = _connect(server.url)
        over.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-ID: cap-check-1\r\n\r\n")
        answer = over.recv(4096).decode()
        head, _, body = answer.partition("\r\n\r\n")
        assert head.startswith("HTTP/1.1 503")
        assert "retry-after: 1" in head.lower()
        assert "application/problem+json" in head
        assert "x-request-id: cap-check-1" in head.lower(), "every answer carries the request id"
        assert "x-content-type-options: nosniff" in head.lower()
        assert "content-security-policy: default-src 'none'" in head.lower()
        assert json.loads(body)["status"] == 503
        assert _closed_by_server(over)

        for sock in [*idle, *half]:  # closed by the head deadline
            sock.settimeout(HEAD_TIMEOUT + 5)
            assert _closed_by_server(sock)
        assert time.monotonic() - opened < HEAD_TIMEOUT + 3

        assert httpx.get(f"{server.url}/health", timeout=5).status_code == 200
        with httpx.Client(base_url=server.url, timeout=5) as keep_alive:  # keep-alive: many heads, one socket
            for _ in range(20):
                assert keep_alive.get("/health").status_code == 200


def test_a_stalled_second_head_on_a_kept_alive_connection_is_closed(tmp_path: Path) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="todo-conn-keep-"))
    env = {"HTTP_HEADER_TIMEOUT": str(HEAD_TIMEOUT)}
    with run_server(workdir, f"sqlite+aiosqlite:///{workdir / 'todo.db'}", **env) as server:
        sock = _connect(server.url)
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        answer = b""
        while not answer.endswith(b'{"status":"healthy"}'):
            answer += sock.recv(4096)
        assert answer.startswith(b"HTTP/1.1 200")
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # the rest never comes
        started = time.monotonic()
        sock.settimeout(HEAD_TIMEOUT + 5)
        assert _closed_by_server(sock)
        assert HEAD_TIMEOUT <= time.monotonic() - started + 0.2 < HEAD_TIMEOUT + 3

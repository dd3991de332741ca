"""Processes the bench starts, and how it stops every one of them.

The throwaway PostgreSQL comes from ``tests/postgres.py`` (``start_cluster`` /
``create_database``: initdb into a temp dir, as the ``postgres`` user when root, fsync off).
Servers run in their own session so a Ctrl-C reaches the bench alone, which then stops
them (SIGTERM, then SIGKILL) and the cluster in ``Stack.close``.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.postgres import Cluster, create_database, start_cluster

START_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Cores:
    """Which CPUs the server, the database and the load generator run on (None: unpinned)."""

    server: str | None
    database: str | None
    loadgen: str | None

    @classmethod
    def plan(cls, enabled: bool = True) -> Cores:
        cpus = sorted(os.sched_getaffinity(0))
        if not enabled or len(cpus) < 2 or not shutil.which("taskset"):
            return cls(None, None, None)
        if len(cpus) == 2:
            return cls(str(cpus[0]), str(cpus[1]), str(cpus[1]))
        return cls(str(cpus[0]), str(cpus[1]), ",".join(map(str, cpus[2:])))

    def describe(self) -> str:
        if self.server is None:
            return "not pinned"
        return f"server on CPU {self.server}, PostgreSQL on CPU {self.database}, load generator on CPU {self.loadgen}"

    @staticmethod
    def prefix(cpus: str | None) -> list[str]:
        return ["taskset", "-c", cpus] if cpus else []


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            stat = (entry / "stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def pin_cluster(cluster: Cluster, cpus: str | None) -> None:
    """Pin the postmaster and its current children; new backends inherit the postmaster's."""
    if cpus is None:
        return
    postmaster = int((cluster.root / "data" / "postmaster.pid").read_text().split()[0])
    for pid in [postmaster, *_children(postmaster)]:
        subprocess.run(["taskset", "-a", "-p", "-c", cpus, str(pid)], check=False, capture_output=True)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def http_request(
    url: str, method: str, path: str, headers: dict[str, str] | None = None, body: bytes | None = None
) -> tuple[int, bytes]:
    host = url.split("://", 1)[1]
    connection = http.client.HTTPConnection(host, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@dataclass
class Server:
    name: str
    url: str
    process: subprocess.Popen[bytes]
    log_file: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def logs(self) -> str:
        return self.log_file.read_text(errors="replace")[-4000:]

    def wait_healthy(self, path: str = "/health") -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.logs()}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                if http_request(self.url, "GET", path)[0] == 200:
                    return
            time.sleep(0.1)
        raise TimeoutError(f"{self.name} not healthy within {START_TIMEOUT}s:\n{self.logs()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@dataclass
class Stack:
    """Everything started; ``close()`` stops it all (idempotent)."""

    workdir: Path
    cores: Cores
    cluster: Cluster | None = None
    servers: list[Server] = field(default_factory=list)
    loadgens: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start_database(self) -> str:
        """A running cluster with a fresh migrated database; its ``postgresql://`` DSN."""
        self.cluster = start_cluster()
        pin_cluster(self.cluster, self.cores.database)
        url = create_database(self.cluster.url)
        return url.replace("postgresql+asyncpg://", "postgresql://", 1)

    def start_server(
        self, name: str, command: list[str], env: dict[str, str], port: int, *, cpus: str | None = None
    ) -> Server:
        """Start and wait until healthy; pinned to ``cpus`` (default: the server's CPU)."""
        log_file = self.workdir / f"{name}.log"
        with log_file.open("wb") as log:
            process = subprocess.Popen(
                [*Cores.prefix(cpus or self.cores.server), *command],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        server = Server(name, f"http://127.0.0.1:{port}", process, log_file)
        self.servers.append(server)
        server.wait_healthy()
        return server

    def close(self) -> None:
        for process in self.loadgens:
            if process.poll() is None:
                process.kill()
                process.wait()
        self.loadgens.clear()
        for server in self.servers:
            server.stop()
        self.servers.clear()
        if self.cluster is not None:
            self.cluster.stop()
            self.cluster = None


def project_command() -> list[str]:
    """``todo-chatbot serve`` from the environment the bench runs in."""
    script = Path(sys.prefix) / "bin" / "todo-chatbot"
    return [str(script), "serve"] if script.exists() else [sys.executable, "-m", "entrypoints.cli", "serve"]


def model_project_env(database_dsn: str, port: int, key_file: Path, model_url: str, public_url: str) -> dict[str, str]:
    """The project with its chat on the fake model (Chat Completions, as for a local server).
    ``public_url`` is the first project's: same signing key and same issuer/audience, so the
    bench's tokens are valid on both servers."""
    env = project_env(database_dsn, port, key_file)
    env.update(OPENAI_BASE_URL=model_url, OPENAI_API_KEY="bench", OPENAI_MODEL="fake", PUBLIC_URL=public_url)
    return env


def fake_model_command(port: int) -> list[str]:
    return [sys.executable, "-m", "bench.fake_model_server", str(port)]


def fake_model_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [os.getcwd(), env.get("PYTHONPATH")]))
    return env


def floor_command(port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "bench.floor:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--loop",
        "uvloop",
        "--http",
        "httptools",
        "--no-access-log",
        "--log-level",
        "warning",
        "--workers",
        "1",
    ]


NEVER_REACHED_PER_IP = "1000000"
NEVER_REACHED = "100000"
"""Limits the load never reaches (the largest the settings take; wrk sends every request
from one address, ~120,000 a minute): the limiters do their work on every request."""


def project_env(database_dsn: str, port: int, key_file: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "BETTER_AUTH_"))}
    url = f"http://127.0.0.1:{port}"
    env.update(
        DATABASE_URL=database_dsn,
        HOST="127.0.0.1",
        PORT=str(port),
        PUBLIC_URL=url,
        AUTH_SIGNING_KEY_FILE=str(key_file),
        AUTO_MIGRATE="false",
        # Every production feature on: the limits count each request (as many as they would
        # in production) but are set too high to refuse one; metrics and the access log on.
        RATE_LIMIT_PER_IP=NEVER_REACHED_PER_IP,
        CHAT_RATE_LIMIT=NEVER_REACHED,
        AUTH_RATE_LIMIT=NEVER_REACHED,
        AUTH_RATE_LIMIT_PER_IP=NEVER_REACHED,
        APP_ENV="development",
        DEBUG="false",
    )
    return env


def floor_env(database_dsn: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(FLOOR_DSN=database_dsn, FLOOR_POOL_SIZE=env.get("DB_POOL_SIZE", "10"))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [os.getcwd(), env.get("PYTHONPATH")]))
    return env

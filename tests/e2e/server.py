"""Start the real server process (``todo-chatbot serve``) on a free 127.0.0.1 port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from adapters.auth import Ed25519TokenIssuer, load_or_create_signing_key
from adapters.clock import SystemClock

START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RunningServer:
    """A server process, its URL, and a way to sign tokens with its own key."""

    url: str
    process: subprocess.Popen[bytes]
    key_file: Path
    log_file: Path
    env: dict[str, str]

    def token(self, user_id: str, ttl: int = 600) -> str:
        key, _ = load_or_create_signing_key(self.key_file)
        return Ed25519TokenIssuer(key, issuer=self.url, audience=self.url, clock=SystemClock()).issue(user_id, ttl)

    def auth(self, user_id: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(user_id)}"}

    def logs(self) -> str:
        return self.log_file.read_text(errors="replace")


def _wait_until_healthy(url: str, process: subprocess.Popen[bytes], log_file: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log_file.read_text()[-4000:]}")
        try:
            if httpx.get(f"{url}/health", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)  # polling interval, bounded by the deadline above
    raise TimeoutError(f"server not healthy within {START_TIMEOUT}s:\n{log_file.read_text()[-4000:]}")


def stop(process: subprocess.Popen[bytes]) -> int:
    """SIGTERM (graceful shutdown: in-flight requests finish), then wait."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


@contextmanager
def run_server(workdir: Path, database_url: str, port: int | None = None, **env: str) -> Iterator[RunningServer]:
    """Run ``todo-chatbot serve`` until the block ends (on ``port``, else a free one).

    The process runs from the current directory so that coverage of the subprocess lands
    beside the test run's own data; its files (key, log) live in ``workdir``.
    """
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    key_file = workdir / "signing-key.pem"
    log_file = workdir / f"server-{port}.log"
    full_env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "BETTER_AUTH_"))},
        "DATABASE_URL": database_url,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "PUBLIC_URL": url,
        "AUTH_SIGNING_KEY_FILE": str(key_file),
        "CHAT_RATE_LIMIT": "0",
        "AUTH_RATE_LIMIT": "0",
        "AUTH_RATE_LIMIT_PER_IP": "0",
        "RATE_LIMIT_PER_IP": "0",
        **env,
    }
    with log_file.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "entrypoints.cli", "serve"], cwd=Path.cwd(), env=full_env, stdout=log, stderr=log
        )
    try:
        _wait_until_healthy(url, process, log_file)
        yield RunningServer(url, process, key_file, log_file, full_env)
    finally:
        stop(process)

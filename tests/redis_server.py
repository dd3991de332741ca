"""A throwaway Redis for the tests (Debian's ``redis-server``): loopback only, a free port,
no persistence, stopped at the end."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

START_TIMEOUT = 10.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RedisServer:
    port: int
    process: subprocess.Popen[bytes]
    workdir: Path
    _stalls: list[socket.socket] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stall(self, seconds: float) -> None:
        """Make the server answer no client for ``seconds`` (a slow Redis), from now on.

        ``CLIENT PAUSE ... ALL`` is acknowledged once the pause is in force, so the next
        command of any other client is known to wait (``DEBUG SLEEP`` sent without an answer
        could still be queued behind it).
        """
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        sock.sendall(f"CLIENT PAUSE {int(seconds * 1000)} ALL\r\n".encode())
        if not sock.recv(16).startswith(b"+OK"):
            raise RuntimeError("redis-server refused CLIENT PAUSE")
        self._stalls.append(sock)

    def stop(self) -> None:
        for sock in self._stalls:
            sock.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def start_redis() -> RedisServer:
    """Start ``redis-server`` and wait until it answers PING."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed: run ./scripts/test.sh (scripts/deb-packages.txt)")
    workdir = Path(tempfile.mkdtemp(prefix="todo-redis-"))
    port = _free_port()
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
               "--dir", str(workdir)]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + START_TIMEOUT
    while not _ping(port):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"redis-server did not start on port {port}")
        time.sleep(0.02)  # polling interval, bounded by the deadline
    return RedisServer(port, process, workdir)


@contextmanager
def running_redis() -> Iterator[RedisServer]:
    server = start_redis()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.workdir, ignore_errors=True)


__all__ = ["RedisServer", "running_redis", "start_redis"]

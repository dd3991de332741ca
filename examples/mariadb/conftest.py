"""A throwaway MariaDB for the conformance kit and the walk-through: initialised in a temp
directory, on a free port of 127.0.0.1, stopped and removed after the session.

Run the kit (and the tests/) with::

    python -m pytest -p adapters.persistence.contract.plugin --pyargs adapters.persistence.contract tests
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

MARIADBD = shutil.which("mariadbd") or "/usr/sbin/mariadbd"
STARTUP_SECONDS = 30


@dataclass(frozen=True)
class MariaDb:
    """A running server; ``url(name)`` is a fresh database on it for the ``todo`` user."""

    root: Path
    port: int

    def client(self, sql: str) -> None:
        socket_path = str(self.root / "mysqld.sock")
        command = ["mariadb", "--no-defaults", f"--socket={socket_path}", "-u", "root", "-e", sql]
        subprocess.run(command, check=True, capture_output=True, timeout=30)

    def url(self, database: str) -> str:
        self.client(f"CREATE DATABASE `{database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
        return f"mysql+asyncmy://todo:todo@127.0.0.1:{self.port}/{database}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_mysql(root: Path) -> list[str]:
    """mariadbd refuses to run as root: it runs as the ``mysql`` system user then."""
    if os.geteuid() != 0:
        return []
    shutil.chown(root, "mysql", "mysql")
    return ["--user=mysql"]


@pytest.fixture(scope="session")
def mariadb() -> Iterator[MariaDb]:
    root = Path(tempfile.mkdtemp(prefix="todo-mariadb-"))
    user = _as_mysql(root)
    data, port, log = root / "data", _free_port(), (root / "server.log").open("w")
    subprocess.run(
        ["mariadb-install-db", "--no-defaults", *user, f"--datadir={data}", "--auth-root-authentication-method=normal",
         "--skip-test-db"], check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    server = subprocess.Popen(
        [MARIADBD, "--no-defaults", *user, f"--datadir={data}", f"--port={port}", f"--socket={root / 'mysqld.sock'}",
         "--bind-address=127.0.0.1", "--skip-log-bin", "--innodb-flush-log-at-trx-commit=0",
         "--innodb-lock-wait-timeout=10", f"--pid-file={root / 'mysqld.pid'}"], stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    running = MariaDb(root, port)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                running.client("CREATE USER 'todo'@'127.0.0.1' IDENTIFIED BY 'todo'")
                break
            except subprocess.CalledProcessError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"MariaDB did not start: {(root / 'server.log').read_text()[-2000:]}") from None
                time.sleep(0.05)
        running.client("GRANT ALL ON *.* TO 'todo'@'127.0.0.1'")
        yield running
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def storage_url(mariadb: MariaDb) -> str:
    """The database the conformance kit runs on."""
    return mariadb.url("todo_kit")


@pytest.fixture
def storage_lock_waits(storage_url: str) -> Callable[[], Awaitable[None]]:
    """InnoDB lets writing transactions run at once and wait on each other's row locks."""

    async def lock_waits() -> None:
        engine = create_async_engine(storage_url)
        waiting = text("SELECT COUNT(*) FROM information_schema.INNODB_TRX WHERE trx_state = 'LOCK WAIT'")
        try:
            deadline = time.monotonic() + 10
            async with engine.connect() as connection:
                while time.monotonic() < deadline:
                    if (await connection.execute(waiting)).scalar():
                        return
                    await connection.rollback()  # a fresh snapshot of the table each time
                    await asyncio.sleep(0.01)
            raise AssertionError("no transaction ever waited on a lock")
        finally:
            await engine.dispose()

    return lock_waits

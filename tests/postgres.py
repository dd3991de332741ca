"""A throwaway PostgreSQL for the test suite, and fresh migrated databases on it.

``start_cluster()`` runs initdb/pg_ctl from the installed PostgreSQL 15 binaries in a new
temporary directory (as the ``postgres`` system user when we are root), on a free port of
127.0.0.1, with durability off. ``create_database(url)`` returns the URL of a new empty
database migrated to head (copied from a template migrated once per server), usable from
sync code and from inside a running event loop alike.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
from sqlalchemy.engine import make_url

from tests import storage as migrate


def _pg_bin() -> Path:
    """$PG_BIN, else the newest installed Debian PostgreSQL's binaries."""
    if "PG_BIN" in os.environ:
        return Path(os.environ["PG_BIN"])
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True)
    return versions[0] if versions else Path("/usr/lib/postgresql/15/bin")


PG_BIN = _pg_bin()
_T = TypeVar("_T")
_lock = threading.Lock()
_templates: dict[str, str] = {}
_created: dict[str, list[str]] = {}


def as_postgres_user() -> list[str]:
    """The command prefix that runs a server binary as ``postgres`` when we are root."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


_as_postgres_user = as_postgres_user


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_options(root: Path, port: int) -> str:
    return (
        f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off "
        "-c synchronous_commit=off -c max_connections=200"
    )


@dataclass
class Cluster:
    """A running throwaway server; ``url`` connects as the superuser to ``postgres``."""

    root: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def pg_ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run ``pg_ctl -D <data> ARGS`` as the server's user."""
        command = [*as_postgres_user(), str(PG_BIN / "pg_ctl"), "-D", str(self.root / "data"), *args]
        return subprocess.run(command, check=check, capture_output=True, text=True)

    def pause(self) -> None:
        """Stop the server (fast shutdown), keeping its data: an outage."""
        self.pg_ctl("-m", "fast", "stop")

    def resume(self) -> None:
        """Start the server again on the same port after ``pause()``."""
        log = str(self.root / "log")
        self.pg_ctl("-l", log, "-o", _server_options(self.root, self.port), "-w", "-t", "60", "start")

    def stop(self) -> None:
        """Stop the server at once and remove its files."""
        self.pg_ctl("-m", "immediate", "stop", check=False)
        shutil.rmtree(self.root, ignore_errors=True)


def _initdb(root: Path) -> None:
    base = [*as_postgres_user(), str(PG_BIN / "initdb"), "-D", str(root / "data"), "-U", "postgres"]
    base += ["--auth=trust", "--encoding=UTF8", "--no-sync"]
    # An ICU default collation (not code-point order) catches ordering that relies on it.
    icu = subprocess.run(
        [*base, "--locale-provider=icu", "--icu-locale=en-US", "--locale=C.UTF-8"], check=False, capture_output=True
    )
    if icu.returncode != 0:
        shutil.rmtree(root / "data", ignore_errors=True)
        subprocess.run([*base, "--locale=C.UTF-8"], check=True, capture_output=True)


def _require_tls(data: Path, certificate: Path, key: Path) -> str:
    """Serve TLS with this certificate and refuse every connection without it."""
    for source, name in ((certificate, "server.crt"), (key, "server.key")):
        target = data / name
        shutil.copyfile(source, target)
        target.chmod(0o600)
        if os.geteuid() == 0:
            shutil.chown(target, "postgres", "postgres")
    hba = "local all all trust\nhostssl all all 127.0.0.1/32 trust\nhostnossl all all 0.0.0.0/0 reject\n"
    (data / "pg_hba.conf").write_text(hba)
    return " -c ssl=on -c ssl_cert_file=server.crt -c ssl_key_file=server.key"


def start_cluster(tls: tuple[Path, Path] | None = None) -> Cluster:
    """initdb + pg_ctl start; raises with the server log when it does not come up. With
    ``tls`` (certificate, key), the server speaks TLS only."""
    if not (PG_BIN / "initdb").is_file():
        raise RuntimeError(
            f"no PostgreSQL server binaries in {PG_BIN}: install postgresql-15 (apt-get install postgresql-15), "
            "set PG_BIN, or point TEST_DATABASE_URL at a running server"
        )
    root = Path(tempfile.mkdtemp(prefix="todo-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    _initdb(root)
    port = _free_port()
    options = _server_options(root, port)
    if tls is not None:
        options += _require_tls(root / "data", *tls)
    start = [*_as_postgres_user(), str(PG_BIN / "pg_ctl"), "-D", str(root / "data"), "-l", str(root / "log")]
    result = subprocess.run(
        [*start, "-o", options, "-w", "-t", "60", "start"], check=False, capture_output=True, text=True
    )
    if result.returncode != 0:
        log = (root / "log").read_text() if (root / "log").exists() else ""
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start: {result.stderr}\n{log}")
    return Cluster(root, port)


def _run(coro: Coroutine[Any, Any, _T]) -> _T:
    """Run a coroutine to completion on its own loop, in a worker thread (works whether or
    not the caller is inside a running event loop)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _dsn(url: str, database: str | None = None) -> str:
    parsed = make_url(url)
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


async def _execute(url: str, *statements: str) -> None:
    connection = await asyncpg.connect(_dsn(url), timeout=10)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


def _database_url(postgres_url: str, name: str) -> str:
    return make_url(postgres_url).set(database=name).render_as_string(hide_password=False)


def _template(postgres_url: str) -> str:
    with _lock:
        if postgres_url not in _templates:
            name = f"todo_template_{os.getpid()}_{uuid.uuid4().hex[:6]}"
            _run(_execute(postgres_url, f'CREATE DATABASE "{name}"'))
            _created.setdefault(postgres_url, []).append(name)
            with ThreadPoolExecutor(1) as pool:
                pool.submit(migrate.upgrade, _database_url(postgres_url, name)).result()
            _templates[postgres_url] = name
        return _templates[postgres_url]


def create_database(postgres_url: str) -> str:
    """A new empty database on the server of ``postgres_url``, migrated to head; its URL."""
    template = _template(postgres_url)
    name = f"todo_test_{uuid.uuid4().hex[:12]}"
    _run(_execute(postgres_url, f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    with _lock:
        _created.setdefault(postgres_url, []).append(name)
    return _database_url(postgres_url, name)


def create_empty_database(postgres_url: str) -> str:
    """A new database with no tables at all (for migration tests); its URL."""
    name = f"todo_empty_{uuid.uuid4().hex[:12]}"
    _run(_execute(postgres_url, f'CREATE DATABASE "{name}"'))
    with _lock:
        _created.setdefault(postgres_url, []).append(name)
    return _database_url(postgres_url, name)


async def drop_connections(database_url: str) -> int:
    """Terminate every other session of that database, as a server restart would, and wait
    (deadline 10 s) until they are gone; return how many there were."""
    connection = await asyncpg.connect(_dsn(database_url), timeout=10)
    others = "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    try:
        killed = int(await connection.fetchval(f"SELECT count(pg_terminate_backend(pid)) {others}"))
        deadline = time.monotonic() + 10
        while await connection.fetchval(f"SELECT count(*) {others}"):
            if time.monotonic() > deadline:
                raise TimeoutError("terminated sessions did not go away")
            await asyncio.sleep(0.01)
        return killed
    finally:
        await connection.close()


def drop_databases(postgres_url: str) -> None:
    """Drop every database this process created on that server (for an external server)."""
    with _lock:
        names = _created.pop(postgres_url, [])
        _templates.pop(postgres_url, None)
    statements = [f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)' for name in reversed(names)]
    if statements:
        _run(_execute(postgres_url, *statements))


__all__ = [
    "PG_BIN",
    "Cluster",
    "as_postgres_user",
    "create_database",
    "create_empty_database",
    "drop_connections",
    "drop_databases",
    "start_cluster",
]

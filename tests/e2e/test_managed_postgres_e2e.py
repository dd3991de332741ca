"""DATABASE_URL as managed PostgreSQL services give it (libpq's sslmode / sslrootcert), on a
throwaway server that refuses every connection without TLS: migrations and requests alike."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from tests.certificates import ServerCertificate, make_server_certificate
from tests.e2e.server import run_server
from tests.postgres import Cluster, create_empty_database, start_cluster

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


@pytest.fixture(scope="module")
def tls_cluster() -> Iterator[tuple[Cluster, ServerCertificate]]:
    certificates = make_server_certificate(Path(tempfile.mkdtemp(prefix="todo-pg-tls-")))
    cluster = start_cluster(tls=(certificates.certificate, certificates.key))
    try:
        yield cluster, certificates
    finally:
        cluster.stop()


def _libpq_url(cluster: Cluster, host: str, query: str) -> str:
    """A plain ``postgresql://`` URL to a new empty database (the server migrates it)."""
    empty = make_url(create_empty_database(cluster.url))
    return f"postgresql://postgres@{host}:{cluster.port}/{empty.database}?{query}"


@pytest.mark.parametrize(
    ("host", "query"),
    [
        ("127.0.0.1", "sslmode=require"),
        ("localhost", "sslmode=verify-full&sslrootcert={ca}"),
        ("127.0.0.1", "sslmode=verify-ca&sslrootcert={ca}&channel_binding=prefer&application_name=todo"),
    ],
)
def test_a_managed_postgresql_url_works_for_migrations_and_requests(
    tls_cluster: tuple[Cluster, ServerCertificate], host: str, query: str
) -> None:
    cluster, certificates = tls_cluster
    url = _libpq_url(cluster, host, query.format(ca=certificates.ca))
    workdir = Path(tempfile.mkdtemp(prefix="todo-tls-"))
    with run_server(workdir, url) as server:  # AUTO_MIGRATE: the migrations ran over TLS
        api = f"{server.url}/api/tina"
        assert httpx.post(f"{api}/tasks", json={"title": "over TLS"}, headers=server.auth("tina")).status_code == 201
        assert [t["title"] for t in httpx.get(f"{api}/tasks", headers=server.auth("tina")).json()["items"]] == [
            "over TLS"
        ]
        assert httpx.get(f"{server.url}/ready").status_code == 200
    current = _cli(url, "migrate", "current")
    assert current.returncode == 0, current.stderr
    assert current.stdout.strip() != "base"


def test_a_certificate_from_another_authority_is_refused(tls_cluster: tuple[Cluster, ServerCertificate]) -> None:
    cluster, _ = tls_cluster
    stranger = make_server_certificate(Path(tempfile.mkdtemp(prefix="todo-other-ca-")), "Another CA")
    result = _cli(_libpq_url(cluster, "localhost", f"sslmode=verify-full&sslrootcert={stranger.ca}"), "migrate")
    assert result.returncode != 0


def test_channel_binding_require_is_refused_at_start_without_the_password(tmp_path: Path) -> None:
    url = "postgresql://neon:n0t-to-be-printed@127.0.0.1:1/db?sslmode=require&channel_binding=require"
    result = _cli(url, "serve")
    assert result.returncode == 2
    assert "channel_binding=require" in result.stderr
    assert "n0t-to-be-printed" not in result.stderr + result.stdout


def _cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "PORT": "1"}
    command = [sys.executable, "-m", "entrypoints.cli", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)

"""``GET /metrics`` on the real app (in-memory storage): the token, any Host, what a
request leaves in the exposition (route templates, never a raw path or a user id), and
5xx answers logged once and counted."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from dishka import Provider, Scope, provide
from litestar.testing import AsyncTestClient

from application.errors import StorageUnavailable
from application.ports import HealthProbe, TokenIssuer, Transaction, UnitOfWork
from entrypoints.http.app import create_app
from entrypoints.http.deps import resolve
from tests.fakes import InMemoryHealthProbe, InMemoryUnitOfWork
from tests.http_support import PUBLIC_URL, InMemoryProvider, make_settings

Client = AsyncTestClient[Any]
TOKEN = "scrape-token-0123456789abcdef"


@asynccontextmanager
async def running(tmp_path: Path, provider: Provider | None = None, **settings: Any) -> AsyncIterator[Client]:
    provider = provider or InMemoryProvider(InMemoryUnitOfWork(), InMemoryHealthProbe())
    app = create_app(make_settings(tmp_path, **settings), provider)
    async with AsyncTestClient(app=app, base_url=PUBLIC_URL) as client:
        yield client


async def auth(client: Client, user: str) -> dict[str, str]:
    issuer = await resolve(client.app.state, TokenIssuer)  # type: ignore[type-abstract]
    return {"Authorization": f"Bearer {issuer.issue(user, 600)}"}


def samples(text: str) -> dict[str, float]:
    found = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            found[name] = float(value)
    return found


async def test_the_token_is_required_when_set_and_any_host_is_answered(tmp_path: Path) -> None:
    async with running(tmp_path, metrics_token=TOKEN) as client:
        missing = await client.get("/metrics")
        assert missing.status_code == 401
        assert missing.headers["www-authenticate"] == "Bearer"
        assert missing.headers["content-type"] == "application/problem+json"
        assert (await client.get("/metrics", headers={"Authorization": "Bearer wrong"})).status_code == 401
        assert (await client.get("/metrics", headers={"Authorization": TOKEN})).status_code == 401

        pod_ip = {"Authorization": f"Bearer {TOKEN}", "Host": "10.1.2.3:8000"}
        scraped = await client.get("/metrics", headers=pod_ip)
        assert scraped.status_code == 200
        assert scraped.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
        assert "todo_build_info{" in scraped.text
        assert (await client.get("/api/u/tasks", headers={"Host": "10.1.2.3:8000"})).status_code == 400


async def test_without_a_token_configured_metrics_are_open(tmp_path: Path) -> None:
    async with running(tmp_path) as client:
        assert (await client.get("/metrics")).status_code == 200


async def test_requests_are_labelled_by_route_template_and_unknown_ones_as_unmatched(tmp_path: Path) -> None:
    async with running(tmp_path) as client:
        alice = await auth(client, "alice-7f3a")
        assert (await client.post("/api/alice-7f3a/tasks", json={"title": "a"}, headers=alice)).status_code == 201
        assert (await client.get("/api/alice-7f3a/tasks", headers=alice)).status_code == 200
        assert (await client.get("/api/alice-7f3a/tasks/99", headers=alice)).status_code == 404
        assert (await client.get("/api/someone-else/tasks", headers=alice)).status_code == 403
        assert (await client.get("/no/such/path-9x")).status_code == 404
        assert (await client.delete("/health")).status_code == 405
        text = (await client.get("/metrics")).text

    found = samples(text)
    assert found['http_requests_total{method="POST",route="/api/{user_id}/tasks",status="201"}'] == 1
    assert found['http_requests_total{method="GET",route="/api/{user_id}/tasks",status="200"}'] == 1
    assert found['http_requests_total{method="GET",route="/api/{user_id}/tasks/{task_id}",status="404"}'] == 1
    assert found['http_requests_total{method="GET",route="/api/{user_id}/tasks",status="403"}'] == 1
    assert found['http_requests_total{method="GET",route="<unmatched>",status="404"}'] == 1
    assert found['http_requests_total{method="DELETE",route="<unmatched>",status="405"}'] == 1
    assert found['http_request_duration_seconds_count{method="GET",route="/api/{user_id}/tasks"}'] == 2
    assert found['todo_task_operations_total{operation="create"}'] == 1
    assert found["todo_active_users"] == 1
    for private in ("alice-7f3a", "someone-else", "path-9x", "/99"):
        assert private not in text


class FailingUnitOfWork:
    """Every transaction fails with ``error`` before doing anything."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[Transaction]:
        raise self.error
        yield  # pragma: no cover - makes this a generator


class FailingStorage(Provider):
    scope = Scope.APP

    def __init__(self, error: Exception) -> None:
        super().__init__()
        self._uow = FailingUnitOfWork(error)

    @provide
    def unit_of_work(self) -> UnitOfWork:
        return self._uow

    @provide
    def health(self) -> HealthProbe:
        return InMemoryHealthProbe()


class DriverError(Exception):
    pass


DriverError.__module__ = "asyncpg.exceptions"
SECRET_DETAIL = "Key (email)=(ann@example.com) already exists"


async def test_answers_refused_before_routing_carry_their_routes_label(tmp_path: Path) -> None:
    async with running(tmp_path, rate_limit_per_ip=3) as client:
        for _ in range(3):
            await client.get("/api/alice-7f3a/tasks")
        assert (await client.get("/api/alice-7f3a/tasks/5")).status_code == 429
        assert (await client.head("/api/alice-7f3a/tasks")).status_code == 429
        assert (await client.get("/no/such/path-9x")).status_code == 429
        assert (await client.get("/api/u/tasks", headers={"Host": "evil.example"})).status_code == 400
        text = (await client.get("/metrics")).text

    found = samples(text)
    assert found['http_requests_total{method="GET",route="/api/{user_id}/tasks/{task_id}",status="429"}'] == 1
    assert found['http_requests_total{method="HEAD",route="/api/{user_id}/tasks",status="429"}'] == 1
    assert found['http_requests_total{method="GET",route="<unmatched>",status="429"}'] == 1
    assert found['http_requests_total{method="GET",route="/api/{user_id}/tasks",status="400"}'] == 1


def failures(caplog: pytest.LogCaptureFixture, request_id: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if getattr(r, "request_id", None) == request_id and r.levelno >= logging.WARNING]


async def test_a_500_is_logged_once_with_its_frames_without_the_driver_message_and_counted(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running(tmp_path, FailingStorage(DriverError(SECRET_DETAIL))) as client:
        headers = {**(await auth(client, "bob")), "X-Request-ID": "req-500"}
        with caplog.at_level(logging.INFO):
            answer = await client.get("/api/bob/tasks", headers=headers)
        assert answer.status_code == 500
        found = samples((await client.get("/metrics")).text)

    [record] = failures(caplog, "req-500")
    assert record.levelno == logging.ERROR
    assert record.error == "DriverError"  # type: ignore[attr-defined]
    assert "in begin" in record.traceback  # type: ignore[attr-defined]
    assert "ann@example.com" not in record.traceback + answer.text  # type: ignore[attr-defined]
    assert record.exc_info is None  # the formatter would print the message
    assert found['http_requests_total{method="GET",route="/api/{user_id}/tasks",status="500"}'] == 1


async def test_a_503_is_logged_once_as_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async with running(tmp_path, FailingStorage(StorageUnavailable("database unavailable"))) as client:
        headers = {**(await auth(client, "bob")), "X-Request-ID": "req-503"}
        with caplog.at_level(logging.INFO):
            answer = await client.get("/api/bob/tasks", headers=headers)
    assert answer.status_code == 503
    [record] = failures(caplog, "req-503")
    assert (record.levelno, record.status) == (logging.WARNING, 503)  # type: ignore[attr-defined]


CONTRACT = (  # shared/design api.md, "Metrics"
    "http_requests_total", "http_request_duration_seconds", "todo_task_operations_total", "todo_chat_turns_total",
    "todo_model_request_duration_seconds", "todo_model_failures_total", "todo_circuit_breaker_open",
    "todo_db_pool_connections", "todo_db_pool_waiting", "todo_db_errors_total", "todo_rate_limited_total",
    "todo_active_users", "todo_rate_limit_store_errors_total", "todo_build_info",
)  # fmt: skip


async def test_every_metric_of_the_contract_is_there_from_the_first_scrape(tmp_path: Path) -> None:
    async with running(tmp_path) as client:
        text = (await client.get("/metrics")).text
    missing = [name for name in CONTRACT if f"# TYPE {name} " not in text]
    assert not missing
    assert 'todo_build_info{version="' in text

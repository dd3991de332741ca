"""The outer HTTP layer in-process: every answer, matched route or not, gets the request id,
the security headers of its path and the host policy; CORS; HEAD; the OpenAPI document."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from entrypoints.http.app import create_app
from tests.fakes import InMemoryHealthProbe, InMemoryUnitOfWork
from tests.http_support import PUBLIC_URL, InMemoryProvider, make_settings

Client = AsyncTestClient[Any]
FRONTEND = "https://app.example"


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[Client]:
    settings = make_settings(
        tmp_path,
        allowed_hosts=("testserver.local", "*.todo.example"),
        frontend_origins=(FRONTEND,),
    )
    app = create_app(settings, InMemoryProvider(InMemoryUnitOfWork(), InMemoryHealthProbe()))
    async with AsyncTestClient(app=app, base_url=PUBLIC_URL) as test_client:
        yield test_client


def _assert_edge_headers(headers: Any, csp: str = "default-src 'none'") -> None:
    assert len(headers["x-request-id"]) == 32
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-xss-protection"] == "0"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["content-security-policy"].startswith(csp)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/nope", 404), ("GET", "/api", 404), ("DELETE", "/health", 405), ("POST", "/api/alice/tags", 405)],
)
async def test_unmatched_answers_are_problems_with_every_header(
    client: Client, method: str, path: str, status: int
) -> None:
    response = await client.request(method, path)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == status
    _assert_edge_headers(response.headers)
    assert response.headers["cache-control"] == "no-store"


async def test_a_405_allows_head_wherever_it_allows_get(client: Client) -> None:
    for path in ["/health", "/api/alice/tags"]:
        response = await client.request("PUT", path)
        assert response.status_code == 405
        allowed = {m.strip() for m in response.headers["allow"].split(",")}
        assert {"GET", "HEAD"} <= allowed, path
        assert (await client.head(path)).status_code in {200, 401}, "and HEAD is answered"


async def test_api_answers_are_not_stored_by_caches(client: Client) -> None:
    for path in ["/health", "/openapi.json", "/api/alice/tasks"]:
        response = await client.get(path)
        assert response.headers["cache-control"] == "no-store", path
        _assert_edge_headers(response.headers)


async def test_the_docs_have_their_own_policy(client: Client) -> None:
    docs = await client.get("/docs/")
    assert docs.status_code == 200
    _assert_edge_headers(docs.headers, "default-src 'none'; script-src 'self'")
    assert "https://" not in docs.text
    for asset in ["/docs/swagger-ui-bundle.js", "/docs/swagger-ui.css", "/docs/docs.js"]:
        assert (await client.get(asset)).status_code == 200, asset
    page = await client.get("/")
    assert page.status_code == 200
    _assert_edge_headers(page.headers, "default-src 'self'; frame-ancestors 'none'")
    assert "no-store" not in page.headers.get("cache-control", "")


@pytest.mark.parametrize("host", ["testserver.local", "a.todo.example", "deep.a.todo.example:8443", "TESTSERVER.LOCAL"])
async def test_allowed_hosts_and_wildcards_are_served(client: Client, host: str) -> None:
    assert (await client.get("/api/alice/tasks", headers={"Host": host})).status_code == 401


@pytest.mark.parametrize("host", ["todo.example", "evil.example", "a.todo.example.evil", "", "[::1]"])
async def test_other_hosts_get_a_400_problem(client: Client, host: str) -> None:
    refused = await client.get("/api/alice/tasks", headers={"Host": host})
    assert refused.status_code == 400
    assert refused.json()["detail"] == "invalid host header"
    _assert_edge_headers(refused.headers)


@pytest.mark.parametrize("path", ["/health", "/health/db", "/ready", "/mcp/health"])
async def test_probes_answer_whatever_the_host(client: Client, path: str) -> None:
    assert (await client.get(path, headers={"Host": "10.1.2.3:8000"})).status_code == 200


@pytest.mark.parametrize("path", ["/health", "/health/db", "/ready", "/mcp/health"])
async def test_health_endpoints_answer_head(client: Client, path: str) -> None:
    got, head = await client.get(path), await client.head(path)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == got.headers["content-length"]
    _assert_edge_headers(head.headers)


async def test_an_allowed_origin_gets_the_cors_headers(client: Client) -> None:
    response = await client.get("/health", headers={"Origin": FRONTEND})
    assert response.headers["access-control-allow-origin"] == FRONTEND
    assert response.headers["access-control-allow-credentials"] == "true"
    assert "X-Request-ID" in response.headers["access-control-expose-headers"]
    assert "Origin" in response.headers["vary"]


@pytest.mark.parametrize("origin", ["https://evil.example", "https://app.example.evil", "null"])
async def test_another_origin_gets_vary_and_no_cors_grant(client: Client, origin: str) -> None:
    response = await client.get("/health", headers={"Origin": origin})
    assert response.status_code == 200
    assert "Origin" in response.headers["vary"]
    for name in ["access-control-allow-origin", "access-control-allow-credentials", "access-control-expose-headers"]:
        assert name not in response.headers
    preflight = await client.options(
        "/api/alice/tasks", headers={"Origin": origin, "Access-Control-Request-Method": "POST"}
    )
    assert preflight.status_code == 403
    assert "access-control-allow-credentials" not in preflight.headers


async def test_a_preflight_from_the_frontend_is_granted(client: Client) -> None:
    headers = {
        "Origin": FRONTEND,
        "Access-Control-Request-Method": "PATCH",
        "Access-Control-Request-Headers": "authorization, x-timezone",
    }
    preflight = await client.options("/api/alice/tasks/1", headers=headers)
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == FRONTEND
    assert "PATCH" in preflight.headers["access-control-allow-methods"]
    assert preflight.headers["access-control-allow-headers"] == "authorization, x-timezone"
    assert preflight.headers["vary"] == "Origin"


async def test_no_frontend_means_no_cors_headers_at_all(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path), InMemoryProvider(InMemoryUnitOfWork(), InMemoryHealthProbe()))
    async with AsyncTestClient(app=app, base_url=PUBLIC_URL) as client:
        response = await client.get("/health", headers={"Origin": FRONTEND})
    assert not any(name.startswith("access-control-") for name in response.headers)


async def test_the_openapi_document_tells_the_truth(client: Client) -> None:
    document = (await client.get("/openapi.json")).json()
    operations = [(path, method, op) for path, item in document["paths"].items() for method, op in item.items()]
    ids = [op["operationId"] for _, _, op in operations]
    assert len(ids) == len(set(ids))
    schemas = document["components"]["schemas"]
    for path, method, op in operations:
        if method in {"post", "patch", "put"} and not path.endswith(("/restore", "/complete", "/sign-out")):
            body = op["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
            assert body in schemas, (path, method)
        for status, answer in op["responses"].items():
            if status.startswith(("4", "5")) and path.startswith("/api/{user_id}"):
                schema = answer["content"]["application/problem+json"]["schema"]["$ref"]
                assert schema.endswith("/ValidationProblem" if status == "422" else "/Problem"), (path, status)
        if path.startswith("/api/{user_id}"):
            assert "security" not in op, path
            assert {"401", "403", "422"} <= set(op["responses"]), path
        elif path in {"/api/auth/sign-out", "/api/auth/get-session", "/api/auth/token"}:
            assert op["security"] == [{"session": []}], path
        else:
            assert op["security"] == [], path
    assert document["security"] == [{"bearer": []}]
    listed = document["paths"]["/api/{user_id}/tasks"]["get"]["parameters"]
    status = next(p for p in listed if p["name"] == "status")
    assert status["in"] == "query"
    assert status["schema"]["$ref"].rsplit("/", 1)[-1] in schemas
    chat = document["paths"]["/api/{user_id}/chat"]["post"]["responses"]["200"]["content"]
    assert set(chat) == {"application/json", "text/event-stream"}

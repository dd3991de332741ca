"""Two server processes behind the project's nginx template (Debian's nginx), as a team that
outgrew one process runs them: one PostgreSQL, one Redis, one signing key, TLS at the proxy.
"""

from __future__ import annotations

import socket
import ssl
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from adapters.auth import Ed25519TokenIssuer, load_or_create_signing_key, write_new_signing_key
from adapters.clock import SystemClock
from tests.e2e.server import RunningServer, run_server
from tests.fake_model import FakeModelServer, Hang, Reply, model_in_thread
from tests.nginx import RunningNginx, free_port, running_nginx
from tests.postgres import create_database
from tests.redis_server import RedisServer, running_redis

pytestmark = pytest.mark.e2e


@dataclass
class Shared:
    """What every instance shares: the database, Redis, the signing key, the model."""

    database_url: str
    redis: RedisServer
    workdir: Path
    model: FakeModelServer


@dataclass
class Stack:
    """Two instances and the proxy in front of them."""

    instances: tuple[RunningServer, RunningServer]
    proxy: RunningNginx
    public_url: str

    def token(self, user_id: str) -> str:
        key, _ = load_or_create_signing_key(self.instances[0].key_file)
        issuer = Ed25519TokenIssuer(key, issuer=self.public_url, audience=self.public_url, clock=SystemClock())
        return issuer.issue(user_id, 600)

    def client(self, user_id: str, **options: object) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.token(user_id)}"}
        return httpx.Client(
            base_url=self.proxy.https_url, verify=self.tls(), headers=headers, timeout=10,
            **options,  # type: ignore[arg-type]
        )  # fmt: skip

    def tls(self) -> ssl.SSLContext:
        """Trusts the test CA that signed the proxy's certificate."""
        return ssl.create_default_context(cafile=str(self.proxy.certificate.ca))

    def answered_by(self, request_ids: list[str]) -> list[int]:
        """How many of these requests each instance logged."""
        return [sum(f'"request_id":"{rid}"' in server.logs() for rid in request_ids) for server in self.instances]


@pytest.fixture(scope="module")
def shared(postgres_url: str) -> Iterator[Shared]:
    workdir = Path(tempfile.mkdtemp(prefix="todo-e2e-proxy-"))
    write_new_signing_key(workdir / "signing-key.pem")  # made once (todo-chatbot keygen), given to every instance
    with running_redis() as redis, model_in_thread() as model:
        yield Shared(create_database(postgres_url), redis, workdir, model)


@contextmanager
def proxied_pair(shared: Shared, **env: str) -> Iterator[Stack]:
    """Two ``todo-chatbot serve`` processes on the shared parts, behind nginx."""
    https_port = free_port()
    public_url = f"https://localhost:{https_port}"
    settings = {
        "PUBLIC_URL": public_url,
        "AUTO_MIGRATE": "false",
        "REDIS_URL": shared.redis.url,
        "OPENAI_BASE_URL": shared.model.url,
        **env,
    }
    with ExitStack() as stack:
        first = stack.enter_context(run_server(shared.workdir, shared.database_url, **settings))
        second = stack.enter_context(run_server(shared.workdir, shared.database_url, **settings))
        upstreams = [first.url.removeprefix("http://"), second.url.removeprefix("http://")]
        proxy = stack.enter_context(running_nginx(upstreams, public_port=https_port))
        yield Stack((first, second), proxy, public_url)


@pytest.fixture(scope="module")
def stack(shared: Shared) -> Iterator[Stack]:
    with proxied_pair(shared) as running:
        yield running


def test_requests_are_spread_over_both_instances(stack: Stack) -> None:
    request_ids = [uuid.uuid4().hex for _ in range(8)]
    with stack.client("spread") as client:
        created = client.post("/api/spread/tasks", json={"title": "made through the proxy"})
        assert created.status_code == 201, created.text
        for rid in request_ids:
            answer = client.get("/api/spread/tasks", headers={"X-Request-ID": rid})
            assert answer.status_code == 200
            assert answer.headers["x-request-id"] == rid
            assert [task["title"] for task in answer.json()["items"]] == ["made through the proxy"]
    deadline = time.monotonic() + 5
    while sum(stack.answered_by(request_ids)) < len(request_ids) and time.monotonic() < deadline:
        time.sleep(0.05)  # the access lines are written as the answers go out
    first, second = stack.answered_by(request_ids)
    assert first + second == len(request_ids)
    assert first >= 1 and second >= 1


def test_json_is_compressed_and_the_answer_intact(stack: Stack) -> None:
    with stack.client("gzip") as client:
        for number in range(12):
            client.post("/api/gzip/tasks", json={"title": f"task {number}", "description": "words " * 20})
        with client.stream("GET", "/api/gzip/tasks", headers={"Accept-Encoding": "gzip"}) as compressed:
            compressed.read()
        plain = client.get("/api/gzip/tasks", headers={"Accept-Encoding": "identity"})
    assert compressed.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in compressed.headers["vary"].lower()
    assert compressed.num_bytes_downloaded < len(plain.content) / 3  # bytes on the wire
    assert "content-encoding" not in plain.headers
    assert compressed.json() == plain.json()
    assert len(plain.json()["items"]) == 12


def _events(response: httpx.Response) -> Iterator[tuple[str, float]]:
    for line in response.iter_lines():
        if line.startswith("event:"):
            yield line.removeprefix("event:").strip(), time.monotonic()


def test_chat_events_pass_the_proxy_as_they_are_written(stack: Stack, shared: Shared) -> None:
    model_pause = 2.5
    shared.model.play(Reply(calls=[("call_1", "add_task", {"title": "Streamed through nginx"})]), Hang(model_pause))
    headers = {"Accept": "text/event-stream", "Accept-Encoding": "gzip"}
    with (
        stack.client("sse") as client,
        client.stream("POST", "/api/sse/chat", json={"message": "add it"}, headers=headers) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert "content-encoding" not in response.headers  # never compressed: it would be held back
        events = dict(_events(response))
    assert list(events)[:2] == ["tool_call", "tool_result"]
    assert "done" in events
    # The tool's result left while the model was still thinking, not together with the end.
    assert events["done"] - events["tool_result"] > model_pause * 0.6


def test_plain_http_is_redirected_to_https(stack: Stack) -> None:
    answer = httpx.get(f"{stack.proxy.http_url}/api/alice/tasks?limit=5", follow_redirects=False)
    assert answer.status_code == 301
    assert answer.headers["location"] == f"{stack.public_url}/api/alice/tasks?limit=5"
    assert "x-request-id" not in answer.headers  # answered by the proxy, never by the app


def test_the_app_sees_https_from_the_trusted_proxy(stack: Stack) -> None:
    with stack.client("hsts") as client:
        proxied = client.get("/health")
    direct = httpx.get(f"{stack.instances[0].url}/health")
    assert proxied.status_code == direct.status_code == 200
    assert proxied.headers["strict-transport-security"].startswith("max-age=")
    assert "strict-transport-security" not in direct.headers


def test_tls_offers_http2_and_metrics_stay_inside(stack: Stack) -> None:
    context = stack.tls()
    context.set_alpn_protocols(["h2", "http/1.1"])
    with (
        socket.create_connection(("127.0.0.1", stack.proxy.https_port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname="localhost") as tls,
    ):
        assert tls.selected_alpn_protocol() == "h2"
        assert tls.version() in {"TLSv1.2", "TLSv1.3"}
    with stack.client("metrics") as client:
        assert client.get("/metrics").status_code == 404
    # envsubst touched only our variables: nginx's own are still there.
    for kept in ("$proxy_add_x_forwarded_for", "$scheme", "$host", "$request_uri"):
        assert kept in stack.proxy.config


def test_an_instance_going_away_is_not_seen_by_clients(stack: Stack, shared: Shared) -> None:
    settings = {key: stack.instances[0].env[key] for key in ("PUBLIC_URL", "AUTO_MIGRATE", "REDIS_URL")}
    with ExitStack() as running:
        leaving = running.enter_context(run_server(shared.workdir, shared.database_url, **settings))
        upstreams = [server.url.removeprefix("http://") for server in (stack.instances[0], leaving)]
        proxy = running.enter_context(running_nginx(upstreams))
        pair = Stack((stack.instances[0], leaving), proxy, stack.public_url)
        client = running.enter_context(pair.client("failover"))
        assert client.post("/api/failover/tasks", json={"title": "before"}).status_code == 201
        leaving.process.terminate()
        leaving.process.wait(15)
        answers = [client.get("/api/failover/tasks").status_code for _ in range(6)]
    assert answers == [200] * 6


def test_the_per_ip_limit_is_shared_by_every_instance(shared: Shared) -> None:
    limit = 6
    request_ids = [uuid.uuid4().hex for _ in range(limit)]
    with proxied_pair(shared, RATE_LIMIT_PER_IP=str(limit)) as pair:
        client = pair.client("limited", transport=httpx.HTTPTransport(local_address="127.0.0.2", verify=pair.tls()))
        allowed = [client.get("/api/limited/tasks", headers={"X-Request-ID": rid}).status_code for rid in request_ids]
        refused = client.get("/api/limited/tasks")
        health = [client.get(path).status_code for path in ("/health", "/ready", "/health", "/ready")]
        first, second = pair.answered_by(request_ids)
        client.close()
    assert allowed == [200] * limit
    assert first >= 1 and second >= 1  # both instances counted into the one limit
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.headers["ratelimit-limit"] == str(limit)
    assert health == [200] * 4  # health and readiness are never limited

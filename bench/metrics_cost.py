"""``python -m bench.metrics_cost``: what the metrics cost a list-50 request, in process.

The real app (``create_app``) on a throwaway PostgreSQL, driven by ASGI calls in this
process (no sockets, no load generator): ``--concurrency`` clients each send list-50
requests (``GET /api/{user}/tasks``, 50 tasks a page, a bearer token of the built-in
issuer, cached after first use) on uvloop. Each round measures the process's CPU time per
request with the request metrics on (an observer of the outer layer, as ``create_app``
builds it) and off (the outer layer with the access log only), in alternating order; the
difference of the medians is their cost. The core's counters are not on the list path. Then the cost of a scrape
(``GET /metrics``) alone and its latency while list requests run.

PostgreSQL runs in its own processes, so the CPU time is the app's (and this driver's,
the same in both variants). The access log is on and goes to /dev/null, as a server's
would go to its log collector.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import uvloop

from entrypoints.config import Settings
from entrypoints.http.app import create_app
from entrypoints.logs import configure_logging
from tests.postgres import create_database, start_cluster

USERS = 10
TASKS = 60


def _scope(method: str, path: str, token: str | None) -> dict[str, Any]:
    headers = [(b"host", b"127.0.0.1:8000"), (b"content-type", b"application/json")]
    if token:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    return {
        "type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
        "method": method, "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "",
        "query_string": b"", "headers": headers, "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
    }  # fmt: skip


async def call(app: Any, scope: dict[str, Any], body: bytes = b"") -> tuple[int, bytes]:
    answer: dict[str, Any] = {"status": 0, "body": b""}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        elif message["type"] == "http.response.body":
            answer["body"] += message.get("body", b"")

    await app(dict(scope, state={}), receive, send)
    return answer["status"], answer["body"]


async def _seed(app: Any, tokens: dict[str, str]) -> None:
    for user, token in tokens.items():
        for number in range(TASKS):
            title = f'{{"title": "task {number} of {user}", "tags": ["home"], "due": "2026-12-{number % 28 + 1:02d}"}}'
            status, _ = await call(app, _scope("POST", f"/api/{user}/tasks", token), title.encode())
            assert status == 201, status


async def _load(app: Any, scopes: list[dict[str, Any]], requests: int, concurrency: int) -> float:
    """CPU microseconds per request for ``requests`` list-50 calls by ``concurrency`` clients."""
    each = requests // concurrency

    async def client(offset: int) -> None:
        for index in range(each):
            status, _ = await call(app, scopes[(offset + index) % len(scopes)])
            assert status == 200, status

    started = time.process_time()
    await asyncio.gather(*(client(i) for i in range(concurrency)))
    return (time.process_time() - started) / (each * concurrency) * 1e6


async def _scrapes(app: Any, list_scopes: list[dict[str, Any]], concurrency: int) -> dict[str, float]:
    scope = _scope("GET", "/metrics", None)
    started = time.process_time()
    for _ in range(50):
        status, body = await call(app, scope)
        assert status == 200
    alone_ms = (time.process_time() - started) / 50 * 1e3
    stop = asyncio.Event()

    async def client(offset: int) -> None:
        index = offset
        while not stop.is_set():
            await call(app, list_scopes[index % len(list_scopes)])
            index += 1

    clients = [asyncio.create_task(client(i)) for i in range(concurrency)]
    latencies = []
    for _ in range(30):
        await asyncio.sleep(0.02)
        began = time.perf_counter()
        await call(app, scope)
        latencies.append((time.perf_counter() - began) * 1e3)
    stop.set()
    await asyncio.gather(*clients)
    lines = sum(1 for line in body.decode().splitlines() if line and not line.startswith("#"))
    return {
        "alone_cpu_ms": alone_ms, "under_load_p50_ms": statistics.median(latencies),
        "under_load_max_ms": max(latencies), "bytes": len(body), "samples": lines,
    }  # fmt: skip


async def _other_routes(app: Any, tokens: dict[str, str]) -> None:
    """A spread of routes and statuses, so the scrape holds what a busy server's would."""
    for user, token in tokens.items():
        for method, path, body in (
            ("GET", f"/api/{user}/tasks/1", b""), ("GET", f"/api/{user}/tasks/999", b""),
            ("PATCH", f"/api/{user}/tasks/1/complete", b""), ("PATCH", f"/api/{user}/tasks/2", b'{"priority": "low"}'),
            ("GET", f"/api/{user}/tags", b""), ("POST", f"/api/{user}/chat", b'{"message": "list my tasks"}'),
            ("GET", f"/api/{user}/conversations", b""), ("GET", "/health", b""), ("GET", "/nowhere", b""),
            ("DELETE", "/health", b""), ("POST", f"/api/{user}/tasks", b"{}"),
        ):  # fmt: skip
            await call(app, _scope(method, path, token), body)


async def run(database_url: str, workdir: Path, rounds: int, requests: int, concurrency: int) -> None:
    settings = Settings(
        database_url=database_url, public_url="http://127.0.0.1:8000", signing_key_file=workdir / "key.pem",
        allowed_hosts=("127.0.0.1",), chat_rate_limit=0, auto_migrate=False,
    )  # fmt: skip
    app = create_app(settings)
    async with app.lifespan():
        from application.ports import TokenIssuer
        from entrypoints.http.deps import resolve

        issuer = await resolve(app.state, TokenIssuer)  # type: ignore[type-abstract]
        tokens = {f"bench-{n}": issuer.issue(f"bench-{n}", 3600) for n in range(USERS)}
        await _seed(app, tokens)
        scopes = [_scope("GET", f"/api/{user}/tasks", token) for user, token in tokens.items()]
        edge = app.asgi_handler
        with_metrics = edge.observers  # the access log and the request metrics
        without = tuple(o for o in with_metrics if getattr(o, "__self__", None) is not app.state.request_metrics)
        await _load(app, scopes, requests, concurrency)  # warm-up
        results: dict[str, list[float]] = {"on": [], "off": []}
        for number in range(rounds):
            for variant in ("on", "off") if number % 2 == 0 else ("off", "on"):
                edge.observers = with_metrics if variant == "on" else without
                results[variant].append(await _load(app, scopes, requests, concurrency))
        edge.observers = with_metrics
        await _other_routes(app, tokens)
        scrape = await _scrapes(app, scopes, concurrency)
    _report(results, scrape, rounds, requests, concurrency)


def _report(results: dict[str, list[float]], scrape: dict[str, float], rounds: int, requests: int, c: int) -> None:
    on, off = statistics.median(results["on"]), statistics.median(results["off"])
    pairs = ", ".join(f"{a:.0f}/{b:.0f}" for a, b in zip(results["on"], results["off"], strict=True))
    print(f"list-50 in process, {rounds} rounds x {requests} requests, concurrency {c} (uvloop)")
    print(f"CPU us per request, on/off by round: {pairs}")
    print(f"median on {on:.1f} us, off {off:.1f} us: metrics cost {on - off:+.1f} us ({(on - off) / off:+.1%})")
    diffs = [a - b for a, b in zip(results["on"], results["off"], strict=True)]
    print(f"per-round differences: {', '.join(f'{d:+.1f}' for d in diffs)} us (median {statistics.median(diffs):+.1f})")
    print(
        f"scrape: {scrape['samples']:.0f} samples, {scrape['bytes'] / 1024:.1f} KiB, "
        f"{scrape['alone_cpu_ms']:.2f} ms CPU alone; under list load (c={c}) latency "
        f"p50 {scrape['under_load_p50_ms']:.2f} ms, "
        f"max {scrape['under_load_max_ms']:.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=10)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="todo-metrics-bench-"))
    cluster = start_cluster()
    stdout = sys.stdout
    sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - the access log's sink for the whole run
    configure_logging()
    try:
        database_url = create_database(cluster.url)
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            runner.run(run(database_url, workdir, args.rounds, args.requests, args.concurrency))
    finally:
        cluster.stop()
        stdout.flush()


if __name__ == "__main__":
    main()

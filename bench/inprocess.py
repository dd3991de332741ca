"""``python -m bench.inprocess``: server CPU per list-50 request, measured in process, A/B.

Each variant is a source tree (``--a``/``--b``: a ``src`` directory, e.g. a ``git worktree``
of an older commit) and optional environment settings (``--a-env``/``--b-env``, e.g.
``METRICS=false``). Each measurement is a fresh child process that builds the app from its
variant's tree, drives its ASGI callable directly (no sockets, no load generator) with
list-50 requests for seeded users on a throwaway PostgreSQL, and reports CPU microseconds
of its own process (``time.process_time``) per request after a warm-up. Variants alternate
for ``--rounds`` rounds; the report gives each round and the median difference.

    python -m bench.inprocess --a /tmp/base/src --b src --rounds 5
    python -m bench.inprocess --a-env RATE_LIMIT_PER_IP=0 --b-env RATE_LIMIT_PER_IP=1000000
    python -m bench.inprocess --a-env RATE_LIMIT_PER_IP=1000000 \
        --b-env RATE_LIMIT_PER_IP=1000000 --b-env 'REDIS_URL={redis}'   # a throwaway Redis

The figure includes asyncpg's client work and the app's; the database server's CPU is not
in it (PostgreSQL is another process).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

USERS = 50
CONCURRENCY = 10
MARK = "INPROCESS_RESULT "
CHILD_DEFAULTS = {"RATE_LIMIT_PER_IP": "1000000", "CHAT_RATE_LIMIT": "0"}
"""As the bench's server: the per-IP limit counts every request and never refuses one."""


def _scope(user: str, token: str) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": f"/api/{user}/tasks",
        "raw_path": f"/api/{user}/tasks".encode(),
        "root_path": "",
        "query_string": b"limit=50",
        "headers": [(b"host", b"127.0.0.1:8000"), (b"authorization", f"Bearer {token}".encode())],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }


async def _one(app: Any, scope: dict[str, Any]) -> int:
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(dict(scope), receive, send)
    return status


async def _drive(app: Any, scopes: list[dict[str, Any]], count: int) -> None:
    async def worker(offset: int) -> None:
        for i in range(offset, count, CONCURRENCY):
            status = await _one(app, scopes[i % len(scopes)])
            if status != 200:
                raise RuntimeError(f"list-50 answered {status}")

    await asyncio.gather(*(worker(k) for k in range(CONCURRENCY)))


async def _child(dsn: str, key_file: str, requests: int) -> float:
    from adapters.auth import Ed25519TokenIssuer, load_or_create_signing_key
    from adapters.clock import SystemClock
    from entrypoints.config import load_settings
    from entrypoints.http.app import create_app

    env = {**os.environ, "DATABASE_URL": dsn, "AUTH_SIGNING_KEY_FILE": key_file, "PUBLIC_URL": "http://127.0.0.1:8000"}
    settings = load_settings(env)
    app = create_app(settings)
    key, _ = load_or_create_signing_key(Path(key_file))
    issuer = Ed25519TokenIssuer(key, issuer=settings.public_url, audience=settings.public_url, clock=SystemClock())
    scopes = [_scope(f"user-{i:04d}", issuer.issue(f"user-{i:04d}", 3600)) for i in range(USERS)]
    async with app.lifespan():
        await _drive(app, scopes, 2000)  # warm-up: pool, caches, verified tokens
        started = time.process_time()
        await _drive(app, scopes, requests)
        return (time.process_time() - started) / requests * 1e6


def child_main(args: argparse.Namespace) -> None:
    from entrypoints.logs import configure_logging

    configure_logging()  # the access log costs what it costs in production (stderr goes to a file)
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover - uvicorn[standard] brings it
        pass
    micros = asyncio.run(_child(args.dsn, args.key_file, args.requests))
    print(MARK + json.dumps({"us_per_request": micros}), flush=True)


def _measure(source: str | None, env: list[str], dsn: str, key_file: str, requests: int) -> float:
    child_env = {**os.environ, **CHILD_DEFAULTS, **dict(item.split("=", 1) for item in env)}
    if source:
        child_env["PYTHONPATH"] = f"{Path(source).resolve()}{os.pathsep}{Path.cwd()}"
    command = [sys.executable, "-m", "bench.inprocess", "child", "--dsn", dsn, "--key-file", key_file]
    command += ["--requests", str(requests)]
    with tempfile.TemporaryFile() as log:
        done = subprocess.run(
            command, env=child_env, stdout=subprocess.PIPE, stderr=log, text=True, timeout=600, check=False
        )
        line = next((x for x in done.stdout.splitlines() if x.startswith(MARK)), None)
        if line is None:
            log.seek(0)
            raise RuntimeError(f"child failed:\n{done.stdout[-2000:]}\n{log.read()[-4000:].decode()}")
    return float(json.loads(line.removeprefix(MARK))["us_per_request"])


def parent_main(args: argparse.Namespace) -> None:
    from contextlib import ExitStack

    from bench import seed
    from tests.postgres import create_database, start_cluster
    from tests.redis_server import running_redis

    cluster = start_cluster()
    stack = ExitStack()
    try:
        if any("{redis}" in item for item in [*args.a_env, *args.b_env]):
            redis_url = stack.enter_context(running_redis()).url
            args.a_env = [item.replace("{redis}", redis_url) for item in args.a_env]
            args.b_env = [item.replace("{redis}", redis_url) for item in args.b_env]
        dsn = create_database(cluster.url)
        asyncio.run(seed.seed(dsn.replace("+asyncpg", ""), users=USERS, big=0))
        key_file = str(Path(tempfile.mkdtemp(prefix="todo-inprocess-")) / "key.pem")
        rows: list[tuple[float, float]] = []
        for number in range(1, args.rounds + 1):
            a = _measure(args.a, args.a_env, dsn, key_file, args.requests)
            b = _measure(args.b, args.b_env, dsn, key_file, args.requests)
            rows.append((a, b))
            print(f"round {number}: A {a:7.1f} us   B {b:7.1f} us   B-A {b - a:+6.1f} us", flush=True)
    finally:
        stack.close()
        cluster.stop()
    diffs = [b - a for a, b in rows]
    print(
        f"median A {statistics.median(a for a, _ in rows):.1f} us, B {statistics.median(b for _, b in rows):.1f} us, "
        f"B-A {statistics.median(diffs):+.1f} us per list-50 request (CPU of the server process, "
        f"{args.rounds} interleaved rounds of {args.requests} requests at concurrency {CONCURRENCY})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.inprocess", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="mode")
    child = sub.add_parser("child")
    child.add_argument("--dsn", required=True)
    child.add_argument("--key-file", required=True)
    child.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--a", help="source tree (src directory) of variant A (default: the installed one)")
    parser.add_argument("--b", help="source tree of variant B (default: the installed one)")
    parser.add_argument("--a-env", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--b-env", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=5000)
    args = parser.parse_args()
    if args.mode == "child":
        child_main(args)
    else:
        parent_main(args)


if __name__ == "__main__":
    main()

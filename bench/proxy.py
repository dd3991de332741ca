"""``python -m bench.proxy``: list-50 through nginx in front of two server processes, against
one server process answered directly, on the same machine and data.

The deployment this measures is the one of ``deploy/nginx/`` (TLS, HTTP/1.1 to the
instances, keep-alive upstream): what a second process buys on these cores once the proxy
takes its share. Nothing is pinned (nginx, both instances, PostgreSQL and wrk share the
CPUs, as they would on one small host). Rounds alternate direct / proxied; req/s are the
mean of the rounds and the ratio the median of the per-round ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
from contextlib import ExitStack
from pathlib import Path

from adapters.auth import Ed25519TokenIssuer, load_or_create_signing_key
from adapters.clock import SystemClock
from bench import seed
from bench.loadgen import LoadGenerator, Request, Result, ensure_wrk, write_requests
from bench.processes import Cores, Stack, free_port, project_command, project_env
from tests.nginx import running_nginx

USERS = 200


def _requests(path: Path, public_url: str, key_file: Path) -> Path:
    key, _ = load_or_create_signing_key(key_file)
    issuer = Ed25519TokenIssuer(key, issuer=public_url, audience=public_url, clock=SystemClock())
    requests = []
    for index in range(USERS):
        user = seed.user_id(index)
        headers = {"Authorization": f"Bearer {issuer.issue(user, 3600)}"}
        requests.append(Request("GET", f"/api/{user}/tasks?limit=50", headers))
    return write_requests(path, requests)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.proxy", description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", default="10,64")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="todo-bench-proxy-"))
    stack = Stack(work, Cores.plan(enabled=False))
    with ExitStack() as running:
        running.callback(stack.close)
        dsn = stack.start_database()
        asyncio.run(seed.seed(dsn, users=USERS, big=0))
        key_file = work / "signing-key.pem"
        load_or_create_signing_key(key_file)
        port = free_port()
        direct = stack.start_server("direct", project_command(), project_env(dsn, port, key_file), port)
        public_port = free_port()
        public_url = f"https://localhost:{public_port}"
        instances = []
        for name in ("behind-1", "behind-2"):
            behind_port = free_port()
            env = {**project_env(dsn, behind_port, key_file), "PUBLIC_URL": public_url}
            instances.append(stack.start_server(name, project_command(), env, behind_port))
        proxy = running.enter_context(running_nginx([s.url.removeprefix("http://") for s in instances], public_port))
        files = {
            "direct": (direct.url, _requests(work / "direct.tsv", direct.url, key_file)),
            "nginx + 2 processes": (proxy.https_url, _requests(work / "proxied.tsv", public_url, key_file)),
        }
        load = LoadGenerator(stack, ensure_wrk())
        for concurrency in (int(c) for c in args.concurrency.split(",")):
            _compare(load, files, concurrency, args)


def _compare(
    load: LoadGenerator, files: dict[str, tuple[str, Path]], concurrency: int, args: argparse.Namespace
) -> None:
    results: dict[str, list[Result]] = {name: [] for name in files}
    for url, path in files.values():
        load.run(url, path, concurrency, 1)  # warm-up: connections, caches, TLS sessions
    for number in range(1, args.rounds + 1):
        for name, (url, path) in files.items():
            result = load.run(url, path, concurrency, args.duration)
            results[name].append(result)
            print(
                f"round {number} c={concurrency:<3} {name:<20} {result.rps:8,.0f} req/s  p50 {result.p50_ms:6.2f} ms  "
                f"p99 {result.p99_ms:7.2f} ms  errors {result.errors}",
                flush=True,
            )
    direct, proxied = results["direct"], results["nginx + 2 processes"]
    ratios = [p.rps / d.rps for d, p in zip(direct, proxied, strict=True)]
    print(
        f"c={concurrency}: direct {statistics.mean(r.rps for r in direct):,.0f} req/s, nginx + 2 processes "
        f"{statistics.mean(r.rps for r in proxied):,.0f} req/s: ratio {statistics.median(ratios):.2f} "
        f"({', '.join(f'{r:.2f}' for r in ratios)})",
        flush=True,
    )


if __name__ == "__main__":
    main()

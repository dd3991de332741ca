"""``python -m bench.web``: what the web work costs (see docs/web.md, "Speed").

1. The page: first paint (Playwright driving Debian's Chromium, a fresh context per load,
   so nothing is cached) over 20 loads of ``/`` -> median and p95; its weight (every byte
   the load fetched, uncompressed) and any request outside the server's origin.
2. A sign-in: wall time of ``POST /api/auth/sign-in/email`` on the real server (argon2id at
   the shipped parameters), right and wrong password and unknown e-mail.
3. list-50 in process on PostgreSQL, accounts on vs off (``ACCOUNTS``) and, with
   ``--against OTHER/src``, another checkout (main before this work), interleaved rounds,
   each in a fresh interpreter: CPU time per request through the ASGI app; the task routes
   never read the session.

Results on stdout and in ``bench/results/web.md``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from tests.e2e.browser import chromium, guarded_page
from tests.e2e.server import RunningServer, run_server

RESULTS = Path(__file__).parent / "results" / "web.md"
REPO = Path(__file__).resolve().parents[1]


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def page_load(server: RunningServer, loads: int) -> list[str]:
    paints: list[float] = []
    weight = 0
    foreign: list[str] = []
    with chromium() as browser:
        for index in range(loads):
            with guarded_page(browser, server.url) as (page, guard):
                page.goto(server.url, wait_until="load")
                page.wait_for_function("performance.getEntriesByName('first-contentful-paint').length > 0")
                paints.append(page.evaluate("performance.getEntriesByName('first-contentful-paint')[0].startTime"))
                if index == 0:
                    weight = page.evaluate(
                        "[performance.getEntriesByType('navigation')[0], ...performance.getEntriesByType('resource')]"
                        ".reduce((sum, e) => sum + e.decodedBodySize, 0)"
                    )
                foreign += guard.foreign
    return [
        f"| first contentful paint, {loads} cold loads | median {statistics.median(paints):.0f} ms, "
        f"p95 {p95(paints):.0f} ms (target < 1000) |",
        f"| page weight (HTML, scripts, style, icon; uncompressed) | {weight / 1024:.1f} KiB (target < 100 KB) |",
        f"| requests outside the server's origin | {len(foreign)} |",
    ]


def sign_in_times(server: RunningServer, rounds: int) -> list[str]:
    email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
    with httpx.Client(base_url=server.url, timeout=10) as client:
        client.post("/api/auth/sign-up/email", json={"name": "B", "email": email, "password": "correct horse"})
        cases = {"right password": (email, "correct horse"), "wrong password": (email, "wrong horse!"),
                 "unknown e-mail": ("nobody@example.com", "correct horse")}  # fmt: skip
        times: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(rounds):
            for name, (address, password) in cases.items():
                client.cookies.clear()
                started = time.perf_counter()
                client.post("/api/auth/sign-in/email", json={"email": address, "password": password})
                times[name].append((time.perf_counter() - started) * 1000)
    return [
        f"| sign-in, {name} ({rounds} each) | median {statistics.median(v):.1f} ms, p95 {p95(v):.1f} ms |"
        for name, v in times.items()
    ]


def _status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def sign_in_memory(server: RunningServer, attempts: int = 40) -> list[str]:
    """The server's resident memory idle and at its peak after sign-ins 8 at a time (argon2
    runs at most two at once)."""
    from concurrent.futures import ThreadPoolExecutor

    pid = server.process.pid
    idle = _status_kib(pid, "VmRSS")

    def attempt(n: int) -> None:
        body = {"email": f"mem-{n}@example.com", "password": "wrong horse"}
        httpx.post(f"{server.url}/api/auth/sign-in/email", json=body, timeout=30)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(attempt, range(attempts)))
    peak = _status_kib(pid, "VmHWM")
    what = f"server RSS idle -> peak after {attempts} sign-ins, 8 concurrent"
    return [f"| {what} | {idle / 1024:.0f} -> {peak / 1024:.0f} MiB |"]


async def list_cpu(url: str, requests: int, accounts: bool) -> float:
    """CPU time per list-50 request (us) of the app on ``sys.path``, through its ASGI
    interface in this process (no sockets: the app's own cost)."""
    import httpx2

    from application.ports import TokenIssuer
    from entrypoints.config import load_settings
    from entrypoints.http.app import create_app
    from entrypoints.http.deps import resolve

    env = {"DATABASE_URL": url, "AUTH_SIGNING_KEY_FILE": str(Path(tempfile.mkdtemp()) / "k.pem"),
           "CHAT_RATE_LIMIT": "0", "ACCOUNTS": str(accounts).lower()}  # fmt: skip
    app = create_app(load_settings(env))
    transport = httpx2.ASGITransport(app=app)
    async with app.lifespan(), httpx2.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as client:
        issuer = await resolve(app.state, TokenIssuer)  # type: ignore[type-abstract]
        headers = {"Authorization": f"Bearer {issuer.issue('bench-user', 3600)}"}
        if not (await client.get("/api/bench-user/tasks", headers=headers)).json()["items"]:
            for n in range(50):
                await client.post("/api/bench-user/tasks", json={"title": f"task {n}"}, headers=headers)
        for _ in range(300):  # warm-up
            await client.get("/api/bench-user/tasks", headers=headers)
        started = time.process_time()
        for _ in range(requests):
            answer = await client.get("/api/bench-user/tasks", headers=headers)
        assert len(answer.json()["items"]) == 50
        return (time.process_time() - started) / requests * 1e6


def _list_cpu_in_child(url: str, requests: int, accounts: bool, src: Path) -> float:
    """``list_cpu`` in a fresh interpreter importing the project from ``src``."""
    code = (
        f"import sys, asyncio; sys.path.insert(0, {str(src)!r}); sys.path.insert(1, {str(REPO)!r}); "
        f"from bench.web import list_cpu; print(asyncio.run(list_cpu({url!r}, {requests}, {accounts})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tempfile.gettempdir()
    )
    return float(out.stdout.strip().splitlines()[-1])


def list_comparison(url: str, rounds: int, requests: int, against: Path | None) -> list[str]:
    """Interleaved rounds: accounts on, accounts off, and (``--against``) another checkout."""
    sides: dict[str, tuple[bool, Path]] = {"accounts on": (True, REPO / "src"), "accounts off": (False, REPO / "src")}
    if against is not None:
        sides[f"{against} (accounts default)"] = (True, against)
    found: dict[str, list[float]] = {name: [] for name in sides}
    for _ in range(rounds):
        for name, (accounts, src) in sides.items():
            found[name].append(_list_cpu_in_child(url, requests, accounts, src))
    reference = statistics.median(found["accounts on"])
    return [
        f"| list-50 in process, {name}: CPU per request, {rounds} rounds of {requests} | "
        + ", ".join(f"{v:.0f}" for v in values)
        + f" us (median {statistics.median(values):.0f}; this checkout with accounts / it: "
        + f"{reference / statistics.median(values):.3f}) |"
        for name, values in found.items()
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=20)
    parser.add_argument("--sign-ins", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--against", type=Path, help="another checkout's src/ to compare list-50 with (e.g. main's)")
    args = parser.parse_args()

    from tests.postgres import create_database, start_cluster

    lines = ["| what | figure |", "|---|---|"]
    workdir = Path(tempfile.mkdtemp(prefix="bench-web-"))
    with run_server(workdir, f"sqlite+aiosqlite:///{workdir / 'todo.db'}") as server:
        lines += page_load(server, args.loads)
        lines += sign_in_times(server, args.sign_ins)
        lines += sign_in_memory(server)
    cluster = start_cluster()
    try:
        lines += list_comparison(create_database(cluster.url), args.rounds, args.requests, args.against)
    finally:
        cluster.stop()
    report = "\n".join(lines)
    print(report)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(f"# bench.web ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})\n\n{report}\n")


if __name__ == "__main__":
    main()

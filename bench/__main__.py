"""``python -m bench``: the whole benchmark in one command (see docs/performance.md).

1. a throwaway PostgreSQL, migrated, seeded with 1,000 users x 100 tasks and one user
   with 100,000 tasks (COPY);
2. the project (``todo-chatbot serve``: one worker, uvloop + httptools, AUTO_MIGRATE=false,
   CHAT_RATE_LIMIT=0) and the floor (``bench/floor.py``: bare ASGI + asyncpg, same uvicorn
   settings) on free 127.0.0.1 ports;
3. wrk rotating over 1,000 users' tokens and paths: list-50, get, toggle and create at
   concurrency 10 and 64, floor and project interleaved in each round; chat and MCP
   ``list_tasks`` at 10 when those endpoints exist;
4. page time for 100 vs 100,000 tasks, the worker's RSS idle and after the load;
5. the tables on stdout and in ``bench/results/latest.md``.

Everything started is stopped on exit, Ctrl-C or failure.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import platform
import random
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from adapters.auth import Ed25519TokenIssuer, load_or_create_signing_key
from adapters.clock import SystemClock
from bench import seed
from bench.loadgen import LoadGenerator, Request, ensure_wrk, write_requests
from bench.processes import (
    Cores,
    Server,
    Stack,
    floor_command,
    floor_env,
    free_port,
    http_request,
    project_command,
    project_env,
    rss_kib,
)
from bench.profile import profile_server
from bench.report import UNCACHED, Growth, Report, Run
from tests.postgres import PG_BIN

RESULTS = Path(__file__).with_name("results")
REQUESTS_PER_FILE = 4000
CHAT_MESSAGE = "show me my pending tasks"
GROWTH_QUERIES = ("", "?status=pending&sort=due", "?tag=work")
SMALL_USER = seed.user_id(7)
UNCACHED_TOKENS = 20_000
"""Tokens for the uncached-token scenario, each used once (runs continue where the last
stopped): more than the verifier's cache (10,000) holds."""


class Interrupted(Exception):
    pass


def _on_signal(signum: int, _frame: object) -> None:
    raise Interrupted(f"signal {signum}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description="The benchmark (docs/performance.md).")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per measurement (default 5)")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved floor/project rounds (default 2)")
    parser.add_argument("--concurrency", default="10,64", help="connection counts (default 10,64)")
    parser.add_argument("--no-pin", action="store_true", help="do not pin processes to CPUs with taskset")
    parser.add_argument("--profile", action="store_true", help="also py-spy the server during list-50 and create")
    parser.add_argument("--output", type=Path, default=RESULTS / "latest.md", help="markdown output file")
    parser.add_argument("--users", type=int, default=seed.USERS, help=argparse.SUPPRESS)
    parser.add_argument("--big", type=int, default=seed.BIG_TASKS, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def step(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


class Bench:
    def __init__(self, args: argparse.Namespace, stack: Stack) -> None:
        self.args = args
        self.stack = stack
        self.work = stack.workdir
        self.rng = random.Random(5)
        self.users = [seed.user_id(i) for i in range(args.users)]
        self.tokens: dict[str, str] = {}
        self.files: dict[str, Path] = {}
        self.mcp_headers: dict[str, str] = {}
        self.notes: list[str] = []

    # -- set-up ---------------------------------------------------------------------------
    def start(self) -> tuple[Server, Server]:
        step("starting a throwaway PostgreSQL and a migrated database")
        dsn = self.stack.start_database()
        step("seeding (COPY)")
        counts = asyncio.run(seed.seed(dsn, users=self.args.users, big=self.args.big))
        step(
            f"seeded {counts['users']:,} users, {counts['tasks']:,} tasks, {counts['task_tags']:,} tag rows "
            f"in {counts['seconds']:.1f} s"
        )
        key_file = self.work / "signing-key.pem"
        load_or_create_signing_key(key_file)
        port = free_port()
        step("starting the project: todo-chatbot serve")
        project = self.stack.start_server("project", project_command(), project_env(dsn, port, key_file), port)
        self.rss_idle = rss_kib(project.pid)
        step("starting the floor: uvicorn bench.floor:app")
        floor_port = free_port()
        floor = self.stack.start_server("floor", floor_command(floor_port), floor_env(dsn), floor_port)
        key, _ = load_or_create_signing_key(key_file)
        self.issuer = Ed25519TokenIssuer(key, issuer=project.url, audience=project.url, clock=SystemClock())
        for user in [*self.users, seed.BIG_USER]:
            self.tokens[user] = self.issuer.issue(user, 3600)
        return project, floor

    def auth(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user]}"}

    def _file(self, name: str, requests: list[Request]) -> None:
        self.files[name] = write_requests(self.work / f"{name}.requests", requests)

    def build_requests(self) -> None:
        rng, users = self.rng, self.users
        json_type = {"Content-Type": "application/json"}
        toggleable = [n for n in range(1, seed.TASKS_PER_USER + 1) if not seed.is_recurring(n)]
        listed = users * (REQUESTS_PER_FILE // len(users) + 1)
        rng.shuffle(listed)
        self._file("list-50", [Request("GET", f"/api/{u}/tasks", self.auth(u)) for u in listed[:REQUESTS_PER_FILE]])
        picks = [rng.choice(users) for _ in range(REQUESTS_PER_FILE)]
        self._file(
            "get",
            [Request("GET", f"/api/{u}/tasks/{rng.randint(1, seed.TASKS_PER_USER)}", self.auth(u)) for u in picks],
        )
        self._file(
            "toggle",
            [Request("PATCH", f"/api/{u}/tasks/{rng.choice(toggleable)}/complete", self.auth(u)) for u in picks],
        )
        body = json.dumps({"title": "Bench task"})
        self._file("create", [Request("POST", f"/api/{u}/tasks", {**self.auth(u), **json_type}, body) for u in picks])
        chat = json.dumps({"message": CHAT_MESSAGE})
        self._file("chat", [Request("POST", f"/api/{u}/chat", {**self.auth(u), **json_type}, chat) for u in picks])
        # Every request with a token the server has not verified yet (distinct expiries; more
        # tokens than the verified-token cache holds): what verifying Ed25519 costs per request.
        fresh = [
            (u, self.issuer.issue(u, 3600 + i)) for i, u in enumerate(rng.choice(users) for _ in range(UNCACHED_TOKENS))
        ]
        self._file(
            UNCACHED,
            [
                Request(
                    "GET", f"/api/{u}/tasks/{rng.randint(1, seed.TASKS_PER_USER)}", {"Authorization": f"Bearer {t}"}
                )
                for u, t in fresh
            ],
        )
        for name, query in (("growth-small", SMALL_USER), ("growth-big", seed.BIG_USER)):
            for index, suffix in enumerate(GROWTH_QUERIES):
                self._file(f"{name}-{index}", [Request("GET", f"/api/{query}/tasks{suffix}", self.auth(query))])

    def build_mcp_requests(self) -> None:
        body = json.dumps(
            {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "list_tasks", "arguments": {}}}
        )
        picks = [self.rng.choice(self.users) for _ in range(REQUESTS_PER_FILE)]
        self._file(
            "mcp list_tasks", [Request("POST", "/mcp", {**self.auth(u), **self.mcp_headers}, body) for u in picks]
        )

    # -- checks ---------------------------------------------------------------------------
    def check(self, project: Server, floor: Server) -> list[str]:
        """Every scenario answers as expected before it is measured; returns the optional
        scenarios that are available (chat, MCP)."""
        user = self.users[0]
        status, body = http_request(project.url, "GET", f"/api/{user}/tasks", self.auth(user))
        page = json.loads(body)
        assert status == 200 and len(page["items"]) == 50 and page["next_cursor"], (status, body[:300])
        status, body = http_request(floor.url, "GET", f"/api/{user}/tasks")
        assert status == 200 and len(json.loads(body)["items"]) == 50, (status, body[:300])
        assert http_request(project.url, "GET", f"/api/{user}/tasks/3", self.auth(user))[0] == 200
        for _ in range(2):  # toggled twice: the data set is unchanged
            status, body = http_request(project.url, "PATCH", f"/api/{user}/tasks/3/complete", self.auth(user))
            assert status == 200, (status, body[:300])
        headers = {**self.auth(user), "Content-Type": "application/json"}
        status, body = http_request(project.url, "POST", f"/api/{user}/tasks", headers, b'{"title": "Check"}')
        assert status == 201, (status, body[:300])
        status, body = http_request(floor.url, "POST", f"/api/{user}/tasks", headers, b'{"title": "Check"}')
        assert status == 201, (status, body[:300])
        optional = []
        chat = json.dumps({"message": CHAT_MESSAGE}).encode()
        status, body = http_request(project.url, "POST", f"/api/{user}/chat", headers, chat)
        if 200 <= status < 300:
            optional.append("chat")
        else:
            self.note(f"chat skipped: POST /api/{{user}}/chat answered {status} (endpoint not there yet?)")
        if self.probe_mcp(project, user):
            optional.append("mcp list_tasks")
        return optional

    def probe_mcp(self, project: Server, user: str) -> bool:
        import mcp_types

        base = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
        variants = [base, {**base, "MCP-Protocol-Version": mcp_types.LATEST_PROTOCOL_VERSION}]
        body = json.dumps(
            {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "list_tasks", "arguments": {}}}
        ).encode()
        answers = []
        for headers in variants:
            status, answer = http_request(project.url, "POST", "/mcp", {**self.auth(user), **headers}, body)
            answers.append(f"{status} {answer[:200]!r}")
            if status == 200 and b'"result"' in answer and b'"isError":true' not in answer.replace(b" ", b""):
                self.mcp_headers = headers
                return True
        self.note(f"MCP skipped: POST /mcp tools/call list_tasks answered {' / '.join(answers)}")
        return False

    def warm_tokens(self, project: Server) -> None:
        """One request per user: every token is verified once, as a client reusing its token
        for its lifetime would see (the verified-token cache is the steady state)."""

        def touch(user: str) -> int:
            return http_request(project.url, "GET", f"/api/{user}/tasks/1", self.auth(user))[0]

        with ThreadPoolExecutor(8) as pool:
            statuses = collections.Counter(pool.map(touch, [*self.users, seed.BIG_USER]))
        assert set(statuses) == {200}, statuses

    def note(self, text: str) -> None:
        self.notes.append(text)
        step(text)


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], check=False, capture_output=True, text=True).stdout


def _loadavg() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


def _header(
    args: argparse.Namespace, cores: Cores, loadgen: LoadGenerator, concurrency: list[int], load_start: str
) -> list[str]:
    commit = _git("rev-parse", "--short", "HEAD").strip()
    dirty = _git("status", "--porcelain", "--", "src")
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    return [
        f"- run: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit}"
        + (" (with uncommitted changes under src/)" if dirty.strip() else ""),
        f"- machine: {len(__import__('os').sched_getaffinity(0))} CPUs ({cpu}), Python {platform.python_version()}; "
        f"{cores.describe()}",
        f"- load generator: {loadgen.name}; {args.duration:g} s per measurement, {args.rounds} rounds, "
        f"concurrency {', '.join(map(str, concurrency))}; floor and project interleaved in each round",
        f"- load average (1 min) at start {load_start} and end {_loadavg()} (other processes share the machine)",
        f"- data: {args.users:,} users x {seed.TASKS_PER_USER} tasks + one user with {args.big:,} tasks "
        f"(throwaway PostgreSQL {PG_BIN.parent.name}, fsync off); one server worker each, uvloop + httptools",
    ]


def run(args: argparse.Namespace, stack: Stack) -> Report:
    concurrency = [int(c) for c in args.concurrency.split(",")]
    wrk = ensure_wrk()
    loadgen = LoadGenerator(stack, wrk)
    if not wrk:
        print("wrk is not available: using the Python load generator (slower; figures include it)", flush=True)
    bench = Bench(args, stack)
    project, floor = bench.start()
    servers = {"project": project, "floor": floor}
    bench.build_requests()
    step("checking every scenario once")
    optional = bench.check(project, floor)
    if "mcp list_tasks" in optional:
        bench.build_mcp_requests()
    load_start = _loadavg()
    report = Report([])

    uncached_cursor = [0]

    def measure(target: str, scenario: str, c: int, seconds: float) -> Run:
        offset = uncached_cursor[0] if scenario == UNCACHED else None
        result = loadgen.run(servers[target].url, bench.files[scenario], c, seconds, offset)
        if scenario == UNCACHED:
            uncached_cursor[0] += result.requests
        flag = f"  ERRORS {result.errors}" if result.errors else ""
        step(
            f"  {target:7} {scenario:21} c={c:<3} {result.rps:8,.0f} req/s  p50 {result.p50_ms:6.2f} ms  "
            f"p99 {result.p99_ms:7.2f} ms{flag}"
        )
        return Run(0, target, scenario, c, result)

    step("warming up (every user's token once, then each scenario)")
    bench.warm_tokens(project)
    for target, scenario in [("floor", "list-50"), ("project", "list-50"), ("project", "get"), ("floor", "create")]:
        measure(target, scenario, concurrency[0], 2)
    for scenario in ["toggle", "create", *optional]:
        measure("project", scenario, concurrency[0], 1)

    for round_number in range(1, args.rounds + 1):
        step(f"round {round_number} of {args.rounds}")
        for c in concurrency:
            plan = [
                ("floor", "list-50"),
                ("project", "list-50"),
                ("project", "get"),
                ("project", "toggle"),
                ("floor", "create"),
                ("project", "create"),
            ]
            if round_number % 2 == 0:
                plan = [("project", "list-50"), ("floor", "list-50"), ("project", "get"), ("project", "toggle")]
                plan += [("project", "create"), ("floor", "create")]
            if c == concurrency[0]:
                plan += [("project", scenario) for scenario in [UNCACHED, *optional]]
            for target, scenario in plan:
                measured = measure(target, scenario, c, args.duration)
                measured.round = round_number
                report.runs.append(measured)

    step("page time for 100 vs 100,000 tasks (1 connection)")
    for index, suffix in enumerate(GROWTH_QUERIES):
        growth = Growth(f"GET /api/{{user}}/tasks{suffix}")
        for _ in range(4):  # alternating 1 s runs; the median of their p50s
            growth.small.append(loadgen.run(project.url, bench.files[f"growth-small-{index}"], 1, 1))
            growth.big.append(loadgen.run(project.url, bench.files[f"growth-big-{index}"], 1, 1))
        step(
            f"  {growth.query}: {growth.small_p50:.2f} ms vs {growth.big_p50:.2f} ms "
            f"({growth.big_p50 / growth.small_p50:.2f}x)"
        )
        report.growth.append(growth)

    report.rss_kib["idle, after start"] = bench.rss_idle
    report.rss_kib["after the load"] = rss_kib(project.pid)
    if args.profile:
        for scenario in ("list-50", "create"):
            step(f"profiling the project during {scenario} at c={concurrency[0]} (py-spy)")
            report.profile += [f"### {scenario}, c={concurrency[0]}", ""]
            report.profile += profile_server(
                project.pid,
                lambda scenario=scenario: loadgen.run(project.url, bench.files[scenario], concurrency[0], 10),
                stack.workdir,
            )
            report.profile.append("")
    report.notes = bench.notes
    report.header = _header(args, stack.cores, loadgen, concurrency, load_start)
    return report


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _on_signal)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="todo-bench-") as workdir:
        stack = Stack(Path(workdir), Cores.plan(not args.no_pin))
        try:
            report = run(args, stack)
        except (KeyboardInterrupt, Interrupted) as exc:
            print(f"\ninterrupted ({str(exc) or 'Ctrl-C'}): stopping everything", file=sys.stderr)
            return 130
        finally:
            stack.close()
    markdown = report.markdown()
    print("\n" + markdown)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(markdown, encoding="utf-8")
    print(f"written to {args.output} ({time.monotonic() - started:.0f} s in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``python -m bench``: the whole benchmark in one command (see docs/performance.md).

1. a throwaway PostgreSQL, migrated, seeded with 1,000 users x 100 tasks and one user
   with 100,000 tasks (COPY);
2. the project (``todo-chatbot serve``: one worker, uvloop + httptools, AUTO_MIGRATE=false,
   CHAT_RATE_LIMIT=0) and the floor (``bench/floor.py``: bare ASGI + asyncpg, same uvicorn
   settings) on free 127.0.0.1 ports;
   and a second project server whose chat goes to a zero-latency fake model
   (``bench/fake_model_server.py``, its own process);
3. wrk rotating over 1,000 users' tokens and paths: list-50, get, toggle and create at
   concurrency 10 and 64, floor and project interleaved in each round; chat (offline agent,
   fake model) and MCP ``list_tasks`` at 10 when those endpoints exist;
4. page time for 100 vs 100,000 tasks; conversation history: a 500-message conversation vs
   a 10-message one (page, and a chat turn on it); the worker's RSS idle and after the load;
5. the tables on stdout and in ``bench/results/latest.md``.

``--only rest,chat,mcp,growth,history`` runs some of the scenarios (REST list-50 stays as
the reference of chat and MCP).

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
from bench.fake_model_server import TOOL_TRIGGER
from bench.loadgen import LoadGenerator, Request, ensure_wrk, write_requests
from bench.processes import (
    Cores,
    Server,
    Stack,
    fake_model_command,
    fake_model_env,
    floor_command,
    floor_env,
    free_port,
    http_request,
    model_project_env,
    project_command,
    project_env,
    rss_kib,
)
from bench.profile import profile_server
from bench.report import CHAT_MODEL, CHAT_MODEL_TOOL, CHAT_OFFLINE, UNCACHED, Growth, Report, Run
from bench.rotation import OFFLINE_ROTATION
from tests.postgres import PG_BIN

RESULTS = Path(__file__).with_name("results")
REQUESTS_PER_FILE = 4000
CHAT_MESSAGE = "show me my pending tasks"
CHAT_MESSAGES = {
    CHAT_OFFLINE: OFFLINE_ROTATION[0],  # the probe; the load rotates over OFFLINE_ROTATION
    CHAT_MODEL: "hello there",  # the fake model answers text at once: one model call
    CHAT_MODEL_TOOL: f"{TOOL_TRIGGER} {CHAT_MESSAGE}",  # list_tasks, then text: two model calls
}
SERVER_OF = {CHAT_MODEL: "model", CHAT_MODEL_TOOL: "model"}
"""Scenarios served by the project server whose chat goes to the fake model."""
GROUPS = ("rest", "chat", "mcp", "growth", "history")
HISTORY_LONG, HISTORY_SHORT = "history-long", "history-short"
HISTORY_TURNS = 250  # 500 messages
HISTORY_SHORT_TURNS = 5  # 10 messages
HISTORY_SCRIPT = (
    "add {word} report {k} tomorrow",
    "show my tasks",
    "complete task {n}",
    "add #work finish slides {k}",
    "what's pending?",
)
"""The turns of the seeded conversations, in a cycle (adds, lists with their results,
completes): each user's conversation is what the offline agent stored for them."""
HISTORY_CHAT_MESSAGE = "hello"
"""The measured turn on a stored conversation: the offline agent answers with help, no tool,
so what changes with the conversation's length is the history the turn loads."""
HISTORY_LONG_COPIES = 20
HISTORY_SHORT_COPIES = 1500
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
    parser.add_argument(
        "--rounds", type=int, default=3, help="interleaved floor/project rounds (default 3; ratios are their median)"
    )
    parser.add_argument("--concurrency", default="10,64", help="connection counts (default 10,64)")
    parser.add_argument("--no-pin", action="store_true", help="do not pin processes to CPUs with taskset")
    parser.add_argument("--profile", action="store_true", help="also py-spy the server during list-50 and create")
    parser.add_argument("--output", type=Path, default=RESULTS / "latest.md", help="markdown output file")
    parser.add_argument(
        "--only",
        default=",".join(GROUPS),
        help=f"scenario groups to run, comma-separated, of {','.join(GROUPS)} (default: all)",
    )
    parser.add_argument("--users", type=int, default=seed.USERS, help=argparse.SUPPRESS)
    parser.add_argument("--big", type=int, default=seed.BIG_TASKS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.groups = {g.strip() for g in args.only.split(",") if g.strip()}
    if not args.groups or args.groups - set(GROUPS):
        parser.error(f"--only takes groups of {', '.join(GROUPS)}, got {args.only!r}")
    return args


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
        self.model: Server | None = None
        self.dsn = ""

    # -- set-up ---------------------------------------------------------------------------
    def start(self) -> tuple[Server, Server]:
        step("starting a throwaway PostgreSQL and a migrated database")
        dsn = self.dsn = self.stack.start_database()
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
        if "chat" in self.args.groups:
            self.model = self.start_model_project(dsn, key_file, project.url)
        key, _ = load_or_create_signing_key(key_file)
        self.issuer = Ed25519TokenIssuer(key, issuer=project.url, audience=project.url, clock=SystemClock())
        for user in [*self.users, seed.BIG_USER, HISTORY_LONG, HISTORY_SHORT]:
            self.tokens[user] = self.issuer.issue(user, 3600)
        return project, floor

    def start_model_project(self, dsn: str, key_file: Path, public_url: str) -> Server:
        """The fake model (pinned with the load generator: it stands for a remote server) and
        a second project server, pinned like the first, whose chat goes to it (same database,
        signing key and public URL: the bench's tokens are valid on both)."""
        model_port = free_port()
        step("starting the fake model: python -m bench.fake_model_server")
        fake = self.stack.start_server(
            "fake-model", fake_model_command(model_port), fake_model_env(), model_port, cpus=self.stack.cores.loadgen
        )
        port = free_port()
        self.notes.append(
            "chat, fake model: a second `todo-chatbot serve` (same database, one worker, same CPU) with "
            "OPENAI_BASE_URL on `bench/fake_model_server.py` (tests/fake_model.py in its own process, "
            f"CPU {self.stack.cores.loadgen or 'not pinned'}): Chat Completions, non-streaming, answers at once; "
            "a text reply (one model call per turn), or with the 1 tool call scenario a `list_tasks` call "
            "then text (two model calls)"
        )
        step("starting the project on the fake model: todo-chatbot serve (OPENAI_BASE_URL=fake model)")
        return self.stack.start_server(
            "model-project",
            project_command(),
            model_project_env(dsn, port, key_file, f"{fake.url}/v1", public_url),
            port,
        )

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
        for scenario, message in CHAT_MESSAGES.items():
            messages = OFFLINE_ROTATION if scenario == CHAT_OFFLINE else (message,)
            self._file(
                scenario,
                [
                    Request(
                        "POST",
                        f"/api/{u}/chat",
                        {**self.auth(u), **json_type},
                        json.dumps({"message": messages[i % len(messages)]}),
                    )
                    for i, u in enumerate(picks)
                ],
            )
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
        if "chat" in self.args.groups:
            for scenario, message in CHAT_MESSAGES.items():
                server = self.model if SERVER_OF.get(scenario) == "model" else project
                if server is not None and self.probe_chat(server, scenario, user, message):
                    optional.append(scenario)
        if "mcp" in self.args.groups and self.probe_mcp(project, user):
            optional.append("mcp list_tasks")
        return optional

    def probe_chat(self, server: Server, scenario: str, user: str, message: str) -> bool:
        headers = {**self.auth(user), "Content-Type": "application/json"}
        body = json.dumps({"message": message}).encode()
        status, answer = http_request(server.url, "POST", f"/api/{user}/chat", headers, body)
        calls = len(json.loads(answer).get("tool_calls", [])) if 200 <= status < 300 else -1
        expected = {CHAT_MODEL: 0, CHAT_MODEL_TOOL: 1}.get(scenario, calls)
        if 200 <= status < 300 and calls == expected:
            return True
        self.note(f"{scenario} skipped: POST /api/{{user}}/chat answered {status} {answer[:200]!r}")
        return False

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

    # -- conversation history -------------------------------------------------------------
    def chat_turn(self, project: Server, user: str, message: str, conversation: int | None) -> dict:
        headers = {**self.auth(user), "Content-Type": "application/json"}
        body: dict[str, object] = {"message": message, "timezone": "UTC"}
        if conversation is not None:
            body["conversation_id"] = conversation
        status, answer = http_request(project.url, "POST", f"/api/{user}/chat", headers, json.dumps(body).encode())
        assert status == 200, (status, answer[:300])
        return json.loads(answer)

    def seed_conversation(self, project: Server, user: str, turns: int) -> int:
        """A conversation of ``2 * turns`` messages, each turn through the chat endpoint
        (offline agent): what the app stores, tool calls and their results included."""
        conversation = None
        for i in range(turns):
            cycle, position = divmod(i, len(HISTORY_SCRIPT))
            words = ("quarterly", "weekly", "budget", "travel", "team")
            message = HISTORY_SCRIPT[position].format(word=words[cycle % len(words)], k=cycle + 1, n=2 * cycle + 1)
            conversation = self.chat_turn(project, user, message, conversation)["conversation_id"]
        assert conversation is not None
        return conversation

    def build_history(self, project: Server) -> dict[str, list[int]]:
        """Two users, the same scripted turns: one conversation of 500 messages and one of
        10; then copies of each (SQL, rows as the app wrote them) for the chat-turn runs,
        which add two messages to the conversation they use."""
        long = self.seed_conversation(project, HISTORY_LONG, HISTORY_TURNS)
        short = self.seed_conversation(project, HISTORY_SHORT, HISTORY_SHORT_TURNS)
        status, body = http_request(project.url, "GET", f"/api/{HISTORY_LONG}/conversations/{long}?limit=100",
                                    self.auth(HISTORY_LONG))  # fmt: skip
        assert status == 200 and len(json.loads(body)["messages"]) == 100, (status, body[:300])
        answer = self.chat_turn(project, HISTORY_SHORT, HISTORY_CHAT_MESSAGE, None)
        assert answer["tool_calls"] == [], answer
        long_copies = asyncio.run(seed.copy_conversation(self.dsn, HISTORY_LONG, long, HISTORY_LONG_COPIES))
        short_copies = asyncio.run(seed.copy_conversation(self.dsn, HISTORY_SHORT, short, HISTORY_SHORT_COPIES))
        json_type = {"Content-Type": "application/json"}
        for name, user, number, copies in (
            ("short", HISTORY_SHORT, short, short_copies),
            ("long", HISTORY_LONG, long, long_copies),
        ):
            page = f"/api/{user}/conversations/{number}"
            self._file(f"history-page-{name}", [Request("GET", page, self.auth(user))])
            self._file(f"history-page10-{name}", [Request("GET", f"{page}?limit=10", self.auth(user))])
            turns = [
                Request(
                    "POST",
                    f"/api/{user}/chat",
                    {**self.auth(user), **json_type},
                    json.dumps({"message": HISTORY_CHAT_MESSAGE, "conversation_id": n}),
                )
                for n in copies
            ]
            self._file(f"history-chat-{name}", turns)
        return {"short": short_copies, "long": long_copies}

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


def measure_history(bench: Bench, project: Server, loadgen: LoadGenerator) -> list[Growth]:
    """A 500-message conversation vs a 10-message one, 1 connection, alternating 1 s runs,
    the median of their p50s: the first page of messages (default size, 50, then 10 on
    both), and a chat turn on the conversation (offline agent, no tool: the turn loads the
    recent history, stores the question and the answer)."""
    step(f"conversation history: seeding {HISTORY_TURNS} + {HISTORY_SHORT_TURNS} chat turns (offline agent)")
    started = time.perf_counter()
    copies = bench.build_history(project)
    step(f"  seeded in {time.perf_counter() - started:.1f} s")
    step("conversation history: 500 vs 10 messages (1 connection)")
    history = []
    cursors = {"short": 0, "long": 0}
    plans = (
        ("GET /api/{user}/conversations/{id} (first page: 50 vs 10 messages)", "history-page", 4),
        ("GET /api/{user}/conversations/{id}?limit=10 (10 messages on both)", "history-page10", 4),
        (f'POST /api/{{user}}/chat {{"message": "{HISTORY_CHAT_MESSAGE}", "conversation_id": id}}', "history-chat", 3),
    )
    for label, prefix, runs in plans:
        growth = Growth(label)
        for _ in range(runs):
            for name, results in (("short", growth.small), ("long", growth.big)):
                chat = prefix == "history-chat"
                offset = cursors[name] if chat else None
                result = loadgen.run(project.url, bench.files[f"{prefix}-{name}"], 1, 1, offset)
                if chat:  # + 2: the requests in flight when wrk stops are not counted
                    cursors[name] += result.requests + 2
                if result.errors:
                    bench.note(f"{label}, {name}: {result.errors} errors")
                results.append(result)
        ratio = growth.big_p50 / growth.small_p50
        step(f"  {label}: {growth.small_p50:.2f} ms vs {growth.big_p50:.2f} ms ({ratio:.2f}x)")
        history.append(growth)
    for name in ("short", "long"):
        user = HISTORY_SHORT if name == "short" else HISTORY_LONG
        counts = asyncio.run(seed.message_counts(bench.dsn, user, copies[name]))
        used = [c for c in counts if c > (10 if name == "short" else 500)]
        bench.note(
            f"history chat turns, {name} conversations: {len(used)} of {len(counts)} copies used, "
            f"holding {min(counts)}-{max(counts)} messages at the end"
        )
    return history


def run(args: argparse.Namespace, stack: Stack) -> Report:
    concurrency = [int(c) for c in args.concurrency.split(",")]
    groups = args.groups
    wrk = ensure_wrk()
    loadgen = LoadGenerator(stack, wrk)
    if not wrk:
        print("wrk is not available: using the Python load generator (slower; figures include it)", flush=True)
    bench = Bench(args, stack)
    project, floor = bench.start()
    servers = {"project": project, "floor": floor}
    if bench.model is not None:
        servers["model"] = bench.model
    bench.build_requests()
    step("checking every scenario once")
    optional = bench.check(project, floor)
    if "mcp list_tasks" in optional:
        bench.build_mcp_requests()
    load_start = _loadavg()
    report = Report([])

    cursors: dict[str, int] = collections.defaultdict(int)
    """Files whose requests are each meant to be used once: runs continue where the last stopped."""

    def measure(target: str, scenario: str, c: int, seconds: float) -> Run:
        server = servers[SERVER_OF.get(scenario, target)]
        offset = cursors[scenario] if scenario == UNCACHED else None
        result = loadgen.run(server.url, bench.files[scenario], c, seconds, offset)
        cursors[scenario] += result.requests
        flag = f"  ERRORS {result.errors}" if result.errors else ""
        step(
            f"  {target:7} {scenario:29} c={c:<3} {result.rps:8,.0f} req/s  p50 {result.p50_ms:6.2f} ms  "
            f"p99 {result.p99_ms:7.2f} ms{flag}"
        )
        return Run(0, target, scenario, c, result)

    rest = "rest" in groups
    reference = rest or bool(optional)  # chat and MCP are reported relative to REST list-50
    step("warming up (every user's token once, then each scenario)")
    for server in servers.values():
        if server is not floor:
            bench.warm_tokens(server)
    warm = [("floor", "list-50"), ("project", "list-50"), ("project", "get"), ("floor", "create")] if rest else []
    warm += [("project", "list-50")] if reference and not rest else []
    for target, scenario in warm:
        measure(target, scenario, concurrency[0], 2)
    for scenario in [*(["toggle", "create"] if rest else []), *optional]:
        measure("project", scenario, concurrency[0], 1)

    for round_number in range(1, args.rounds + 1 if reference else 1):
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
            if not rest:
                plan = [("project", "list-50")] if c == concurrency[0] else []
            if c == concurrency[0]:
                plan += [("project", scenario) for scenario in [*([UNCACHED] if rest else []), *optional]]
            for target, scenario in plan:
                measured = measure(target, scenario, c, args.duration)
                measured.round = round_number
                report.runs.append(measured)

    if "growth" in groups:
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

    if "history" in groups:
        report.history = measure_history(bench, project, loadgen)

    report.rss_kib["idle, after start"] = bench.rss_idle
    report.rss_kib["after the load"] = rss_kib(project.pid)
    if args.profile:
        profiled = [s for s in ("list-50", "create") if rest] + [s for s in (CHAT_OFFLINE, CHAT_MODEL) if s in optional]
        for scenario in profiled:
            server = servers[SERVER_OF.get(scenario, "project")]
            step(f"profiling the project during {scenario} at c={concurrency[0]} (py-spy)")
            report.profile += [f"### {scenario}, c={concurrency[0]}", ""]
            report.profile += profile_server(
                server.pid,
                lambda scenario=scenario, server=server: loadgen.run(
                    server.url, bench.files[scenario], concurrency[0], 10
                ),
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

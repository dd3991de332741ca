"""CPU time of one offline-agent chat turn, in process, over the bench's rotation of messages.

``python -m bench.offline_turns`` starts a throwaway PostgreSQL (tests/postgres.py), and runs
``SendChatMessage`` with the offline agent on the asyncpg unit of work (the app's hot-path
adapter) for a user with 100 tasks shaped like the bench data set, each message in a new
conversation; it prints microseconds of CPU of the Python process per turn (PostgreSQL's own
CPU is not counted: the same for both sides). ``--compare PATH`` alternates rounds with
another checkout's ``src`` and ``tests`` (e.g. an older commit exported with ``git archive``),
each round in a fresh process, and prints both.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.rotation import OFFLINE_ROTATION

ROOT = Path(__file__).resolve().parents[1]
USERS = 20
"""Users with 100 tasks each, taking turns (as the bench's 1,000 users do): what the adds of
the rotation give one user stays small next to their 100 tasks."""
_WORDS = ("buy", "call", "write", "book", "pay", "water", "fix", "review", "plan", "clean", "renew", "send",
          "milk", "dentist", "report", "flights", "rent", "plants", "bike", "trip", "kitchen", "passport")  # fmt: skip


async def _measure(turns: int, dsn: str, user: str) -> float:
    from datetime import UTC

    from adapters.agents.offline.agent import OfflineChatAgent
    from adapters.clock import SystemClock
    from adapters.persistence.asyncpg.uow import AsyncpgUnitOfWork, create_asyncpg_pool
    from application.chat.schemas import ChatRequest
    from application.chat.send import SendChatMessage
    from application.schemas import NewTask
    from application.validation import convert
    from tests.fakes import task_operations, task_tools

    rng = random.Random(5)
    pool = await create_asyncpg_pool(dsn)
    uow, clock = AsyncpgUnitOfWork(pool), SystemClock()
    ops = task_operations(uow, clock)
    users = [f"{user}-{n}" for n in range(USERS)]
    for owner in users:
        for number in range(1, 101):
            words = rng.sample(_WORDS, 3)
            tags = ["work"] * (number % 3 == 0)
            body = {"title": f"{words[0].capitalize()} {words[1]} {words[2]} #{number}", "tags": tags}
            view = await ops.add.execute(owner, convert(body, NewTask))
            if rng.random() < 0.3:
                await ops.complete.execute(owner, view.id, UTC)
    chat = SendChatMessage(uow, clock, OfflineChatAgent(), task_tools(uow, clock))
    for message in OFFLINE_ROTATION:  # warm-up: imports, caches
        await chat.execute(users[0], ChatRequest(message=message, timezone="UTC"))
    messages = len(OFFLINE_ROTATION)
    started = time.process_time()
    for index in range(turns):
        message = OFFLINE_ROTATION[index % messages]
        await chat.execute(users[(index // messages + index) % USERS], ChatRequest(message=message, timezone="UTC"))
    elapsed = time.process_time() - started
    await pool.close()
    return elapsed / turns * 1e6


def _round(src_root: Path, turns: int, dsn: str, user: str) -> float:
    env = {**os.environ, "PYTHONPATH": f"{src_root / 'src'}{os.pathsep}{src_root}{os.pathsep}{ROOT}"}
    code = f"import asyncio, bench.offline_turns as m; print(asyncio.run(m._measure({turns}, {dsn!r}, {user!r})))"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=src_root, capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.offline_turns", description=__doc__)
    parser.add_argument("--turns", type=int, default=2000, help="turns per round (default 2000)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per side (default 5)")
    parser.add_argument("--compare", type=Path, help="another checkout (with src/ and tests/) to alternate with")
    args = parser.parse_args(argv)
    from tests.postgres import create_database, start_cluster

    sides = {"this": ROOT} | ({"other": args.compare.resolve()} if args.compare else {})
    results: dict[str, list[float]] = {name: [] for name in sides}
    cluster = start_cluster()
    try:
        dsn = create_database(cluster.url).replace("postgresql+asyncpg://", "postgresql://")
        for index in range(args.rounds):
            order = list(sides.items()) if index % 2 == 0 else list(reversed(sides.items()))
            for name, root in order:
                results[name].append(_round(root, args.turns, dsn, f"{name}-{index}"))
    finally:
        cluster.stop()
    print(json.dumps({name: [round(v) for v in values] for name, values in results.items()}))
    for name, values in results.items():
        print(f"{name}: median {statistics.median(values):.0f} us CPU per turn (rounds: {[round(v) for v in values]})")
    if args.compare:
        ratio = statistics.median(results["this"]) / statistics.median(results["other"])
        print(f"this / other: {ratio:.2f}")


if __name__ == "__main__":
    main()

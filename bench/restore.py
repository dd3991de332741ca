"""``python -m bench.restore``: how long the runbook's backup and restore take for 100,000
tasks (1,000 users x 100 tasks, written with COPY by bench/seed.py).

A throwaway PostgreSQL with durability ON (fsync, synchronous commit: a restore pays for its
writes as in production), one database seeded and migrated; then, ``--rounds`` times:
``pg_dump -Fc`` of it, ``pg_restore`` into a new empty database, and the runbook's in-place
restore (``--clean --if-exists --single-transaction``) over a database holding the data.
Then the schema rollback with the data in place (``todo-chatbot migrate downgrade -1``,
then ``migrate`` again) and how long a server takes from start to ready on that database
(what an application rollback costs per instance). Prints a table and writes
bench/results/restore.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg
import httpx

from bench import seed
from bench.processes import free_port
from tests.postgres import PG_BIN, Cluster, create_database, start_cluster
from tests.runbook import libpq_url

RESULTS = Path(__file__).with_name("results")


def _durable(cluster: Cluster) -> None:
    """Restart the throwaway server with PostgreSQL's default durability (fsync on)."""
    cluster.pause()
    options = f"-p {cluster.port} -k {cluster.root} -c listen_addresses=127.0.0.1 -c max_connections=200"
    cluster.pg_ctl("-l", str(cluster.root / "log"), "-o", options, "-w", "-t", "60", "start")


def _timed(*command: str) -> float:
    started = time.perf_counter()
    subprocess.run([str(PG_BIN / command[0]), *command[1:]], check=True, capture_output=True)
    return time.perf_counter() - started


def _cli(url: str, *args: str, workdir: Path) -> float:
    env = {**os.environ, "DATABASE_URL": url, "AUTH_SIGNING_KEY_FILE": str(workdir / "key.pem")}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "entrypoints.cli", *args], env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def _start_to_ready(url: str, workdir: Path) -> float:
    """Seconds from ``todo-chatbot serve`` to its first 200 on /ready."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "AUTO_MIGRATE": "false", "PORT": str(port),
           "AUTH_SIGNING_KEY_FILE": str(workdir / "key.pem")}  # fmt: skip
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "entrypoints.cli", "serve"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        while time.perf_counter() - started < 60:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=1).status_code == 200:
                    return time.perf_counter() - started
            except httpx.HTTPError:
                pass
            time.sleep(0.02)
        raise TimeoutError("the server did not become ready within 60 s")
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(30)


async def _count(url: str) -> int:
    connection = await asyncpg.connect(libpq_url(url))
    try:
        return int(await connection.fetchval("SELECT count(*) FROM tasks"))
    finally:
        await connection.close()


async def _new_database(server_url: str) -> str:
    name = f"restore_{uuid.uuid4().hex[:8]}"
    connection = await asyncpg.connect(libpq_url(server_url))
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return server_url.rsplit("/", 1)[0] + f"/{name}"


def measure(rounds: int) -> dict[str, object]:
    cluster = start_cluster()
    try:
        _durable(cluster)
        source = create_database(cluster.url)
        seeded = asyncio.run(seed.seed(libpq_url(source), users=1000, per_user=100, big=0))
        dump = Path(tempfile.mkdtemp(prefix="todo-restore-")) / "todo.dump"
        dumps, fresh, in_place = [], [], []
        for _ in range(rounds):
            dumps.append(_timed("pg_dump", "--format=custom", f"--file={dump}", libpq_url(source)))
            target = asyncio.run(_new_database(cluster.url))
            into = f"--dbname={libpq_url(target)}"
            fresh.append(_timed("pg_restore", "--no-owner", "--exit-on-error", into, str(dump)))
            in_place.append(
                _timed("pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error",
                       into, str(dump))
            )  # fmt: skip
            assert asyncio.run(_count(target)) == seeded["tasks"]
        downgrades = [_cli(source, "migrate", "downgrade", "-1", workdir=dump.parent)]
        upgrades = [_cli(source, "migrate", workdir=dump.parent)]
        assert asyncio.run(_count(source)) == seeded["tasks"]
        starts = [_start_to_ready(source, dump.parent) for _ in range(rounds)]
        return {
            "tasks": seeded["tasks"],
            "task_tags": seeded["task_tags"],
            "dump_mib": dump.stat().st_size / 2**20,
            "pg_dump": statistics.median(dumps),
            "restore_new": statistics.median(fresh),
            "restore_in_place": statistics.median(in_place),
            "rounds": rounds,
            "downgrade": downgrades[0],
            "upgrade": upgrades[0],
            "start_to_ready": statistics.median(starts),
            "postgres": PG_BIN.parent.name,
        }
    finally:
        cluster.stop()


def report(figures: dict[str, object]) -> str:
    return "\n".join(
        [
            "# Backup and restore time (python -m bench.restore)",
            "",
            f"{figures['tasks']:,} tasks ({figures['task_tags']:,} tag rows) of 1,000 users; PostgreSQL "
            f"{figures['postgres']} with fsync on; dump {figures['dump_mib']:.1f} MiB; median of "
            f"{figures['rounds']} rounds, on this 2-core machine.",
            "",
            "| step | seconds |",
            "|---|---|",
            f"| `pg_dump --format=custom` | {figures['pg_dump']:.2f} |",
            f"| `pg_restore` into a new empty database | {figures['restore_new']:.2f} |",
            f"| `pg_restore --clean --if-exists --single-transaction` over the live database | "
            f"{figures['restore_in_place']:.2f} |",
            f"| `todo-chatbot migrate downgrade -1` with the data in place (CLI start included) | "
            f"{figures['downgrade']:.2f} |",
            f"| `todo-chatbot migrate` back to the head (CLI start included) | {figures['upgrade']:.2f} |",
            f"| `todo-chatbot serve` from start to its first 200 on `/ready` | {figures['start_to_ready']:.2f} |",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    text = report(measure(parser.parse_args().rounds))
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "restore.md").write_text(text)


if __name__ == "__main__":
    main()

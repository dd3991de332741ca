"""``python -m bench.restore``: how long the runbook's backup and restore take for 100,000
tasks (1,000 users x 100 tasks, written with COPY by bench/seed.py).

A throwaway PostgreSQL with durability ON (fsync, synchronous commit: a restore pays for its
writes as in production), one database seeded and migrated; then, ``--rounds`` times:
``pg_dump -Fc`` of it, ``pg_restore`` into a new empty database, and the runbook's in-place
restore (``--clean --if-exists --single-transaction``) over a database holding the data.
Prints a table and writes bench/results/restore.md.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg

from bench import seed
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
        return {
            "tasks": seeded["tasks"],
            "task_tags": seeded["task_tags"],
            "dump_mib": dump.stat().st_size / 2**20,
            "pg_dump": statistics.median(dumps),
            "restore_new": statistics.median(fresh),
            "restore_in_place": statistics.median(in_place),
            "rounds": rounds,
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

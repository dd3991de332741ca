"""The load generator: wrk with ``bench/rotate.lua`` (installed from Debian when missing
and possible), else ``bench.pyload`` in its own process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from bench.processes import Cores, Stack

LUA = Path(__file__).with_name("rotate.lua")


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: str = ""

    def line(self) -> str:
        headers = "\x1f".join(f"{name}: {value}" for name, value in self.headers.items())
        return f"{self.method}\t{self.path}\t{headers}\t{self.body}"


def write_requests(path: Path, requests: list[Request]) -> Path:
    path.write_text("".join(r.line() + "\n" for r in requests), encoding="utf-8")
    return path


@dataclass
class Result:
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @classmethod
    def parse(cls, output: str) -> Result:
        for line in output.splitlines():
            if line.startswith("BENCH_RESULT "):
                data = json.loads(line.removeprefix("BENCH_RESULT "))
                errors = sum(
                    data[k] for k in ("status_errors", "connect_errors", "read_errors", "write_errors", "timeouts")
                )
                return cls(
                    requests=data["requests"],
                    seconds=data["duration_us"] / 1e6,
                    errors=errors,
                    p50_ms=data["p50_us"] / 1000,
                    p90_ms=data["p90_us"] / 1000,
                    p99_ms=data["p99_us"] / 1000,
                    max_ms=data["max_us"] / 1000,
                )
        raise RuntimeError(f"load generator printed no result:\n{output[-2000:]}")


def ensure_wrk() -> str | None:
    """The wrk binary; installs Debian's package when missing and we are root. None: use Python."""
    found = shutil.which("wrk")
    if found or os.environ.get("BENCH_NO_WRK"):
        return None if os.environ.get("BENCH_NO_WRK") else found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk is missing: installing it from Debian (apt-get update; apt-get install -y wrk)", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, env=env, capture_output=True)
    return shutil.which("wrk")


class LoadGenerator:
    def __init__(self, stack: Stack, wrk: str | None) -> None:
        self._stack = stack
        self._wrk = wrk
        self._offset = 0

    @property
    def name(self) -> str:
        return "wrk (bench/rotate.lua)" if self._wrk else "Python asyncio client (bench/pyload.py)"

    def run(self, url: str, requests_file: Path, concurrency: int, seconds: float, offset: int | None = None) -> Result:
        """Requests of ``requests_file`` from ``offset`` on (by default, a new offset each run)."""
        self._offset += 997
        start = self._offset if offset is None else offset
        if self._wrk:
            threads = 1 if concurrency < 32 else 2
            command = [
                self._wrk,
                f"-t{threads}",
                f"-c{concurrency}",
                f"-d{max(1, round(seconds))}s",
                "--timeout",
                "10s",
                "-s",
                str(LUA),
                url,
                "--",
                str(requests_file),
                str(start),
            ]
        else:
            command = [
                sys.executable,
                "-m",
                "bench.pyload",
                url,
                str(requests_file),
                str(concurrency),
                str(seconds),
                str(start),
            ]
        process = subprocess.Popen(
            [*Cores.prefix(self._stack.cores.loadgen), *command],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._stack.loadgens.append(process)
        try:
            output, _ = process.communicate(timeout=seconds + 60)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            self._stack.loadgens.remove(process)
        return Result.parse(output.decode(errors="replace"))

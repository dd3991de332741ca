"""The real Prometheus (Debian's ``prometheus`` binary) on a free 127.0.0.1 port, scraping
one target every second, with a client of its HTTP API."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

from tests.e2e.server import free_port, stop

START_TIMEOUT = 30.0


@dataclass
class Prometheus:
    url: str
    log_file: Path

    def query(self, expr: str) -> list[dict[str, Any]]:
        """The result of an instant query (raises on an invalid expression)."""
        answer = httpx.get(f"{self.url}/api/v1/query", params={"query": expr}, timeout=10)
        body = answer.json()
        if body.get("status") != "success":
            raise AssertionError(f"{expr!r}: {body.get('error', body)}")
        result: list[dict[str, Any]] = body["data"]["result"]
        return result

    def wait_for(self, expr: str, seconds: float) -> list[dict[str, Any]]:
        """Poll an instant query until it returns a series (or the deadline passes)."""
        deadline = time.monotonic() + seconds
        while True:
            result = self.query(expr)
            if result or time.monotonic() > deadline:
                return result
            time.sleep(0.25)  # polling interval, bounded by the deadline

    def get(self, path: str) -> Any:
        return httpx.get(f"{self.url}{path}", timeout=10).json()["data"]


def _config(target: str, token: str, rules: Path) -> dict[str, Any]:
    return {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(rules)],
        "scrape_configs": [
            {
                "job_name": "todo-chatbot",
                "scrape_interval": "1s",
                "scrape_timeout": "1s",
                "authorization": {"type": "Bearer", "credentials": token},
                "static_configs": [{"targets": [target]}],
            }
        ],
    }


@contextmanager
def run_prometheus(workdir: Path, target: str, token: str, rules: Path) -> Iterator[Prometheus]:
    """Prometheus scraping ``target`` (host:port) with ``token``, the ``rules`` loaded."""
    binary = shutil.which("prometheus")
    if binary is None:
        raise RuntimeError("prometheus is missing: install Debian's prometheus package (scripts/test.sh does)")
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / "prometheus.yml"
    config.write_text(yaml.safe_dump(_config(target, token, rules)))
    url = f"http://127.0.0.1:{free_port()}"
    log_file = workdir / "prometheus.log"
    command = [
        binary,
        f"--config.file={config}",
        f"--storage.tsdb.path={workdir / 'data'}",
        f"--web.listen-address={url.removeprefix('http://')}",
        "--log.level=warn",
    ]
    with log_file.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _ready(url):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"prometheus did not start:\n{log_file.read_text()[-3000:]}")
            time.sleep(0.1)  # polling interval, bounded by the deadline
        yield Prometheus(url, log_file)
    finally:
        stop(process)


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/-/ready", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False

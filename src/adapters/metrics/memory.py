"""How much memory this process may use: its container's cgroup limit, else the machine's."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

_CGROUP_LIMITS = (
    Path("/sys/fs/cgroup/memory.max"),  # cgroup v2 (the container's own hierarchy)
    Path("/sys/fs/cgroup/memory/memory.limit_in_bytes"),  # cgroup v1
)
_MEMINFO = Path("/proc/meminfo")


def _read_limit(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None  # "max": no limit


def _machine_memory(meminfo: Path) -> int | None:
    try:
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def memory_limit_bytes(limits: tuple[Path, ...] = _CGROUP_LIMITS, meminfo: Path = _MEMINFO) -> int | None:
    """The smallest of the cgroup limit (an unlimited cgroup reads as a huge number) and the
    machine's memory; None where neither can be read (not Linux)."""
    found = [value for value in (*(_read_limit(path) for path in limits), _machine_memory(meminfo)) if value]
    return min(found) if found else None


class MemoryLimitCollector(Collector):
    """``todo_memory_limit_bytes``: the denominator of the memory alert on the process's own
    ``process_resident_memory_bytes`` (no cAdvisor needed)."""

    def __init__(self, read_limit: Callable[[], int | None] = memory_limit_bytes) -> None:
        self._limit = read_limit()  # read once: a container's limit is set when it starts

    def collect(self) -> Iterator[GaugeMetricFamily]:
        if self._limit is not None:
            yield GaugeMetricFamily(
                "todo_memory_limit_bytes",
                "Memory this process may use: its cgroup limit, else the machine's memory.",
                value=self._limit,
            )

"""The prometheus-client adapter of the metrics port: names and labels of api.md, every
labelled series present from the start, the pool read at scrape time, the memory limit."""

from __future__ import annotations

from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest

from adapters.metrics import PrometheusMetrics
from adapters.metrics.memory import MemoryLimitCollector, memory_limit_bytes
from application.metrics import PoolUsage


def scrape(metrics: PrometheusMetrics) -> dict[str, float]:
    """Each sample line as ``name{labels}`` -> value."""
    samples: dict[str, float] = {}
    for line in generate_latest(metrics.registry).decode().splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            samples[name] = float(value)
    return samples


def test_every_labelled_series_exists_at_zero_before_any_event() -> None:
    metrics_registry = CollectorRegistry()
    samples = scrape(PrometheusMetrics(metrics_registry, "1.2.3"))
    assert samples['todo_build_info{version="1.2.3"}'] == 1
    for operation in ("create", "update", "complete", "toggle", "delete", "restore"):
        assert samples[f'todo_task_operations_total{{operation="{operation}"}}'] == 0
    for agent in ("offline", "openai"):
        for outcome in ("ok", "error", "unavailable"):
            assert samples[f'todo_chat_turns_total{{agent="{agent}",outcome="{outcome}"}}'] == 0
    for limit in ("ip", "chat", "sign_in"):
        assert samples[f'todo_rate_limited_total{{limit="{limit}"}}'] == 0
    for name in (
        "todo_model_request_duration_seconds_count",
        "todo_model_failures_total",
        "todo_circuit_breaker_open",
        "todo_db_errors_total",
        "todo_rate_limit_store_errors_total",
    ):
        assert samples[name] == 0
    assert samples["process_start_time_seconds"] > 0
    assert samples["process_resident_memory_bytes"] > 0
    assert samples["todo_memory_limit_bytes"] > 0
    assert not any(name.endswith("_created") for name in samples)
    assert "todo_db_pool_waiting" not in samples  # no pool watched yet: no sample, only the family
    assert "# TYPE todo_db_pool_waiting gauge" in generate_latest(metrics_registry).decode()


def test_each_port_call_moves_its_series() -> None:
    metrics = PrometheusMetrics(CollectorRegistry(), "dev")
    metrics.task_changed("toggle")
    metrics.task_changed("toggle")
    metrics.chat_turn("offline", "unavailable")
    metrics.model_call(0.3, failed=False)
    metrics.model_call(12.0, failed=True)
    metrics.circuit_breaker(True)
    metrics.rate_limited("sign_in")
    metrics.rate_limit_store_error()
    metrics.database_error()
    samples = scrape(metrics)

    assert samples['todo_task_operations_total{operation="toggle"}'] == 2
    assert samples['todo_chat_turns_total{agent="offline",outcome="unavailable"}'] == 1
    assert samples["todo_model_request_duration_seconds_count"] == 2
    assert samples['todo_model_request_duration_seconds_bucket{le="0.5"}'] == 1
    assert samples["todo_model_failures_total"] == 1
    assert samples["todo_circuit_breaker_open"] == 1
    assert samples['todo_rate_limited_total{limit="sign_in"}'] == 1
    assert samples["todo_rate_limit_store_errors_total"] == 1
    assert samples["todo_db_errors_total"] == 1
    metrics.circuit_breaker(False)
    assert scrape(metrics)["todo_circuit_breaker_open"] == 0


def test_the_pool_is_read_when_scraped() -> None:
    metrics = PrometheusMetrics(CollectorRegistry(), "dev")
    usage = [PoolUsage(in_use=3, idle=7, waiting=0)]
    metrics.watch_pool(lambda: usage[-1])
    samples = scrape(metrics)
    assert samples['todo_db_pool_connections{state="in_use"}'] == 3
    assert samples['todo_db_pool_connections{state="idle"}'] == 7
    assert samples["todo_db_pool_waiting"] == 0
    usage.append(PoolUsage(in_use=10, idle=0, waiting=4))
    assert scrape(metrics)["todo_db_pool_waiting"] == 4


def test_the_memory_limit_is_the_smaller_of_the_cgroup_limit_and_the_machine(tmp_path: Path) -> None:
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:        2048000 kB\nMemFree:  1000 kB\n")
    v2, v1 = tmp_path / "memory.max", tmp_path / "limit_in_bytes"
    v2.write_text("536870912\n")
    assert memory_limit_bytes((v2, v1), meminfo) == 536870912
    v2.write_text("max\n")  # no limit in cgroup v2
    v1.write_text("9223372036854771712\n")  # "no limit" in cgroup v1
    assert memory_limit_bytes((v2, v1), meminfo) == 2048000 * 1024
    assert memory_limit_bytes((tmp_path / "none",), tmp_path / "none") is None
    assert list(MemoryLimitCollector(lambda: None).collect()) == []  # not Linux: no series
    [family] = MemoryLimitCollector(lambda: 1024).collect()
    assert (family.name, family.samples[0].value) == ("todo_memory_limit_bytes", 1024)

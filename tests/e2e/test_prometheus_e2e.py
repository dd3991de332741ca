"""The real Prometheus scrapes the real server (with a token) while it serves tasks, chat, a
404, a 429 and a 503 (its database stopped for a moment); then every dashboard panel and
the left-hand side of every alert on the server's own metrics return data through
Prometheus' HTTP API, and the rules are loaded and evaluated."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.prometheus import Prometheus, run_prometheus
from tests.e2e.server import RunningServer, free_port, run_server
from tests.observability import OWN_GROUP, RULES, alert_groups, left_hand_side, panel_queries
from tests.postgres import Cluster, create_database, start_cluster

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

TOKEN = "e2e-metrics-token-0123456789"
DEADLINE = 20.0


def _poll_status(method: str, url: str, status: int, seconds: float, **kwargs: object) -> httpx.Response:
    deadline = time.monotonic() + seconds
    while True:
        response = httpx.request(method, url, timeout=5, **kwargs)  # type: ignore[arg-type]
        if response.status_code == status or time.monotonic() > deadline:
            return response
        time.sleep(0.1)  # polling interval, bounded by the deadline


def _drive(server: RunningServer, cluster: Cluster) -> None:
    auth = server.auth("pat")
    api = f"{server.url}/api/pat"
    assert httpx.post(f"{api}/tasks", json={"title": "water plants"}, headers=auth).status_code == 201
    assert httpx.post(f"{api}/tasks", json={"title": "call mum"}, headers=auth).status_code == 201
    assert httpx.get(f"{api}/tasks", headers=auth).status_code == 200
    assert httpx.patch(f"{api}/tasks/1", json={"priority": "high"}, headers=auth).status_code == 200
    assert httpx.patch(f"{api}/tasks/1/complete", headers=auth).status_code == 200
    assert httpx.delete(f"{api}/tasks/2", headers=auth).status_code == 204
    assert httpx.post(f"{api}/tasks/2/restore", headers=auth).status_code == 200
    for message in ("add buy bread", "what's on my list?"):
        assert httpx.post(f"{api}/chat", json={"message": message}, headers=auth, timeout=10).status_code == 200
    limited = httpx.post(f"{api}/chat", json={"message": "one more"}, headers=auth)
    assert limited.status_code == 429
    assert httpx.get(f"{server.url}/no/such/page").status_code == 404

    cluster.pause()
    try:
        assert _poll_status("GET", f"{api}/tasks", 503, 10, headers=auth).status_code == 503
    finally:
        cluster.resume()
    assert _poll_status("GET", f"{api}/tasks", 200, 20, headers=auth).status_code == 200


@pytest.fixture(scope="module")
def scraped() -> Iterator[Prometheus]:
    """A server with its own database (stopped for a moment), a token and a chat limit of 2,
    scraped by Prometheus every second, after the traffic. Prometheus starts first: it takes
    its first scrape about 5 s after start (its discovery throttle), meanwhile the rest starts."""
    workdir = Path(tempfile.mkdtemp(prefix="todo-prometheus-"))
    port = free_port()
    with run_prometheus(workdir / "prometheus", f"127.0.0.1:{port}", TOKEN, RULES) as prometheus:
        cluster = start_cluster()
        try:
            env = {"METRICS_TOKEN": TOKEN, "CHAT_RATE_LIMIT": "2", "AUTO_MIGRATE": "false"}
            with run_server(workdir, create_database(cluster.url), port, **env) as server:
                _drive(server, cluster)
                # Rates need two samples of the newest series (the 503 appeared last).
                ready = 'count_over_time(http_requests_total{job="todo-chatbot",status="503"}[1m]) >= 2'
                assert prometheus.wait_for(ready, DEADLINE), prometheus.log_file.read_text()[-2000:]
                yield prometheus
        finally:
            cluster.stop()
    shutil.rmtree(workdir, ignore_errors=True)


def _value(prometheus: Prometheus, expr: str) -> float:
    result = prometheus.query(expr)
    assert len(result) == 1, (expr, result)
    return float(result[0]["value"][1])


def test_the_target_is_scraped_with_the_token(scraped: Prometheus) -> None:
    [target] = scraped.get("/api/v1/targets")["activeTargets"]
    assert (target["health"], target["labels"]["job"]) == ("up", "todo-chatbot")


def test_the_traffic_shows_in_the_series(scraped: Prometheus) -> None:
    job = 'job="todo-chatbot"'
    assert _value(scraped, f'sum(http_requests_total{{{job},route="<unmatched>",status="404"}})') >= 1
    assert _value(scraped, f'sum(http_requests_total{{{job},route="/api/{{user_id}}/chat",status="429"}})') == 1
    assert _value(scraped, f'sum(http_requests_total{{{job},route="/api/{{user_id}}/tasks",status="503"}})') >= 1
    assert _value(scraped, f'todo_rate_limited_total{{{job},limit="chat"}}') == 1
    assert _value(scraped, f'todo_chat_turns_total{{{job},agent="offline",outcome="ok"}}') == 2
    assert _value(scraped, f"todo_db_errors_total{{{job}}}") >= 1
    assert _value(scraped, f"max(todo_active_users{{{job}}})") == 1
    for operation, count in {"create": 3, "update": 1, "toggle": 1, "delete": 1, "restore": 1}.items():
        assert _value(scraped, f'todo_task_operations_total{{{job},operation="{operation}"}}') == count
    series = httpx.get(f"{scraped.url}/api/v1/series", params={"match[]": '{job="todo-chatbot"}'}).json()["data"]
    assert len(series) > 100
    assert not [labels for labels in series if any("pat" in value for value in labels.values())]  # no user id


def test_every_panel_returns_data(scraped: Prometheus) -> None:
    empty = [(title, expr) for title, expr in panel_queries() if not scraped.wait_for(expr, 5)]
    assert not empty


def test_the_left_hand_side_of_every_own_alert_returns_data(scraped: Prometheus) -> None:
    rules = alert_groups()[OWN_GROUP]
    empty = [rule["alert"] for rule in rules if not scraped.wait_for(left_hand_side(rule["expr"]), 5)]
    assert not empty


def test_every_rule_is_loaded_and_evaluated(scraped: Prometheus) -> None:
    expected = {rule["alert"] for rules in alert_groups().values() for rule in rules}
    deadline = time.monotonic() + DEADLINE
    while True:
        groups = scraped.get("/api/v1/rules")["groups"]
        health = {rule["name"]: rule["health"] for group in groups for rule in group["rules"]}
        if (set(health) == expected and set(health.values()) == {"ok"}) or time.monotonic() > deadline:
            break
        time.sleep(0.25)  # polling interval, bounded by the deadline
    assert health == dict.fromkeys(expected, "ok")

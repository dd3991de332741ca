"""Request metrics: labels by route template (never a raw path), unknown methods folded,
active users over a five-minute window, and the ASGI wrapper that records each answer."""

from __future__ import annotations

from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from entrypoints.http.edge import Edge
from entrypoints.http.request_metrics import RequestMetrics, route_template
from entrypoints.origins import HostRules


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def exposition(metrics: RequestMetrics) -> str:
    return metrics.render()


def sample(text: str, line_start: str) -> float:
    found = [line for line in text.splitlines() if line.startswith(line_start + " ")]
    assert len(found) == 1, (line_start, text)
    return float(found[0].rsplit(" ", 1)[1])


def test_requests_count_by_method_route_and_status_and_time_by_method_and_route() -> None:
    metrics = RequestMetrics()
    metrics.record("GET", "/api/{user_id}/tasks", 200, 0.004, "alice")
    metrics.record("GET", "/api/{user_id}/tasks", 200, 0.6, "bob")
    metrics.record("GET", "/api/{user_id}/tasks", 503, 0.002, "alice")
    metrics.record("GET", None, 404, 0.001, None)
    text = exposition(metrics)

    route = 'method="GET",route="/api/{user_id}/tasks"'
    assert sample(text, f'http_requests_total{{{route},status="200"}}') == 2
    assert sample(text, f'http_requests_total{{{route},status="503"}}') == 1
    assert sample(text, 'http_requests_total{method="GET",route="<unmatched>",status="404"}') == 1
    assert sample(text, f"http_request_duration_seconds_count{{{route}}}") == 3
    assert sample(text, f'http_request_duration_seconds_bucket{{{route},le="0.5"}}') == 2
    assert sample(text, f'http_request_duration_seconds_bucket{{{route},le="1.0"}}') == 3
    assert sample(text, "todo_active_users") == 2
    assert "alice" not in text and "bob" not in text


def test_the_text_is_valid_exposition_with_cumulative_buckets() -> None:
    metrics = RequestMetrics()
    for seconds in (0.0005, 0.001, 0.003, 0.2, 0.5, 12.0):
        metrics.record("GET", '/odd/"quoted"\\path', 200, seconds, None)
    families = {family.name: family for family in text_string_to_metric_families(metrics.render())}
    assert set(families) == {"http_requests", "http_request_duration_seconds", "todo_active_users"}
    assert [f.type for f in families.values()] == ["counter", "histogram", "gauge"]
    histogram = families["http_request_duration_seconds"].samples
    buckets = [(s.labels["le"], s.value) for s in histogram if s.name.endswith("_bucket")]
    assert buckets[0] == ("0.001", 2)  # a bound is inclusive (le)
    assert ("0.5", 5) in buckets and buckets[-1] == ("+Inf", 6)
    counts = [value for _, value in buckets]
    assert counts == sorted(counts)
    [total] = [s for s in families["http_requests"].samples if s.name == "http_requests_total"]
    assert total.labels["route"] == '/odd/"quoted"\\path' and total.value == 6


def test_a_method_outside_the_known_set_is_one_label() -> None:
    metrics = RequestMetrics()
    for method in ("FOO", "BAR", "PROPFIND"):
        metrics.record(method, None, 405, 0.001, None)
    text = exposition(metrics)
    assert sample(text, 'http_requests_total{method="other",route="<unmatched>",status="405"}') == 3
    assert "FOO" not in text


def test_active_users_are_those_seen_in_the_last_five_minutes() -> None:
    clock = Clock()
    metrics = RequestMetrics(clock=clock)
    metrics.record("GET", "/x", 200, 0.001, "alice")
    clock.now += 200
    metrics.record("GET", "/x", 200, 0.001, "bob")
    metrics.record("GET", "/x", 200, 0.001, "bob")
    assert metrics.active_users() == 2
    clock.now += 101
    assert metrics.active_users() == 1
    clock.now += 300
    assert metrics.active_users() == 0


def test_a_crowd_of_users_is_pruned_without_a_scan_per_request(monkeypatch: pytest.MonkeyPatch) -> None:
    from entrypoints.http import request_metrics

    monkeypatch.setattr(request_metrics, "_PRUNE_ABOVE", 10)
    clock = Clock()
    metrics = RequestMetrics(clock=clock)
    for number in range(11):
        metrics.record("GET", "/x", 200, 0.001, f"old-{number}")
    assert metrics._prune_above == 22  # all 11 recent: no scan again before the map doubles
    clock.now += 301
    for number in range(12):
        metrics.record("GET", "/x", 200, 0.001, f"new-{number}")
    assert sorted(metrics._seen) == sorted(f"new-{number}" for number in range(12))  # the old ones went
    assert metrics.active_users() == 12


class Handler:
    def __init__(self, *paths: str) -> None:
        self.paths = set(paths)


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        ({"route_handler": Handler("/tasks"), "path_template": "/api/{user_id}/tasks"}, "/api/{user_id}/tasks"),
        ({"route_handler": Handler("/mcp"), "path_template": ""}, "/mcp"),
        ({"route_handler": Handler("/{path:str}"), "path_template": "/openapi.json/{path}"}, None),
        ({"path_template": "/api/{user_id}/tasks"}, None),
        ({}, None),
    ],
)
def test_the_route_label_is_the_template_after_routing(scope: dict[str, Any], expected: str | None) -> None:
    assert route_template(scope) == expected


def _edge(app: Any, metrics: RequestMetrics) -> Edge:
    """The outer HTTP layer with the request metrics as its observer, as ``create_app`` wires it."""
    return Edge(app, HostRules(["*"]), [metrics.observe])


async def _call(edge: Edge, scope: dict[str, Any]) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        sent.append(message)

    await edge({"headers": [], **scope}, receive, send)
    return sent


async def test_the_outer_layer_records_each_answer_with_its_route_and_user() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        scope["route_handler"], scope["path_template"], scope["user_id"] = Handler("/t"), "/api/{user_id}/t", "u1"
        await send({"type": "http.response.start", "status": 201, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    metrics = RequestMetrics()
    sent = await _call(_edge(app, metrics), {"type": "http", "method": "POST", "path": "/api/u1/t"})
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    text = exposition(metrics)
    assert sample(text, 'http_requests_total{method="POST",route="/api/{user_id}/t",status="201"}') == 1
    assert sample(text, "todo_active_users") == 1


async def test_an_app_that_fails_before_answering_counts_as_a_500() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise RuntimeError("boom")

    metrics = RequestMetrics()
    with pytest.raises(RuntimeError):
        await _call(_edge(app, metrics), {"type": "http", "method": "GET", "path": "/x"})
    assert sample(exposition(metrics), 'http_requests_total{method="GET",route="<unmatched>",status="500"}') == 1


async def test_other_scopes_pass_through_unrecorded() -> None:
    seen: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["type"])

    metrics = RequestMetrics()
    await _call(_edge(app, metrics), {"type": "websocket", "path": "/ws"})
    assert seen == ["websocket"]
    assert "http_requests_total{" not in exposition(metrics)

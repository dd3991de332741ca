"""The Grafana dashboard: a well-formed JSON model whose panels, like the alert rules of the
server's own group, read only metrics the server exports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from litestar.testing import AsyncTestClient

from entrypoints.http.app import create_app
from tests.http_support import PUBLIC_URL, make_settings
from tests.observability import (
    EXPORTER_PREFIXES,
    OWN_GROUP,
    ROOT,
    alert_groups,
    dashboard,
    left_hand_side,
    metric_names,
    panel_queries,
)

PANEL_TYPES = {"timeseries", "stat", "bargauge", "table"}
CHECKLIST = (
    "request rate", "error rate", "p50", "p95", "p99", "database connections", "active users", "task operations",
)  # fmt: skip


async def exported_names(tmp_path: Path) -> set[str]:
    """Every sample name of a scrape of the real app (SQLite storage, so the pool is there)."""
    app = create_app(make_settings(tmp_path))
    async with AsyncTestClient(app=app, base_url=PUBLIC_URL) as client:
        await client.get("/health")
        text = (await client.get("/metrics")).text
    return {line.split("{")[0].split(" ")[0] for line in text.splitlines() if line and not line.startswith("#")}


def test_the_json_model_is_well_formed() -> None:
    model = dashboard()
    assert (model["uid"], model["title"]) == ("todo-chatbot", "Todo Chatbot")
    assert isinstance(model["schemaVersion"], int)
    variables = {v["name"]: v for v in model["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    assert variables["job"]["current"]["value"] == "todo-chatbot"
    panels = model["panels"]
    assert len({p["id"] for p in panels}) == len(panels)
    for panel in panels:
        grid = panel["gridPos"]
        assert grid["x"] >= 0 and grid["x"] + grid["w"] <= 24 and grid["h"] > 0, panel["title"]
        if panel["type"] == "row":
            continue
        assert panel["type"] in PANEL_TYPES, panel["title"]
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
        refs = [t["refId"] for t in panel["targets"]]
        assert refs and len(set(refs)) == len(refs), panel["title"]
        assert all(t["expr"].strip() for t in panel["targets"])


def test_the_checklists_panels_are_there() -> None:
    text = " ".join(title.lower() for title, _ in panel_queries())
    for wanted in CHECKLIST:
        assert wanted in text, wanted


async def test_panels_and_own_alerts_read_only_exported_metrics(tmp_path: Path) -> None:
    exported = await exported_names(tmp_path)
    read: dict[str, str] = {}
    for title, expr in panel_queries():
        read.update(dict.fromkeys(metric_names(expr), title))
    for rule in alert_groups()[OWN_GROUP]:
        read.update(dict.fromkeys(metric_names(left_hand_side(rule["expr"])), rule["alert"]))
    missing = {name: where for name, where in read.items() if name not in exported}
    assert not missing
    assert len(read) >= 15


def test_the_exporters_alerts_read_only_exporter_metrics() -> None:
    for group, rules in alert_groups().items():
        if group == OWN_GROUP:
            continue
        for rule in rules:
            names = metric_names(rule["expr"])
            assert names and all(name.startswith(EXPORTER_PREFIXES) for name in names), rule["alert"]


def test_the_provisioning_files_point_at_the_dashboard() -> None:
    provisioning = ROOT / "deploy" / "grafana" / "provisioning"
    datasources: dict[str, Any] = yaml.safe_load((provisioning / "datasources" / "prometheus.yml").read_text())
    assert [d["type"] for d in datasources["datasources"]] == ["prometheus"]
    providers: dict[str, Any] = yaml.safe_load((provisioning / "dashboards" / "todo-chatbot.yml").read_text())
    [provider] = providers["providers"]
    assert provider["type"] == "file" and provider["options"]["path"] == "/var/lib/grafana/dashboards"

"""The dashboard's and the alert rules' expressions, for the tests that check them."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
DASHBOARD = ROOT / "deploy" / "grafana" / "todo-chatbot.json"
RULES = ROOT / "deploy" / "prometheus" / "alerts.yml"
OWN_GROUP = "todo-chatbot"
EXPORTER_PREFIXES = ("node_", "container_", "kube_")

_METRIC = re.compile(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{")
_THRESHOLD = re.compile(r"\s*(>|>=|<|<=|==|!=)\s*[0-9.e+-]+\s*$")


def dashboard() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DASHBOARD.read_text())
    return loaded


def panel_queries(
    job: str = "todo-chatbot", rate_interval: str = "1m", time_range: str = "1m"
) -> list[tuple[str, str]]:
    """(panel title, expression) of every panel target, Grafana's variables filled in."""
    found = []
    for panel in dashboard()["panels"]:
        for target in panel.get("targets", []):
            expr = target["expr"].replace("$job", job).replace("$__rate_interval", rate_interval)
            found.append((panel["title"], expr.replace("$__range", time_range)))
    return found


def alert_groups() -> dict[str, list[dict[str, Any]]]:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    return {group["name"]: group["rules"] for group in groups}


def left_hand_side(expr: str) -> str:
    """The expression without its final threshold (``a / b > 0.05`` -> ``a / b``)."""
    stripped, count = _THRESHOLD.subn("", expr.strip())
    assert count == 1, f"no final threshold in {expr!r}"
    return stripped


def metric_names(expr: str) -> set[str]:
    """The metrics an expression selects (every selector carries braces in these files)."""
    return set(_METRIC.findall(expr))

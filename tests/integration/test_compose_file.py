"""compose.yaml as Docker Compose reads it (Debian's docker-compose resolves and validates
it offline), holding the deployment checklist's values."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy_files import (
    REPO,
    SECRET_FILE_VARIABLES,
    SECRET_VARIABLES,
    compose_config,
    healthcheck_command,
    parsed_compose,
)
from tests.nginx import TEMPLATE, VARIABLES

ENVIRONMENT = {"PUBLIC_URL": "https://todo.example.com", "ALLOWED_HOSTS": "todo.example.com,api.example.com"}
OBSERVABILITY_FILES = ("deploy/prometheus/", "deploy/grafana/")


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return parsed_compose(tmp_path_factory.mktemp("compose") / "empty.env", **ENVIRONMENT)


@pytest.fixture(scope="module")
def services(config: dict[str, Any]) -> dict[str, Any]:
    return config["services"]  # type: ignore[no-any-return]


def _bind_mounts(service: dict[str, Any]) -> dict[str, str]:
    """Container path -> host path of the service's bind mounts."""
    mounts = {}
    for volume in service.get("volumes", []):
        source, target, *_ = volume.split(":")
        if source.startswith("/"):
            mounts[target] = source
    return mounts


def test_public_url_must_come_from_the_environment(tmp_path: Path) -> None:
    result = compose_config(tmp_path / "empty.env")
    assert result.returncode != 0
    assert "PUBLIC_URL" in result.stderr


def test_services_and_profiles(services: dict[str, Any]) -> None:
    assert set(services) == {"db", "redis", "migrate", "app", "proxy", "prometheus", "grafana"}
    assert services["proxy"]["profiles"] == ["proxy"]
    assert services["prometheus"]["profiles"] == services["grafana"]["profiles"] == ["monitoring"]
    assert all("profiles" not in services[name] for name in ("db", "redis", "migrate", "app"))


def test_database_is_checked_every_10_seconds(services: dict[str, Any]) -> None:
    db = services["db"]
    assert db["healthcheck"]["test"][-1].startswith("pg_isready")
    assert db["healthcheck"]["interval"] == "10s"
    assert db["restart"] == "unless-stopped"
    assert db["environment"]["POSTGRES_PASSWORD_FILE"] == "/run/secrets/db_password"
    assert "POSTGRES_PASSWORD" not in db["environment"]


def test_migrations_run_once_before_the_app(services: dict[str, Any]) -> None:
    migrate, app = services["migrate"], services["app"]
    assert migrate["command"] == ["todo-chatbot", "migrate"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"
    assert app["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert app["depends_on"]["redis"]["condition"] == "service_healthy"
    assert app["environment"]["AUTO_MIGRATE"] == "false"
    assert migrate["image"] == app["image"]


def test_app_health_restart_and_resources(services: dict[str, Any]) -> None:
    app = services["app"]
    check = app["healthcheck"]
    assert check["interval"] == "30s"
    _, image_command = healthcheck_command()
    assert check["test"][:3] == ["CMD", "python", "-c"]
    assert image_command == f'python -c "{check["test"][3]}"'  # the image's own check, every 30 s
    assert "/health" in check["test"][3]
    assert app["restart"] == "unless-stopped"
    resources = app["deploy"]["resources"]
    assert resources["limits"]["memory"] == "512M"
    assert float(resources["limits"]["cpus"]) == 0.5
    assert resources["reservations"]["memory"] == "256M"
    assert float(resources["reservations"]["cpus"]) == 0.25
    assert app["read_only"] is True
    assert app["tmpfs"] == ["/tmp"]
    assert app["cap_drop"] == ["ALL"]


@pytest.mark.parametrize("name", ["app", "migrate"])
def test_secrets_are_docker_secrets_read_from_files(config: dict[str, Any], name: str) -> None:
    service = config["services"][name]
    environment = service["environment"]
    mounted = {secret["source"] for secret in service["secrets"]}
    files = {key: value for key, value in environment.items() if key.endswith("_FILE")}
    assert set(files) == SECRET_FILE_VARIABLES
    for variable, path in files.items():
        source = path.removeprefix("/run/secrets/")
        assert source in mounted, variable
        assert Path(config["secrets"][source]["file"]).parent == REPO / "secrets"
    assert not SECRET_VARIABLES & set(environment)  # never a secret's value in the environment
    assert environment["PUBLIC_URL"] == ENVIRONMENT["PUBLIC_URL"]
    assert environment["ALLOWED_HOSTS"] == ENVIRONMENT["ALLOWED_HOSTS"]
    assert environment["APP_ENV"] == "production"


def test_secret_files_stay_out_of_git_and_the_image() -> None:
    assert "secrets/" in (REPO / ".gitignore").read_text().split()
    assert "secrets" in (REPO / ".dockerignore").read_text().split()


def test_proxy_renders_the_template_with_every_variable(config: dict[str, Any]) -> None:
    proxy, app = config["services"]["proxy"], config["services"]["app"]
    mounts = _bind_mounts(proxy)
    assert mounts["/etc/nginx/templates/todo-chatbot.conf.template"] == str(TEMPLATE)
    used = set(re.findall(r"\$\{(\w+)\}", TEMPLATE.read_text().split("\nupstream", 1)[1]))
    assert used == set(VARIABLES)
    environment = proxy["environment"]
    assert set(environment) - {"NGINX_ENVSUBST_FILTER"} == used
    only_ours = re.compile(environment["NGINX_ENVSUBST_FILTER"].replace("$$", "$"))
    assert all(only_ours.search(name) for name in used)
    assert not any(only_ours.search(name) for name in ("PATH", "HOSTNAME", "HOME"))
    assert environment["PUBLIC_URL"] == ENVIRONMENT["PUBLIC_URL"]
    assert proxy["depends_on"]["app"]["condition"] == "service_healthy"
    assert "server app:8000" in environment["NGINX_UPSTREAM_SERVERS"]
    # The app believes X-Forwarded-* from the bundled proxy's fixed address, and only from it.
    proxy_address = proxy["networks"]["default"]["ipv4_address"]
    assert app["environment"]["TRUSTED_PROXIES"] == proxy_address
    (network,) = config["networks"]["default"]["ipam"]["config"]
    assert ipaddress.ip_address(proxy_address) in ipaddress.ip_network(network["subnet"])


def test_monitoring_has_the_rules_the_token_and_the_dashboard(services: dict[str, Any]) -> None:
    prometheus, grafana = services["prometheus"], services["grafana"]
    mounts = _bind_mounts(prometheus)
    assert mounts["/etc/prometheus/alerts.yml"] == str(REPO / "deploy/prometheus/alerts.yml")
    assert mounts["/etc/prometheus/prometheus.yml"] == str(REPO / "deploy/prometheus/prometheus.yml")
    assert {"source": "metrics_token", "target": "/etc/prometheus/secrets/metrics-token"} in prometheus["secrets"]
    grafana_mounts = _bind_mounts(grafana)
    assert grafana_mounts["/etc/grafana/provisioning"] == str(REPO / "deploy/grafana/provisioning")
    dashboard = "/var/lib/grafana/dashboards/todo-chatbot.json"
    assert grafana_mounts[dashboard] == str(REPO / "deploy/grafana/todo-chatbot.json")
    assert grafana["environment"]["GF_SECURITY_ADMIN_PASSWORD__FILE"] == "/run/secrets/grafana_admin_password"


def test_every_mounted_repository_file_exists(services: dict[str, Any]) -> None:
    sources = {source for service in services.values() for source in _bind_mounts(service).values()}
    missing = sorted(str(Path(s).relative_to(REPO)) for s in sources if not Path(s).exists())
    assert [path for path in missing if not path.startswith(OBSERVABILITY_FILES)] == []
    if missing:
        pytest.skip(f"the observability work brings {missing}")


def test_prometheus_scrapes_the_app_with_the_token(services: dict[str, Any]) -> None:
    path = REPO / "deploy/prometheus/prometheus.yml"
    if not path.exists():
        pytest.skip("deploy/prometheus/prometheus.yml comes with the observability work")
    scrape = yaml.safe_load(path.read_text())
    (job,) = [job for job in scrape["scrape_configs"] if job["job_name"] == "todo-chatbot"]
    targets = [target for group in job["static_configs"] for target in group["targets"]]
    aliases = services["app"]["networks"]["default"]["aliases"]
    assert all(target.split(":")[0] in aliases and target.endswith(":8000") for target in targets)
    assert job["authorization"]["credentials_file"] == "/etc/prometheus/secrets/metrics-token"
    assert "alerts.yml" in scrape["rule_files"]

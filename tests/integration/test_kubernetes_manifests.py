"""The Kubernetes manifests of deploy/k8s: valid for a pinned Kubernetes version (strict
schemas, kubernetes-validate) and holding the deployment checklist's values."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from tests.deploy_files import SECRET_FILE_VARIABLES, SECRET_VARIABLES

KUBERNETES_VERSION = "1.33.0"
K8S = Path(__file__).resolve().parents[2] / "deploy" / "k8s"


def _documents() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(K8S.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        for document in yaml.safe_load_all(path.read_text()):
            found[document["kind"]] = document
    return found


DOCUMENTS = _documents()


def _pod_spec(kind: str) -> dict[str, Any]:
    spec = DOCUMENTS[kind]["spec"]
    if kind == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return spec["template"]["spec"]  # type: ignore[no-any-return]


def _env(container: dict[str, Any]) -> dict[str, str]:
    return {item["name"]: item["value"] for item in container.get("env", [])}


def test_every_kind_the_checklist_asks_for_is_there() -> None:
    assert set(DOCUMENTS) == {
        "ConfigMap", "Deployment", "Service", "Job", "CronJob", "HorizontalPodAutoscaler", "PodDisruptionBudget"
    }  # fmt: skip
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    assert {path.name for path in K8S.glob("*.yaml")} - set(kustomization["resources"]) == {
        "kustomization.yaml", "migrate-job.yaml"  # a Job cannot change in place: applied per release
    }  # fmt: skip


@pytest.mark.parametrize("kind", sorted(DOCUMENTS))
def test_manifest_is_valid_for_the_pinned_kubernetes(kind: str) -> None:
    kubernetes_validate.validate(DOCUMENTS[kind], KUBERNETES_VERSION, strict=True)


def test_the_validator_rejects_a_broken_manifest() -> None:
    broken = copy.deepcopy(DOCUMENTS["Deployment"])
    broken["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]["periodSecond"] = 30
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


def test_deployment_probes_resources_and_scale_out() -> None:
    deployment = DOCUMENTS["Deployment"]
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/health"
    assert container["livenessProbe"]["periodSeconds"] == 30
    assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
    assert container["startupProbe"]["httpGet"]["path"] == "/health"
    assert container["resources"] == {
        "requests": {"cpu": "250m", "memory": "256Mi"}, "limits": {"cpu": "500m", "memory": "512Mi"}
    }  # fmt: skip
    env = _env(container)
    assert env["AUTO_MIGRATE"] == "false"
    # More than one replica: the limits must be counted in Redis, so its URL is required.
    assert deployment["spec"]["replicas"] > 1
    assert DOCUMENTS["HorizontalPodAutoscaler"]["spec"]["minReplicas"] > 1
    assert "REDIS_URL_FILE" in env
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0


@pytest.mark.parametrize("kind", ["Deployment", "Job", "CronJob"])
def test_pods_run_unprivileged_on_a_read_only_root(kind: str) -> None:
    pod = _pod_spec(kind)
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == 10001  # the image's numeric user
    assert pod["automountServiceAccountToken"] is False
    (container,) = pod["containers"]
    assert container["securityContext"] == {
        "allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]}
    }  # fmt: skip
    volumes = {volume["name"]: volume for volume in pod["volumes"]}
    mounts = {mount["mountPath"]: mount for mount in container["volumeMounts"]}
    writable = {path for path, mount in mounts.items() if not mount.get("readOnly")}
    assert writable == {"/tmp"}
    assert "emptyDir" in volumes[mounts["/tmp"]["name"]]


@pytest.mark.parametrize("kind", ["Deployment", "Job", "CronJob"])
def test_secrets_are_files_of_the_secret_by_reference(kind: str) -> None:
    pod = _pod_spec(kind)
    (container,) = pod["containers"]
    env = _env(container)
    config = DOCUMENTS["ConfigMap"]["data"]
    assert not SECRET_VARIABLES & (set(env) | set(config))  # never a value in the manifests
    secret_volume = next(volume for volume in pod["volumes"] if "secret" in volume)
    mount = next(m for m in container["volumeMounts"] if m["name"] == secret_volume["name"])
    files = {f"{mount['mountPath']}/{item['path']}" for item in secret_volume["secret"]["items"]}
    named = {name: path for name, path in env.items() if name.endswith("_FILE")}
    assert set(named.values()) == files
    if kind == "Deployment":
        assert set(named) == SECRET_FILE_VARIABLES
    else:
        assert set(named) == {"DATABASE_URL_FILE", "AUTH_SIGNING_KEY_FILE"}


def test_jobs_migrate_once_and_purge_the_trash_daily() -> None:
    (migrate,) = _pod_spec("Job")["containers"]
    assert migrate["command"] == ["todo-chatbot", "migrate"]
    cron = DOCUMENTS["CronJob"]["spec"]
    (purge,) = _pod_spec("CronJob")["containers"]
    assert purge["command"] == ["todo-chatbot", "purge-trash"]
    assert cron["concurrencyPolicy"] == "Forbid"
    minute, hour, *every_day = cron["schedule"].split()
    assert every_day == ["*", "*", "*"] and minute.isdigit() and hour.isdigit()
    pods = [_pod_spec(kind) for kind in ("Deployment", "Job", "CronJob")]
    images = {container["image"] for pod in pods for container in pod["containers"]}
    assert len(images) == 1  # one image, one tag, for every part of a release


def test_service_budget_and_autoscaler_select_the_servers() -> None:
    labels = DOCUMENTS["Deployment"]["spec"]["template"]["metadata"]["labels"]
    assert DOCUMENTS["Service"]["spec"]["selector"] == labels
    assert DOCUMENTS["PodDisruptionBudget"]["spec"]["selector"]["matchLabels"] == labels
    assert DOCUMENTS["PodDisruptionBudget"]["spec"]["minAvailable"] == 1
    target = DOCUMENTS["HorizontalPodAutoscaler"]["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", DOCUMENTS["Deployment"]["metadata"]["name"])
    (port,) = DOCUMENTS["Service"]["spec"]["ports"]
    assert port["targetPort"] == "http"

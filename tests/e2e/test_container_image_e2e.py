"""The Dockerfile (no engine here to build it): what its final image holds and runs, and its
HEALTHCHECK command run for real against the real server."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
import pytest

from tests.deploy_files import COMPOSE_FILE, REPO, dockerfile_stages, healthcheck_command, project_version
from tests.e2e.server import free_port, run_server

pytestmark = pytest.mark.e2e


def _run_check(command: str, port: int) -> int:
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "PORT": str(port)}
    return subprocess.run(["sh", "-c", command], env=env, capture_output=True, timeout=30, check=False).returncode


def test_final_image_runs_as_a_numeric_user_with_no_build_leftovers() -> None:
    build, final = dockerfile_stages()
    assert build.name == "build"
    assert final.all("USER") == ["10001:10001"]
    assert final.all("COPY") == ["--from=build /opt/todo-chatbot /opt/todo-chatbot"]
    assert not any(re.search(r"whl|wheel|pip install", arg) for _, arg in final.instructions)
    assert any("PIP_NO_CACHE_DIR=1" in env for env in build.all("ENV"))
    assert final.all("CMD") == ['["todo-chatbot", "serve"]']
    assert final.all("EXPOSE") == ["8000"]
    assert any("HOST=0.0.0.0" in env for env in final.all("ENV"))


def test_labels_carry_the_version_every_deployment_file_names() -> None:
    version = project_version()
    _, final = dockerfile_stages()
    assert f"VERSION={version}" in final.all("ARG")
    (labels,) = final.all("LABEL")
    assert 'org.opencontainers.image.version="${VERSION}"' in labels
    assert "org.opencontainers.image.revision=" in labels
    assert f"TODO_VERSION:-{version}" in COMPOSE_FILE.read_text()
    for manifest in sorted((REPO / "deploy" / "k8s").glob("*.yaml")):
        images = re.findall(r"image: (\S+)", manifest.read_text())
        assert all(image == f"todo-chatbot:{version}" for image in images), manifest.name


def test_healthcheck_answers_whatever_allowed_hosts_says() -> None:
    options, command = healthcheck_command()
    assert options["interval"] == "30s"
    workdir = Path(tempfile.mkdtemp(prefix="todo-e2e-image-"))
    hosts = {"PUBLIC_URL": "https://todo.example.com", "ALLOWED_HOSTS": "todo.example.com"}
    with run_server(workdir, f"sqlite+aiosqlite:///{workdir / 'todo.db'}", **hosts) as server:
        port = int(server.url.rsplit(":", 1)[1])
        assert httpx.get(f"{server.url}/api/auth/jwks").status_code == 400  # 127.0.0.1 is not an allowed host
        assert _run_check(command, port) == 0
    assert _run_check(command, port) != 0  # nothing listening: unhealthy
    assert _run_check(command, free_port()) != 0

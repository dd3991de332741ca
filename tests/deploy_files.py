"""Readers of the deployment files (Dockerfile, compose.yaml) shared by their tests."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
COMPOSE_FILE = REPO / "compose.yaml"
DOCKERFILE = REPO / "Dockerfile"
SECRET_FILE_VARIABLES = frozenset(
    {
        "DATABASE_URL_FILE",
        "REDIS_URL_FILE",
        "METRICS_TOKEN_FILE",
        "BETTER_AUTH_SECRET_FILE",
        "OPENAI_API_KEY_FILE",
        "AUTH_SIGNING_KEY_FILE",
    }
)
"""Every secret api.md lists, as ``NAME_FILE``, and the built-in issuer's signing key."""
SECRET_VARIABLES = frozenset({"DATABASE_URL", "REDIS_URL", "METRICS_TOKEN", "BETTER_AUTH_SECRET", "OPENAI_API_KEY"})


def project_version() -> str:
    return str(tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"])


@dataclass
class Stage:
    """One ``FROM`` stage of the Dockerfile: its instructions, continuation lines joined."""

    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [argument for word, argument in self.instructions if word == keyword]


def dockerfile_stages() -> list[Stage]:
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    stages: list[Stage] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, argument = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            words = argument.split()
            stages.append(Stage(words[2] if len(words) > 2 and words[1].upper() == "AS" else None))
            continue
        if stages:
            stages[-1].instructions.append((keyword, re.sub(r"\s+", " ", argument).strip()))
    return stages


def healthcheck_command() -> tuple[dict[str, str], str]:
    """The final stage's HEALTHCHECK: its options and its shell command."""
    (argument,) = dockerfile_stages()[-1].all("HEALTHCHECK")
    options_text, _, command = argument.partition(" CMD ")
    options = dict(option.removeprefix("--").split("=", 1) for option in shlex.split(options_text))
    return options, command.strip()


def compose_binary() -> str:
    found = shutil.which("docker-compose")
    if found is None:
        raise RuntimeError("docker-compose is not installed: run ./scripts/test.sh (scripts/deb-packages.txt)")
    return found


def compose_config(env_file: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``docker-compose -f compose.yaml config`` with exactly these variables (no .env)."""
    env_file.write_text("")
    base = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(env_file.parent)}
    command = [compose_binary(), "--env-file", str(env_file), "-f", str(COMPOSE_FILE), "config"]
    return subprocess.run(command, env={**base, **env}, cwd=REPO, capture_output=True, text=True, check=False)


def parsed_compose(env_file: Path, **env: str) -> dict[str, Any]:
    result = compose_config(env_file, **env)
    assert result.returncode == 0, result.stderr
    parsed: dict[str, Any] = yaml.safe_load(result.stdout)
    return parsed

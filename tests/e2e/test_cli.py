"""The command line, run as a user would (a real process)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import jwt
import pytest

pytestmark = pytest.mark.e2e


def cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "BETTER_AUTH_", "DATABASE_URL"))},
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'todo.db'}",
        "AUTH_SIGNING_KEY_FILE": str(tmp_path / "key.pem"),
        "PUBLIC_URL": "http://127.0.0.1:8000",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "entrypoints.cli", *args],
        env=full_env, cwd=Path.cwd(), capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_token_prints_only_a_token_of_the_built_in_issuer(tmp_path: Path) -> None:
    result = cli(tmp_path, "token", "alice", "--ttl", "120")
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    assert result.stdout.count("\n") == 1
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["sub"] == "alice"
    assert claims["iss"] == claims["aud"] == "http://127.0.0.1:8000"
    assert claims["exp"] - claims["iat"] == 120
    assert (tmp_path / "key.pem").exists()


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("alice", "--ttl", "0"), "--ttl: must be at least 1 second"),
        (("alice", "--ttl", "-5"), "--ttl: must be at least 1 second"),
        (("alice", "--ttl", "soon"), "not a whole number of seconds"),
        (("",), "user id must be 1 to 255 characters"),
    ],
)
def test_a_bad_token_request_exits_2_with_a_message_not_a_traceback(
    tmp_path: Path, args: tuple[str, ...], said: str
) -> None:
    result = cli(tmp_path, "token", *args)
    assert result.returncode == 2
    assert said in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_migrate_up_current_down(tmp_path: Path) -> None:
    assert cli(tmp_path, "migrate", "current").stdout.strip() == "base"
    up = cli(tmp_path, "migrate")
    assert up.returncode == 0, up.stderr
    head = cli(tmp_path, "migrate", "current").stdout.strip()
    assert head != "base"
    unconfirmed = cli(tmp_path, "migrate", "downgrade", "base")
    assert unconfirmed.returncode == 2
    assert "--yes" in unconfirmed.stderr
    assert cli(tmp_path, "migrate", "current").stdout.strip() == head
    assert cli(tmp_path, "migrate", "downgrade", "base", "--yes").returncode == 0
    assert cli(tmp_path, "migrate", "current").stdout.strip() == "base"
    assert cli(tmp_path, "migrate", "downgrade").returncode == 2


def test_version_is_the_installed_packages(tmp_path: Path) -> None:
    from importlib.metadata import version

    result = cli(tmp_path, "--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"todo-chatbot {version('todo-chatbot')}"


def test_bad_configuration_exits_2_with_a_message(tmp_path: Path) -> None:
    result = cli(tmp_path, "serve", BETTER_AUTH_SECRET="too-short")
    assert result.returncode == 2
    assert "BETTER_AUTH_SECRET" in result.stderr
    prod = cli(tmp_path, "serve", APP_ENV="production", PUBLIC_URL="https://todo.example.com",
               AUTH_SIGNING_KEY_FILE=str(tmp_path / "none.pem"))  # fmt: skip
    assert prod.returncode == 2
    assert "AUTH_SIGNING_KEY_FILE" in prod.stderr


def test_an_unknown_database_scheme_exits_2_listing_the_installed_backends(tmp_path: Path) -> None:
    result = cli(tmp_path, "migrate", DATABASE_URL="oracle://admin:s3cret@db.internal/todo")
    assert result.returncode == 2
    assert "no installed storage backend serves oracle:// URLs" in result.stderr
    assert "PostgreSQL (asyncpg): postgresql" in result.stderr
    assert "SQLite (aiosqlite): sqlite" in result.stderr
    assert "s3cret" not in result.stderr


def test_keygen_writes_a_private_key_once(tmp_path: Path) -> None:
    target = tmp_path / "prod-key.pem"
    assert cli(tmp_path, "keygen", str(target)).returncode == 0
    assert target.stat().st_mode & 0o777 == 0o600
    assert cli(tmp_path, "keygen", str(target)).returncode == 2

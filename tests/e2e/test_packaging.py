"""The wheel ships the migrations (so `todo-chatbot migrate` works from an installed package),
the web page's files, the storage backends' entry points and the conformance kit."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e


def test_wheel_contains_the_packages_and_the_migrations(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), "."],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    wheel = next(tmp_path.glob("todo_chatbot-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "adapters/persistence/migrations/env.py" in names
    assert any(n.startswith("adapters/persistence/migrations/versions/") and n.endswith(".py") for n in names)
    for package in ["domain", "application", "adapters", "entrypoints"]:
        assert f"{package}/__init__.py" in names
    for page_file in ["index.html", "app.js", "api.js", "chat.js", "tasks.js", "app.css", "icon.svg"]:
        assert f"entrypoints/web/{page_file}" in names
    assert not any(n.startswith(("tests/", "src/")) for n in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    registered = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "todo-chatbot = entrypoints.cli:run" in registered
    # The built-in storage backends register as an outside one would; the kit ships as a plugin.
    assert "[todo_chatbot.storage]" in registered
    assert "postgresql = adapters.persistence.asyncpg.backend:backend" in registered
    assert "sqlite = adapters.persistence.sqlalchemy.sqlite:backend" in registered
    assert "pytest11" not in registered  # the kit is loaded with -p, never into every pytest run
    assert {"adapters/persistence/contract/plugin.py", "adapters/persistence/contract/test_tasks.py"} <= names
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("METADATA"))).decode()
    assert "Provides-Extra: kit" in metadata
    runtime = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:") and "extra ==" not in line]
    assert not any("pytest" in line for line in runtime)
